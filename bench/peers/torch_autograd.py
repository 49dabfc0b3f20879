#!/usr/bin/env python3
"""PyTorch CPU float64 autograd peer: a Python loop over t builds the graph, then
loss.backward().  A single case keeps h as a vector (H,) so each step is a
matrix-vector product; a batch case (S4) keeps h as (B, H) so each step is a
matrix-matrix product.  Token inputs are one-hot rows (F.one_hot), built inside the
timed call.  Threads: torch's default (reported as "threads"; the BLAS pool as
"blasThreads").

    python3 bench/peers/torch_autograd.py --grad case.json
    python3 bench/peers/torch_autograd.py --time --size S1 [--case case.json]
"""
import sys

import torch
import torch.nn.functional as F

import peer_common as pc


def forward_backward(P, inputs, y, real):
    """P: leaf tensors U W V b c h0 (requires_grad).  inputs: x (T, D) / (T, B, D) float64
    or token ids (T,) / (T, B); y: (T,) / (T, B).  Returns the loss; grads land in .grad."""
    U, W, V, b, c, h = P["U"], P["W"], P["V"], P["b"], P["c"], P["h0"]
    X = inputs if real else F.one_hot(inputs, U.shape[1]).to(torch.float64)
    outs = []
    for t in range(X.shape[0]):
        h = torch.tanh(b + h @ W.T + X[t] @ U.T)  # a = b + W h(t-1) + U x(t)
        outs.append(c + h @ V.T)  # o = c + V h
    O = torch.stack(outs)
    loss = F.cross_entropy(O.reshape(-1, O.shape[-1]), y.reshape(-1), reduction="sum")
    loss.backward()
    return loss


def setup(c):
    P = {k: torch.tensor(c[k], dtype=torch.float64, requires_grad=True) for k in ("U", "W", "V", "b", "c", "h0")}
    if c["real"]:
        x = torch.tensor(c["x"], dtype=torch.float64)
        inputs = x.transpose(0, 1).contiguous() if c["batched"] else x  # time-major
    else:
        tok = torch.tensor(c["tokens"], dtype=torch.int64)
        inputs = tok.T.contiguous() if c["batched"] else tok
    y = torch.tensor(c["y"], dtype=torch.int64)
    y = y.T.contiguous() if c["batched"] else y

    def run():
        for p in P.values():
            p.grad = None
        return forward_backward(P, inputs, y, c["real"]).item()

    return P, run


def main():
    a = pc.parse_args("torch")
    if a.grad:
        c = pc.load_case(a.grad)
        P, run = setup(c)
        loss = run()
        print(pc.grad_json(loss, {k: P[k].grad.numpy() for k in P}))
        return
    c = pc.load_case(a.case, a.size, a.seed)
    P, run = setup(c)
    loss, ts = pc.time_it(run, a.seconds)
    print(pc.record(a.size, "torch", loss, ts, c["B"] if c["batched"] else None, dtype="float64",
                    torch=torch.__version__, threads=torch.get_num_threads(), **pc.openblas_info()))


if __name__ == "__main__":
    sys.exit(main())
