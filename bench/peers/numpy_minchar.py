#!/usr/bin/env python3
"""numpy float64 peer, written the min-char-rnn way (Karpathy's lossFun: dicts xs, hs, ys, ps,
per-step np.dot on column vectors, token inputs as one-hot columns).  Differences from
min-char-rnn: no gradient clipping, hprev is the case's h0 and dh0 (the final dhnext) is
returned.  Like min-char-rnn the softmax does not subtract max(o) (the benchmark cases'
logits are O(1)).  A batch case (S4) runs lossFun_batch: the same code with (n, B) matrices,
so every np.dot is a matrix-matrix product (BLAS gemm).

    python3 bench/peers/numpy_minchar.py --grad case.json
    python3 bench/peers/numpy_minchar.py --time --size S1 [--case case.json]
"""
import sys

import numpy as np

import peer_common as pc


def lossFun(inputs, targets, hprev, Wxh, Whh, Why, bh, by, real):
    """inputs: token ids (T,) or real rows (T, D); targets (T,); hprev (H, 1)."""
    vocab_size = Wxh.shape[1]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    # forward pass
    for t in range(len(inputs)):
        if real:
            xs[t] = inputs[t].reshape(vocab_size, 1)
        else:
            xs[t] = np.zeros((vocab_size, 1))  # encode in 1-of-k representation
            xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    # backward pass
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1  # backprop into y
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext  # backprop into h
        dhraw = (1 - hs[t] * hs[t]) * dh  # backprop through tanh nonlinearity
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    return loss, dWxh, dWhh, dWhy, dbh, dby, dhnext


def lossFun_batch(inputs, targets, hprev, Wxh, Whh, Why, bh, by, real):
    """inputs: token ids (B, T) or real (B, T, D); targets (B, T); hprev (H, B)."""
    vocab_size = Wxh.shape[1]
    B, T = targets.shape
    cols = np.arange(B)
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(T):
        if real:
            xs[t] = inputs[:, t, :].T
        else:
            xs[t] = np.zeros((vocab_size, B))  # one one-hot column per sequence
            xs[t][inputs[:, t], cols] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        e = np.exp(ys[t])
        ps[t] = e / np.sum(e, axis=0, keepdims=True)
        loss += -np.sum(np.log(ps[t][targets[:, t], cols]))
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(T)):
        dy = np.copy(ps[t])
        dy[targets[:, t], cols] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += np.sum(dy, axis=1, keepdims=True)
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += np.sum(dhraw, axis=1, keepdims=True)
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    return loss, dWxh, dWhh, dWhy, dbh, dby, dhnext


def runner(c):
    """Returns a no-argument closure computing (loss, grads) for case c."""
    inputs = c["x"] if c["real"] else c["tokens"]
    bh, by = c["b"].reshape(-1, 1), c["c"].reshape(-1, 1)
    if c["batched"]:
        return lambda: lossFun_batch(inputs, c["y"], c["h0"].T, c["U"], c["W"], c["V"], bh, by, c["real"])
    return lambda: lossFun(inputs, c["y"], c["h0"].reshape(-1, 1), c["U"], c["W"], c["V"], bh, by, c["real"])


def main():
    a = pc.parse_args("numpy")
    if a.grad:
        c = pc.load_case(a.grad)
        loss, dU, dW, dV, db, dc, dh0 = runner(c)()
        h0 = dh0.T if c["batched"] else dh0.ravel()
        print(pc.grad_json(loss, {"U": dU, "W": dW, "V": dV, "b": db.ravel(), "c": dc.ravel(), "h0": h0}))
        return
    c = pc.load_case(a.case, a.size, a.seed)
    fn = runner(c)
    loss, ts = pc.time_it(lambda: fn()[0], a.seconds)
    print(pc.record(a.size, "numpy", loss, ts, c["B"] if c["batched"] else None, dtype="float64",
                    numpy=np.__version__, **pc.openblas_info()))


if __name__ == "__main__":
    sys.exit(main())
