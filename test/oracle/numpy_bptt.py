#!/usr/bin/env python3
"""Oracle 2: BPTT for a vanilla RNN written out by hand, the min-char-rnn way (numpy float64).

Forward loop, then a backward loop carrying dhnext = dL/dh(t) arriving from step t+1.
Same contract and output as torch_bptt.py; independent of it (no autograd).

Usage: /usr/bin/python3 test/oracle/numpy_bptt.py CASE.json   (or the case on stdin)
"""
import json
import sys

import numpy as np


def bptt(case):
    P = {n: np.array(case["params"][n], dtype=np.float64) for n in "UWVbc"}
    U, W, V, b, c = P["U"], P["W"], P["V"], P["b"], P["c"]
    H, D = U.shape
    K = V.shape[0]
    h0 = np.array(case.get("h0", [0.0] * H), dtype=np.float64)
    if "tokens" in case:
        xs = [np.eye(D)[i] for i in case["tokens"]]
    else:
        xs = [np.array(r, dtype=np.float64) for r in case["x"]]
    T = len(xs)
    k = case.get("truncate") or T
    ys = case["y"]

    # forward
    hs, os, dos = {-1: h0}, {}, {}
    loss = 0.0
    for t in range(T):
        hs[t] = np.tanh(b + W @ hs[t - 1] + U @ xs[t])
        os[t] = c + V @ hs[t]
        if ys[t] is None:
            dos[t] = np.zeros(K)                      # no loss at this step
        elif case["loss"] == "softmax-ce":
            m = np.max(os[t])
            e = np.exp(os[t] - m)
            loss += (m + np.log(e.sum())) - os[t][ys[t]]   # logsumexp(o) - o[y]
            dos[t] = e / e.sum()
            dos[t][ys[t]] -= 1.0                       # softmax(o) - onehot(y)
        else:
            diff = os[t] - np.array(ys[t], dtype=np.float64)
            loss += 0.5 * diff @ diff
            dos[t] = diff

    # backward
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc, dh0 = np.zeros_like(b), np.zeros_like(c), np.zeros(H)
    dhnext = np.zeros(H)
    for t in reversed(range(T)):
        dV += np.outer(dos[t], hs[t])
        dc += dos[t]
        dh = V.T @ dos[t] + dhnext
        da = (1.0 - hs[t] * hs[t]) * dh               # tanh'
        db += da
        dW += np.outer(da, hs[t - 1])
        dU += np.outer(da, xs[t])
        dhprev = W.T @ da
        if t == 0:
            dh0 = dhprev
        elif t % k == 0:
            dhnext = np.zeros(H)                       # chunk start: h(t-1) was detached
        else:
            dhnext = dhprev

    return {
        "loss": float(loss),
        "h": [hs[t].tolist() for t in range(T)],
        "o": [os[t].tolist() for t in range(T)],
        "grads": {"U": dU.tolist(), "W": dW.tolist(), "V": dV.tolist(),
                  "b": db.tolist(), "c": dc.tolist(), "h0": dh0.tolist()},
    }


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    case = json.loads(text)
    case = case.get("case", case)
    print(json.dumps(bptt(case), sort_keys=True))


if __name__ == "__main__":
    main()
