#!/usr/bin/env python3
"""Cross-check the two oracles (and a finite-difference third opinion).

1. torch_bptt vs numpy_bptt on many random cases (caselib.fuzz_case, seeds 0..N-1),
   on targeted edge cases, and on every case under test/fixtures/:
   per entry |a - b| <= 1e-12 * max(1, |a| + |b|), identical shapes.
2. Stored "expected" in test/fixtures/**.json vs numpy_bptt at the same rule.
3. Central finite differences (eps 1e-5) of a forward-only loss, chunk by chunk
   (the truncated gradient is the sum over chunks of the gradient of that chunk's
   loss with its starting h held constant), vs torch, at 1e-6 * max(1, |a| + |b|).
4. The two scripts as command-line programs (file argument and stdin).

Usage: /usr/bin/python3 test/oracle/crosscheck.py [--n 3000] [--fd 300]
Exits 1 on any disagreement.
"""
import argparse
import glob
import json
import math
import os
import random
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import caselib  # noqa: E402
import numpy_bptt  # noqa: E402
import torch_bptt  # noqa: E402

KEYS = ["loss", "h", "o", "grads.U", "grads.W", "grads.V", "grads.b", "grads.c", "grads.h0"]


def get(d, key):
    for part in key.split("."):
        d = d[part]
    return d


def compare(a, b, rtol, where):
    """Yield messages for shape or value mismatches between nested lists/numbers a, b."""
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            yield f"{where}: shape mismatch"
            return
        for i, (u, v) in enumerate(zip(a, b)):
            yield from compare(u, v, rtol, f"{where}[{i}]")
        return
    if not (math.isfinite(a) and math.isfinite(b)) or abs(a - b) > rtol * max(1.0, abs(a) + abs(b)):
        yield f"{where}: {a!r} vs {b!r}"


def compare_outputs(x, y, rtol, label, keys=KEYS):
    bad = []
    worst = 0.0
    for key in keys:
        try:
            u, v = get(x, key), get(y, key)
        except KeyError:
            continue
        bad += [f"{label} {m}" for m in compare(u, v, rtol, key)]
        for p, q in zip(np.ravel(np.array(u, dtype=float)), np.ravel(np.array(v, dtype=float))):
            worst = max(worst, abs(p - q) / max(1.0, abs(p) + abs(q)))
    return bad, worst


# ---- finite differences -------------------------------------------------------------

def step_losses(case, P, hstart, t0, t1, xs):
    """Sum of L(t) for t in [t0, t1) starting from h(t0-1) = hstart (plain numpy forward)."""
    U, W, V, b, c = P["U"], P["W"], P["V"], P["b"], P["c"]
    h, total = hstart, 0.0
    hs = []
    for t in range(t0, t1):
        h = np.tanh(b + W @ h + U @ xs[t])
        hs.append(h)
        o = c + V @ h
        y = case["y"][t]
        if y is None:
            continue
        if case["loss"] == "softmax-ce":
            total += np.log(np.sum(np.exp(o - o.max()))) + o.max() - o[y]
        else:
            total += 0.5 * np.sum((o - np.array(y, dtype=float)) ** 2)
    return total, hs


def fd_grads(case, eps=1e-5):
    P = {n: np.array(case["params"][n], dtype=float) for n in "UWVbc"}
    H, D = P["U"].shape
    h0 = np.array(case.get("h0", [0.0] * H), dtype=float)
    xs = [np.eye(D)[i] for i in case["tokens"]] if "tokens" in case else [np.array(r, float) for r in case["x"]]
    T = len(xs)
    k = case.get("truncate") or T
    chunks = [(s, min(s + k, T)) for s in range(0, T, k)]
    # chunk start states from the (untruncated-in-value) forward pass
    _, hs = step_losses(case, P, h0, 0, T, xs)
    starts = [h0] + [hs[s - 1] for s, _ in chunks[1:]]
    G = {n: np.zeros_like(P[n]) for n in P}
    for (s, e), hstart in zip(chunks, starts):
        for n in P:
            it = np.nditer(P[n], flags=["multi_index"])
            for _ in it:
                i = it.multi_index
                old = P[n][i]
                P[n][i] = old + eps
                lp, _ = step_losses(case, P, hstart, s, e, xs)
                P[n][i] = old - eps
                lm, _ = step_losses(case, P, hstart, s, e, xs)
                P[n][i] = old
                G[n][i] += (lp - lm) / (2 * eps)
    gh0 = np.zeros(H)
    s, e = chunks[0]
    for i in range(H):
        hp, hm = h0.copy(), h0.copy()
        hp[i] += eps
        hm[i] -= eps
        gh0[i] = (step_losses(case, P, hp, s, e, xs)[0] - step_losses(case, P, hm, s, e, xs)[0]) / (2 * eps)
    out = {n: G[n].tolist() for n in G}
    out["h0"] = gh0.tolist()
    return {"grads": out, "loss": step_losses(case, P, h0, 0, T, xs)[0]}


