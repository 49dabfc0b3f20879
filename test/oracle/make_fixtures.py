#!/usr/bin/env python3
"""Write test/fixtures/torch/NNN-<description>.json: seeded random cases + torch float64 output.

Each file: {"case": {...}, "expected": <torch_bptt output>, "generator": "torch 1.13 float64 autograd"}.
Deterministic: every case has its own fixed seed; json.dumps(sort_keys=True) with Python's
shortest round-trip float repr. Rerunning rewrites byte-identical files.

Usage: /usr/bin/python3 test/oracle/make_fixtures.py
"""
import glob
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "fixtures", "torch")
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import torch  # noqa: E402

from caselib import make_case  # noqa: E402
from torch_bptt import bptt  # noqa: E402

torch.set_num_threads(1)
GENERATOR = "torch %s float64 autograd" % ".".join(torch.__version__.split(".")[:2])
CE, SQ = "softmax-ce", "squared"


def adding_problem(seed):
    """Adding problem (Hochreiter & Schmidhuber): x(t) = [value, marker]; only the last
    step has a target, the sum of the two marked values."""
    rng = random.Random(seed)
    T = 10
    case = make_case(rng, SQ, 4, 2, 1, T, nulls=list(range(T - 1)))
    vals = [round(rng.uniform(0.0, 1.0), 6) for _ in range(T)]
    i, j = sorted(rng.sample(range(T), 2))
    case["x"] = [[v, 1.0 if t in (i, j) else 0.0] for t, v in enumerate(vals)]
    case["y"][T - 1] = [round(vals[i] + vals[j], 6)]
    return case


def with_truncate(case, k):
    case = json.loads(json.dumps(case))
    if k is None:
        case.pop("truncate", None)
    else:
        case["truncate"] = k
    return case


def specs():
    """(description, case). Seeds are fixed per entry so entries are independent."""
    S = []
    S.append(("ce-tokens", make_case(random.Random(101), CE, 4, 5, 5, 6, tokens=True)))
    S.append(("ce-real-x", make_case(random.Random(102), CE, 3, 2, 4, 5)))
    S.append(("sq-real-x", make_case(random.Random(103), SQ, 3, 4, 2, 5)))
    S.append(("sq-tokens", make_case(random.Random(104), SQ, 4, 3, 3, 6, tokens=True)))
    S.append(("ce-h0", make_case(random.Random(105), CE, 3, 3, 3, 5, h0=True)))
    S.append(("sq-h0", make_case(random.Random(106), SQ, 3, 2, 2, 4, h0=True)))
    S.append(("ce-some-null", make_case(random.Random(107), CE, 3, 4, 3, 8, tokens=True, nulls=[1, 4, 5])))
    S.append(("sq-some-null", make_case(random.Random(108), SQ, 3, 3, 2, 8, nulls=[0, 3, 6])))
    S.append(("sq-adding-problem-last-only", adding_problem(109)))
    S.append(("ce-last-only", make_case(random.Random(110), CE, 3, 4, 3, 8, tokens=True, nulls=list(range(7)))))
    # one base case, several truncation lengths (T = 7: k=2,3 leave an uneven last chunk)
    base = make_case(random.Random(111), CE, 3, 3, 3, 7)
    for k in [1, 2, 3, 7, 10]:
        S.append((f"ce-T7-truncate{k}", with_truncate(base, k)))
    S.append(("ce-T7-full", with_truncate(base, None)))
    base = make_case(random.Random(112), SQ, 3, 2, 2, 7, h0=True, nulls=[2])
    for k in [1, 2, 3, 7, 9]:
        S.append((f"sq-T7-h0-truncate{k}", with_truncate(base, k)))
    S.append(("sq-T7-h0-full", with_truncate(base, None)))
    S.append(("ce-truncate3-first-chunk-null-h0", make_case(random.Random(113), CE, 3, 3, 3, 7, h0=True,
                                                            truncate=3, nulls=[0, 1, 2])))
    S.append(("ce-H1", make_case(random.Random(114), CE, 1, 3, 3, 5)))
    S.append(("sq-D1-real", make_case(random.Random(115), SQ, 3, 1, 2, 5)))
    S.append(("ce-D1-tokens", make_case(random.Random(116), CE, 2, 1, 3, 4, tokens=True)))
    S.append(("ce-K1-loss0-all-grads-zero", make_case(random.Random(117), CE, 3, 2, 1, 5)))
    S.append(("sq-K1", make_case(random.Random(118), SQ, 3, 2, 1, 5)))
    S.append(("ce-T1-h0", make_case(random.Random(119), CE, 3, 3, 3, 1, h0=True)))
    S.append(("sq-T1", make_case(random.Random(120), SQ, 2, 2, 2, 1)))
    S.append(("sq-scalar-H1-D1-K1-h0", make_case(random.Random(121), SQ, 1, 1, 1, 6, h0=True)))
    S.append(("ce-long-T200-H8-tokens", make_case(random.Random(122), CE, 8, 6, 6, 200, tokens=True, std=0.6)))
    S.append(("sq-long-T200-H8-truncate20-h0", make_case(random.Random(123), SQ, 8, 3, 2, 200, h0=True,
                                                         truncate=20, null_prob=0.3, std=0.5)))
    S.append(("ce-wide-tokens-truncate4-h0-nulls", make_case(random.Random(124), CE, 6, 8, 8, 9, tokens=True,
                                                             h0=True, truncate=4, nulls=[0, 5])))
    S.append(("sq-all-null-zero-loss", make_case(random.Random(125), SQ, 2, 2, 2, 4, nulls=[0, 1, 2, 3])))
    S.append(("ce-std1.0", make_case(random.Random(126), CE, 4, 4, 3, 8, tokens=True, std=1.0)))
    S.append(("sq-std0.5", make_case(random.Random(127), SQ, 4, 3, 3, 8, std=0.5)))
    return S


