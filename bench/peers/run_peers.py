#!/usr/bin/env python3
"""Run every peer's --time at every size and print a table of median ms per sequence.

    /usr/bin/python3 bench/peers/run_peers.py [--sizes S1,S2,S3,S4] [--engines c,numpy,torch,tfjs]
                                              [--seconds 1.5] [--variants as-is,unset,1thread] [--repeat N]
    /usr/bin/python3 bench/peers/run_peers.py --summary   # best and median per cell, from the log

Compiles c_loop.c into build/bench/c_loop, then runs the peers one after another (never
two at once), each at each size with its self-generated case (seed 1; check_peers.py shows
the generators agree).  numpy and torch are also run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset for that command alone (variant "unset"), so OpenBLAS picks its
kernels itself, and with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 (variant "1thread",
single-threaded like the C and tfjs peers); each record names the kernel set that ran
("blasCore") and the BLAS pool size ("blasThreads").
Every JSON record is appended, with "variant" and the 1-minute load average before the run
("load1"), to build/bench/peers.jsonl.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build", "bench")
PY = "/usr/bin/python3"
ENGINES = {
    "c": [os.path.join(BUILD, "c_loop")],
    "numpy": [PY, os.path.join(HERE, "numpy_minchar.py")],
    "torch": [PY, os.path.join(HERE, "torch_autograd.py")],
    "tfjs": ["node", "--import", "tsx", os.path.join(HERE, "tfjs_cpu.ts")],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="S1,S2,S3,S4")
    ap.add_argument("--engines", default="c,numpy,torch,tfjs")
    ap.add_argument("--seconds", default="1.5")
    ap.add_argument("--repeat", type=int, default=1, help="passes over all sizes and engines")
    ap.add_argument("--summary", action="store_true",
                    help="only summarise build/bench/peers.jsonl: per cell the best and the median "
                         "of the recorded msPerSequence values")
    ap.add_argument("--variants", default="as-is,unset,1thread",
                    help="variants for numpy/torch (c and tfjs always run as-is)")
    a = ap.parse_args()
    if a.summary:
        return summary()
    os.makedirs(BUILD, exist_ok=True)
    subprocess.run(["gcc", "-O3", "-march=native", "-o", ENGINES["c"][0], os.path.join(HERE, "c_loop.c"), "-lm"],
                   check=True)
    envs = {
        "as-is": None,
        "unset": {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "1thread": dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"),
    }
    rows = []
    with open(os.path.join(BUILD, "peers.jsonl"), "a") as log:
        for size in [s for _ in range(a.repeat) for s in a.sizes.split(",")]:
            for eng in a.engines.split(","):
                names = a.variants.split(",") if eng in ("numpy", "torch") else ["as-is"]
                variants = [(v, envs[v]) for v in names]
                for variant, env in variants:
                    with open("/proc/loadavg") as f:
                        load1 = float(f.read().split()[0])
                    cmd = ENGINES[eng] + ["--time", "--size", size, "--seconds", a.seconds]
                    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
                    if r.returncode:
                        sys.stderr.write(r.stderr)
                        raise SystemExit(f"{' '.join(cmd)} failed")
                    rec = json.loads(r.stdout.strip().splitlines()[-1])
                    rec.update(variant=variant, load1=load1)
                    print(json.dumps(rec), flush=True)
                    log.write(json.dumps(rec) + "\n")
                    rows.append(rec)
    print(f"\n{'size':4s} {'engine':9s} {'variant':7s} {'ms/seq':>10s} {'p10':>10s} {'p90':>10s} {'runs':>5s} "
          f"{'ms/batch':>10s} {'blas':10s} {'thr':>3s} {'bthr':>4s} {'load1':>5s}  loss")
    for r in rows:
        div = r.get("batch", 1)
        print(f"{r['size']:4s} {r['engine']:9s} {r['variant']:7s} {r['msPerSequence']:10.4g} {r['p10Ms'] / div:10.4g} "
              f"{r['p90Ms'] / div:10.4g} {r['runs']:5d} {r.get('msPerBatch', float('nan')):10.4g} "
              f"{str(r.get('blasCore', '-')):10s} {r.get('threads', '-')!s:>3s} {r.get('blasThreads', '-')!s:>4s} {r['load1']:5.2f}  {r['loss']:.10g}")



def summary():
    """Best (lowest) and median msPerSequence per (size, engine, variant) over the logged runs:
    on a shared machine the best of several medians is the least disturbed one."""
    import statistics
    cells = {}
    with open(os.path.join(BUILD, "peers.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            cells.setdefault((r["size"], r["engine"], r["variant"]), []).append(r)
    print(f"{'size':4s} {'engine':9s} {'variant':7s} {'best ms/seq':>11s} {'median':>9s} {'n':>2s} "
          f"{'best ms/batch':>13s} {'load1@best':>10s}")
    for (size, eng, var), rs in sorted(cells.items()):
        best = min(rs, key=lambda r: r["msPerSequence"])
        med = statistics.median(r["msPerSequence"] for r in rs)
        print(f"{size:4s} {eng:9s} {var:7s} {best['msPerSequence']:11.4g} {med:9.4g} {len(rs):2d} "
              f"{best.get('msPerBatch', float('nan')):13.4g} {best['load1']:10.2f}")


if __name__ == "__main__":
    main()
