#!/usr/bin/env python3
"""Oracle for the LSTM (src/model/lstm.ts): PyTorch float64 torch.nn.LSTM with its weights mapped, autograd.

One case per line on stdin, one result per line on stdout:
  case   {"loss", "params": {"Wx" 4H×D, "Wh" 4H×H, "b" 4H, "V" K×H, "by" K}, "h0"?, "c0"?, "tokens" | "x", "y", "truncate"?}
  result {"loss", "h" T×H, "c" T×H, "o" T×K, "grads": {"Wx", "Wh", "b", "V", "by", "h0", "c0"}}
Mapping: weight_ih_l0 = Wx, weight_hh_l0 = Wh (both with the rows of the gates in PyTorch's order i, f, g, o — the
lab calls the output gate q), bias_ih_l0 = b, bias_hh_l0 = 0 (the lab has one bias; its gradient is bias_ih's).
Truncation k: the sequence is fed to nn.LSTM in chunks of k steps, the state (h, c) detached between them.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def run(case):
    f64 = torch.float64
    P = case["params"]
    Wx = torch.tensor(P["Wx"], dtype=f64)
    G4, D = Wx.shape
    H = G4 // 4
    lstm = torch.nn.LSTM(D, H, num_layers=1, bias=True, batch_first=False).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(Wx)
        lstm.weight_hh_l0.copy_(torch.tensor(P["Wh"], dtype=f64))
        lstm.bias_ih_l0.copy_(torch.tensor(P["b"], dtype=f64))
        lstm.bias_hh_l0.zero_()
    V = torch.tensor(P["V"], dtype=f64, requires_grad=True)
    by = torch.tensor(P["by"], dtype=f64, requires_grad=True)
    h0 = torch.tensor(case.get("h0", [0.0] * H), dtype=f64).reshape(1, 1, H).requires_grad_(True)
    c0 = torch.tensor(case.get("c0", [0.0] * H), dtype=f64).reshape(1, 1, H).requires_grad_(True)
    X = torch.eye(D, dtype=f64)[case["tokens"]] if "tokens" in case else torch.tensor(case["x"], dtype=f64)
    T = X.shape[0]
    k = case.get("truncate") or T
    hs, cs = [], []
    h, c = h0, c0
    for s in range(0, T, k):
        if s > 0:
            h, c = h.detach(), c.detach()                    # chunk boundary: no gradient across, through h or c
        for t in range(s, min(s + k, T)):                    # one step at a time, to read c(t) as well
            out, (h, c) = lstm(X[t].reshape(1, 1, D), (h, c))
            hs.append(out.reshape(H))
            cs.append(c.reshape(H))
    Hs = torch.stack(hs)
    O = Hs @ V.T + by
    loss = torch.zeros((), dtype=f64)
    for t in range(T):
        y = case["y"][t]
        if y is None:
            continue
        if case["loss"] == "softmax-ce":
            loss = loss + F.cross_entropy(O[t][None, :], torch.tensor([y]), reduction="sum")
        else:
            loss = loss + 0.5 * ((O[t] - torch.tensor(y, dtype=f64)) ** 2).sum()
    if loss.requires_grad:
        loss.backward()
    z = lambda p, shape: (p.grad if p.grad is not None else torch.zeros(shape, dtype=f64))
    grads = {
        "Wx": z(lstm.weight_ih_l0, (4 * H, D)).tolist(),
        "Wh": z(lstm.weight_hh_l0, (4 * H, H)).tolist(),
        "b": z(lstm.bias_ih_l0, (4 * H,)).tolist(),
        "V": z(V, (V.shape[0], H)).tolist(),
        "by": z(by, (by.shape[0],)).tolist(),
        "h0": z(h0, (1, 1, H)).reshape(H).tolist(),
        "c0": z(c0, (1, 1, H)).reshape(H).tolist(),
    }
    return {"loss": loss.item(), "h": Hs.tolist(), "c": torch.stack(cs).tolist(), "o": O.tolist(), "grads": grads}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(run(json.loads(line))), flush=True)
