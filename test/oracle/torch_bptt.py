#!/usr/bin/env python3
"""Oracle 1: BPTT for a vanilla RNN by torch float64 autograd.

    a(t) = b + W h(t-1) + U x(t);  h(t) = tanh(a(t));  o(t) = c + V h(t);  L = sum_t L(t)

Usage: /usr/bin/python3 test/oracle/torch_bptt.py CASE.json   (or the case on stdin)
Prints {"loss", "h", "o", "grads": {"U","W","V","b","c","h0"}} as JSON.
Truncation k: h is detached at the start of every chunk of k steps except the first.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def bptt(case):
    f64 = torch.float64
    U, W, V, b, c = (torch.tensor(case["params"][n], dtype=f64, requires_grad=True) for n in "UWVbc")
    H, D = U.shape
    h0 = torch.tensor(case.get("h0", [0.0] * H), dtype=f64, requires_grad=True)
    if "tokens" in case:
        X = torch.eye(D, dtype=f64)[case["tokens"]]          # one-hot rows
    else:
        X = torch.tensor(case["x"], dtype=f64)
    T = X.shape[0]
    k = case.get("truncate") or T

    h, loss, hs, os = h0, torch.zeros((), dtype=f64), [], []
    for t in range(T):                                       # t = 0..T-1 is step t+1
        if t > 0 and t % k == 0:
            h = h.detach()                                   # chunk boundary: no gradient across
        h = torch.tanh(b + W @ h + U @ X[t])
        o = c + V @ h
        hs.append(h)
        os.append(o)
        y = case["y"][t]
        if y is None:
            continue
        if case["loss"] == "softmax-ce":
            loss = loss + F.cross_entropy(o[None, :], torch.tensor([y]), reduction="sum")
        else:
            loss = loss + 0.5 * ((o - torch.tensor(y, dtype=f64)) ** 2).sum()

    if loss.requires_grad:                                   # false only when every y is null
        loss.backward()
    grads = {}
    for name, p in zip(["U", "W", "V", "b", "c", "h0"], [U, W, V, b, c, h0]):
        grads[name] = (p.grad if p.grad is not None else torch.zeros_like(p)).tolist()
    return {
        "loss": loss.item(),
        "h": torch.stack(hs).tolist(),
        "o": torch.stack(os).tolist(),
        "grads": grads,
    }


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    case = json.loads(text)
    case = case.get("case", case)                            # also accept a fixture file {case, expected}
    print(json.dumps(bptt(case), sort_keys=True))


if __name__ == "__main__":
    main()