def sanity(desc, case, out):
    """Keep fixtures informative: distinct parameter values, non-symmetric W,
    tanh neither all-linear nor saturated."""
    p = case["params"]
    flat = [v for n in "UWV" for row in p[n] for v in row] + p["b"] + p["c"]
    assert len(set(flat)) == len(flat), f"{desc}: repeated parameter value"
    H = len(p["W"])
    if H > 1:
        assert any(p["W"][i][j] != p["W"][j][i] for i in range(H) for j in range(H)), f"{desc}: symmetric W"
    hs = [abs(v) for row in out["h"] for v in row]
    hmax, sat = max(hs), sum(v > 0.99 for v in hs) / len(hs)
    assert hmax > math.tanh(0.5), f"{desc}: tanh nearly linear (max |h| {hmax})"
    assert hmax < 0.9999 and sat <= 0.1, f"{desc}: saturated (max |h| {hmax}, {sat:.0%} above 0.99)"
    return hmax, sat


def positive_zero(v):
    """-0.0 -> 0.0 (torch gives -0.0 e.g. for the all-zero V gradient when K = 1)."""
    if isinstance(v, dict):
        return {k: positive_zero(x) for k, x in v.items()}
    if isinstance(v, list):
        return [positive_zero(x) for x in v]
    return v + 0.0 if isinstance(v, float) else v


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.json")):
        os.remove(old)
    total = 0
    for i, (desc, case) in enumerate(specs(), start=1):
        out = positive_zero(bptt(case))
        hmax, sat = sanity(desc, case, out)
        text = json.dumps({"case": case, "expected": out, "generator": GENERATOR}, sort_keys=True) + "\n"
        name = f"{i:03d}-{desc}.json"
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
        total += len(text)
        print(f"{name:45s} {len(text):7d} bytes   max|h| {hmax:.4f}  |h|>0.99: {sat:.0%}")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
