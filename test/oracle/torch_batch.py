#!/usr/bin/env python3
"""Batch mode of torch_bptt.py: one case per line on stdin, one result per line on stdout.

Lets the test suite compare many fresh random cases against PyTorch while paying torch's import once.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bptt import bptt  # noqa: E402

for line in sys.stdin:
    if line.strip():
        print(json.dumps(bptt(json.loads(line))), flush=True)
