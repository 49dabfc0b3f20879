#!/usr/bin/env python3
"""Print one random valid case (JSON) to stdout, for fuzzing the CLI against torch_bptt.py.

Usage: /usr/bin/python3 test/oracle/random_case.py --seed N [--loss softmax-ce|squared]

Shapes H, D, K in 1..6, T in 1..12; h0 given or absent, tokens or real x, truncate
absent or k in 1..T+2, some null targets (possibly all of them). Same seed, same case.
"""
import argparse
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caselib import fuzz_case  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--loss", choices=["softmax-ce", "squared"])
    a = ap.parse_args()
    print(json.dumps(fuzz_case(random.Random(a.seed), a.loss), sort_keys=True))


if __name__ == "__main__":
    main()
