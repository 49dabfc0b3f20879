#!/usr/bin/env python3
"""Deterministic benchmark cases for the BPTT peers (pure Python, no numpy).

    python3 bench/peers/make_case.py --size S1 --seed 1 > case.json

Case JSON (the project's contract):
  single sequence: {"loss":"softmax-ce","params":{"U","W","V","b","c"},
                    "tokens":[T] | "x":[[T x D]], "y":[T]}
  batch (S4):      {"loss":"softmax-ce","params":{...},
                    "batch":[{"tokens"|"x", "y"}, ... B entries]}
  params may also carry an optional "h0" (H, or B x H for a batch); default 0.

Generator (implemented identically in numpy_minchar.py, torch_autograd.py,
tfjs_cpu.ts and c_loop.c): mulberry32 uniform stream seeded with `seed`;
u = (r + 0.5) / 2^32; normal z = sqrt(-2 ln u1) * cos(2 pi u2) (one normal per
two uniforms).  Draw order: U (H x D, row-major), W (H x H), V (K x H), b (H),
c (K), all z / sqrt(fan_in) with fan_in = D for U and H for W, V, b, c; then per
sequence: inputs (tokens floor(u*D), or x[t][j] = z), then targets floor(u*K).
"""
import argparse
import json
import math
import sys

# name: (H, D, K, T, B, real-valued inputs?)   B = 0 -> single sequence
SIZES = {
    "S1": (100, 65, 65, 25, 0, False),
    "S2": (256, 65, 65, 100, 0, False),
    "S3": (512, 128, 128, 200, 0, True),
    "S4": (256, 65, 65, 100, 32, False),
    # small cases for the gradient cross-check
    "tiny": (7, 5, 4, 6, 0, False),
    "tiny-x": (6, 5, 4, 7, 0, True),
    "tiny-batch": (7, 5, 4, 6, 3, False),
    "tiny-batch-x": (6, 5, 4, 5, 3, True),
}


class Rng:
    """mulberry32: 32-bit state, bit-identical in Python, TypeScript and C."""

    def __init__(self, seed):
        self.a = seed & 0xFFFFFFFF

    def u32(self):
        self.a = (self.a + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF

    def uniform(self):
        return (self.u32() + 0.5) / 4294967296.0

    def normal(self):
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def index(self, n):
        return int(self.uniform() * n)


def make_case(size, seed=1, H=None, D=None, K=None, T=None, B=None, real=None):
    h, d, k, t, b, r = SIZES[size] if size else (None,) * 6
    H, D, K, T = H or h, D or d, K or k, T or t
    B = b if B is None else B
    real = r if real is None else real
    rng = Rng(seed)

    def mat(rows, cols, fan):
        s = 1.0 / math.sqrt(fan)
        return [[rng.normal() * s for _ in range(cols)] for _ in range(rows)]

    params = {
        "U": mat(H, D, D),
        "W": mat(H, H, H),
        "V": mat(K, H, H),
        "b": mat(1, H, H)[0],
        "c": mat(1, K, H)[0],
    }

    def seq():
        s = {}
        if real:
            s["x"] = [[rng.normal() for _ in range(D)] for _ in range(T)]
        else:
            s["tokens"] = [rng.index(D) for _ in range(T)]
        s["y"] = [rng.index(K) for _ in range(T)]
        return s

    case = {"loss": "softmax-ce", "params": params}
    if B:
        case["batch"] = [seq() for _ in range(B)]
    else:
        case.update(seq())
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="S1", choices=sorted(SIZES))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.stdout.write(json.dumps(make_case(args.size, args.seed), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
