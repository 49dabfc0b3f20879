#!/usr/bin/env python3
"""Cross-check the peers' gradients before timing them.

    /usr/bin/python3 bench/peers/check_peers.py [--full]

Builds c_loop into build/bench/, writes cases with make_case.py, runs every peer's
--grad on each case and compares loss and every gradient entry with the reference
(c_loop, the BLAS-free float64 loop):
    |g - ref| <= rtol * max(|ref|, floor * max|ref of that array|)
rtol = 1e-9 for the float64 peers (numpy, torch), 1e-4 for tfjs (float32); floor = 1e-2
(an entry that cancels to well below the array's scale is held to an absolute bound).
The numpy and torch peers are checked twice: with the environment as it is and with
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (OpenBLAS then picks its own kernels).
It also checks that each peer's self-generated case (--time --size NAME) gives bit for bit
the loss that peer computes on the make_case.py JSON of that size, i.e. that the four
generators (Python, C, TypeScript) build the same case.
Default cases: tiny, tiny-x, tiny-batch, tiny-batch-x, S1; --full adds S2, S3, S4.
Exit status 1 on any mismatch.
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build", "bench")
PY = sys.executable or "/usr/bin/python3"
C_BIN = os.path.join(BUILD, "c_loop")
UNSET = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

PEERS = {  # name: (command prefix, rtol, env)
    "c-loop": ([C_BIN], None, None),
    "numpy": ([PY, os.path.join(HERE, "numpy_minchar.py")], 1e-9, None),
    "numpy[OPENBLAS_* unset]": ([PY, os.path.join(HERE, "numpy_minchar.py")], 1e-9, UNSET),
    "torch": ([PY, os.path.join(HERE, "torch_autograd.py")], 1e-9, None),
    "torch[OPENBLAS_* unset]": ([PY, os.path.join(HERE, "torch_autograd.py")], 1e-9, UNSET),
    "tfjs": (["node", "--import", "tsx", os.path.join(HERE, "tfjs_cpu.ts")], 1e-4, None),
}
FLOOR = 1e-2


def build_c():
    os.makedirs(BUILD, exist_ok=True)
    subprocess.run(["gcc", "-O3", "-march=native", "-o", C_BIN, os.path.join(HERE, "c_loop.c"), "-lm"], check=True)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return r.stdout


def worst(g, ref):
    """max over entries of |g - ref| / max(|ref|, FLOOR * max|ref|)."""
    g, ref = np.asarray(g, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if g.shape != ref.shape:
        return float("inf")
    scale = np.maximum(np.abs(ref), FLOOR * max(np.max(np.abs(ref)), 1e-300))
    return float(np.max(np.abs(g - ref) / scale))


def main():
    sizes = ["tiny", "tiny-x", "tiny-batch", "tiny-batch-x", "S1"]
    if "--full" in sys.argv:
        sizes += ["S2", "S3", "S4"]
    build_c()
    ok = True
    for size in sizes:
        path = os.path.join(BUILD, f"case-{size}.json")
        with open(path, "w") as f:
            f.write(run([PY, os.path.join(HERE, "make_case.py"), "--size", size, "--seed", "1"]))
        ref = json.loads(run(PEERS["c-loop"][0] + ["--grad", path]))
        losses = {"c-loop": ref["loss"]}
        for name, (cmd, rtol, env) in PEERS.items():
            if rtol is None:
                continue
            out = json.loads(run(cmd + ["--grad", path], env))
            losses[name] = out["loss"]
            errs = {k: worst(out["grads"][k], ref["grads"][k]) for k in ref["grads"]}
            errs["loss"] = abs(out["loss"] - ref["loss"]) / abs(ref["loss"])
            bad = [k for k, e in errs.items() if not e <= rtol]
            ok &= not bad
            print(f"{size:13s} {name:24s} rtol {rtol:g}  worst {max(errs.values()):.2e}  "
                  f"{'OK' if not bad else 'MISMATCH in ' + ', '.join(bad)}")
        # the peers' own generators must rebuild this very case
        if size.startswith("tiny") or size == "S1":
            for name, (cmd, rtol, env) in PEERS.items():
                if "unset" in name:
                    continue
                rec = json.loads(run(cmd + ["--time", "--size", size, "--seconds", "0"], env).strip().splitlines()[-1])
                good = rec["loss"] == losses[name]
                ok &= good
                print(f"{size:13s} {name:24s} self-generated case: loss {rec['loss']!r} "
                      f"{'==' if good else '!='} {losses[name]!r} from the JSON case  {'OK' if good else 'MISMATCH'}")
    print("ALL OK" if ok else "MISMATCHES FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