# ---- targeted cases -----------------------------------------------------------------

def targeted_cases():
    rng = random.Random(12345)
    cases = []
    for loss in ["softmax-ce", "squared"]:
        for k in [None, 1, 2, 3, 4, 7, 8, 50]:
            for tokens in [False, True]:
                for h0 in [False, True]:
                    cases.append(caselib.make_case(rng, loss, 3, 4, 3, 7, tokens=tokens, h0=h0,
                                                   truncate=k, null_prob=0.3))
        cases.append(caselib.make_case(rng, loss, 8, 5, 4, 200, truncate=None))
        cases.append(caselib.make_case(rng, loss, 8, 5, 4, 200, tokens=True, truncate=13, h0=True))
        cases.append(caselib.make_case(rng, loss, 16, 10, 10, 40, null_prob=0.5))
        cases.append(caselib.make_case(rng, loss, 2, 2, 2, 10, nulls=list(range(9))))     # adding-problem style
        cases.append(caselib.make_case(rng, loss, 2, 2, 2, 6, nulls=list(range(6))))      # all null
        cases.append(caselib.make_case(rng, loss, 3, 3, 3, 6, truncate=3, nulls=[0, 1, 2]))  # h0 grad 0
        cases.append(caselib.make_case(rng, loss, 1, 1, 1, 5, h0=True))
        cases.append(caselib.make_case(rng, loss, 1, 1, 1, 1))
        cases.append(caselib.make_case(rng, loss, 4, 3, 2, 12, std=1.5, truncate=5))      # saturating
    return cases


def run_cli(script, case, via_stdin):
    path = os.path.join(HERE, script)
    if via_stdin:
        r = subprocess.run([sys.executable, path], input=json.dumps(case), capture_output=True, text=True, check=True)
    else:
        tmp = os.path.join("/tmp", f"crosscheck-{os.getpid()}.json")
        with open(tmp, "w") as f:
            json.dump(case, f)
        r = subprocess.run([sys.executable, path, tmp], capture_output=True, text=True, check=True)
        os.unlink(tmp)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000, help="random fuzz cases")
    ap.add_argument("--fd", type=int, default=300, help="fuzz cases also checked by finite differences")
    a = ap.parse_args()

    failures, worst = [], 0.0
    counts = {}

    def check(label, case, fd=False):
        nonlocal worst
        t, n = torch_bptt.bptt(case), numpy_bptt.bptt(case)
        bad, w = compare_outputs(t, n, 1e-12, f"[torch vs numpy] {label}")
        failures.extend(bad)
        worst = max(worst, w)
        if fd:
            f = fd_grads(case)
            bad, _ = compare_outputs(t, f, 1e-6, f"[torch vs finite-diff] {label}", ["loss"] + KEYS[3:])
            failures.extend(bad)
        return t

    for s in range(a.n):
        case = caselib.fuzz_case(random.Random(s))
        check(f"fuzz seed {s}", case, fd=s < a.fd)
    counts["fuzz cases (torch vs numpy)"] = a.n
    counts["fuzz cases also vs finite differences"] = min(a.n, a.fd)

    tc = targeted_cases()
    for i, case in enumerate(tc):
        check(f"targeted #{i}", case, fd=len(case.get("x", case.get("tokens"))) <= 12)
    counts["targeted cases"] = len(tc)

    fixture_files = sorted(glob.glob(os.path.join(ROOT, "test", "fixtures", "**", "*.json"), recursive=True))
    for path in fixture_files:
        rel = os.path.relpath(path, ROOT)
        with open(path) as f:
            fx = json.load(f)
        check(rel, fx["case"], fd=len(fx["case"]["y"]) <= 12)
        n = numpy_bptt.bptt(fx["case"])
        bad, _ = compare_outputs(fx["expected"], n, 1e-12, f"[stored expected vs numpy] {rel}")
        failures.extend(bad)
    counts["fixture files"] = len(fixture_files)

    case = caselib.fuzz_case(random.Random(7))
    for script, mod in [("torch_bptt.py", torch_bptt), ("numpy_bptt.py", numpy_bptt)]:
        for via_stdin in [False, True]:
            bad, _ = compare_outputs(run_cli(script, case, via_stdin), mod.bptt(case), 0.0,
                                     f"[CLI {script} stdin={via_stdin}]")
            failures.extend(bad)
    counts["CLI runs"] = 4

    for k, v in counts.items():
        print(f"{k}: {v}")
    print(f"worst torch-vs-numpy |a-b|/max(1,|a|+|b|): {worst:.3e}")
    if failures:
        print(f"FAIL: {len(failures)} disagreements", file=sys.stderr)
        for m in failures[:50]:
            print("  " + m, file=sys.stderr)
        sys.exit(1)
    print("OK: all agree")


if __name__ == "__main__":
    main()
