"""Shared plumbing for the Python peers: case loading, timing loop, JSON records."""
import argparse
import ctypes
import json
import os
import sys
import time

import numpy as np

from make_case import SIZES, make_case


def parse_args(engine):
    ap = argparse.ArgumentParser(description=f"{engine} BPTT peer")
    ap.add_argument("--grad", metavar="CASE_JSON", help="print the gradient JSON for this case")
    ap.add_argument("--time", action="store_true", help="time forward+backward")
    ap.add_argument("--size", default="S1", choices=sorted(SIZES))
    ap.add_argument("--case", metavar="CASE_JSON", help="time this case instead of generating one")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=1.5, help="measuring time after warm-up")
    a = ap.parse_args()
    if not (a.grad or a.time):
        ap.error("need --grad CASE_JSON or --time")
    return a


def load_case(path=None, size=None, seed=1):
    """Returns a dict of float64 numpy arrays: U W V b c h0, and per-sequence inputs.
    Single case: 'tokens' (T,) int or 'x' (T, D); 'y' (T,).  Batch case: the same with a
    leading B axis, and 'batched' True.  h0 is (H,) or (B, H)."""
    if path:
        with open(path) as f:
            case = json.load(f)
    else:
        case = make_case(size, seed)
    p = case["params"]
    out = {k: np.array(p[k], dtype=np.float64) for k in ("U", "W", "V", "b", "c")}
    seqs = case["batch"] if "batch" in case else [case]
    out["batched"] = "batch" in case
    out["real"] = "x" in seqs[0]
    if out["real"]:
        out["x"] = np.array([s["x"] for s in seqs], dtype=np.float64)
    else:
        out["tokens"] = np.array([s["tokens"] for s in seqs], dtype=np.int64)
    out["y"] = np.array([s["y"] for s in seqs], dtype=np.int64)
    H = out["W"].shape[0]
    h0 = np.array(p["h0"], dtype=np.float64) if "h0" in p else np.zeros((len(seqs), H))
    out["h0"] = h0.reshape(len(seqs), H)
    if not out["batched"]:  # drop the batch axis again
        for k in ("x", "tokens", "y", "h0"):
            if k in out:
                out[k] = out[k][0]
    out["B"] = len(seqs)
    return out


def grad_json(loss, g):
    """g: dict U W V b c h0 of numpy arrays in the contract's shapes."""
    return json.dumps({"loss": float(loss), "grads": {k: np.asarray(g[k], dtype=np.float64).tolist()
                                                      for k in ("U", "W", "V", "b", "c", "h0")}})


def time_it(fn, seconds=1.5, warm_s=0.3):
    """Warm up (>= 3 runs and >= warm_s), then time single runs for >= seconds and >= 10 runs."""
    t0 = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - t0 < warm_s:
        loss = fn()
        n += 1
    ts = []
    t0 = time.perf_counter()
    while len(ts) < 10 or time.perf_counter() - t0 < seconds:
        a = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - a) * 1e3)
    return float(loss), np.array(ts)


def record(size, engine, loss, ts, batch=None, **extra):
    med = float(np.median(ts))
    r = {"size": size, "engine": engine, "msPerSequence": med / batch if batch else med}
    if batch:
        r.update(msPerBatch=med, batch=batch)
    r.update(runs=len(ts), medianMs=med, p10Ms=float(np.percentile(ts, 10)),
             p90Ms=float(np.percentile(ts, 90)), loss=loss)
    r.update(extra)
    return json.dumps(r)


def openblas_info():
    """Which OpenBLAS kernel set is active (and its thread count), read from the loaded library."""
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name, mode=os.RTLD_NOLOAD)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return {"blasCore": lib.openblas_get_corename().decode(),
                    "blasThreads": int(lib.openblas_get_num_threads()),
                    "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                    "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
        except (OSError, AttributeError):
            continue
    return {"blasCore": None}
