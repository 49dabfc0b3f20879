#!/usr/bin/env python3
"""Write the hand-checkable cases test/fixtures/hand/*.json and their step-by-step README.md.

Every number is computed with Python's decimal module at 50 significant digits (no numpy,
no torch), by the explicit formulas the README prints, then rounded once to the nearest
double for the JSON. All inputs are exact binary fractions (0.5, -0.25, ...), so the JSON
case means exactly the numbers written here.

Usage: /usr/bin/python3 test/oracle/hand_cases.py
"""
import json
import os
from decimal import Decimal, getcontext

getcontext().prec = 50
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "hand")
ZERO, ONE = Decimal(0), Decimal(1)


# ---- exact-ish arithmetic on lists of Decimal ------------------------------------------

def D(v):
    return Decimal(repr(float(v)))


def tanh(x):
    e = (2 * x).exp()
    return (e - 1) / (e + 1)


def matvec(M, v):
    return [sum((m * x for m, x in zip(row, v)), ZERO) for row in M]


def transpose(M):
    return [list(col) for col in zip(*M)]


def add(*vs):
    return [sum(xs, ZERO) for xs in zip(*vs)]


def outer(u, v):
    return [[a * b for b in v] for a in u]


def madd(*Ms):
    return [add(*rows) for rows in zip(*Ms)]


def f(x, digits=10):
    """Short display of a Decimal: up to `digits` significant digits."""
    if x == 0:
        return "0"
    s = format(x, f".{digits}g")
    if "e" in s or "E" in s:
        return s
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fv(v):
    return "[" + ", ".join(f(x) for x in v) + "]"


def fm(M):
    return "[" + ", ".join(fv(r) for r in M) + "]"


def fmv(M, v):
    """Show a matrix-vector product component by component."""
    def row_terms(row):
        out = ""
        for i, (m, x) in enumerate(zip(row, v)):
            xs = "(" + f(x) + ")" if x < 0 else f(x)
            if i == 0:
                out = f"{f(m)}·{xs}"
            else:
                out += f" {'−' if m < 0 else '+'} {f(abs(m))}·{xs}"
        return out
    return "[" + ", ".join(row_terms(row) for row in M) + "]"


def to_float(x):
    if isinstance(x, list):
        return [to_float(e) for e in x]
    return float(x) + 0.0


# ---- one case, with its written-out arithmetic -----------------------------------------

def solve(case):
    p = {n: case["params"][n] for n in "UWVbc"}
    U = [[D(v) for v in r] for r in p["U"]]
    W = [[D(v) for v in r] for r in p["W"]]
    V = [[D(v) for v in r] for r in p["V"]]
    b = [D(v) for v in p["b"]]
    c = [D(v) for v in p["c"]]
    H, Dn, K = len(W), len(U[0]), len(V)
    h0 = [D(v) for v in case.get("h0", [0] * H)]
    if "tokens" in case:
        xs = [[ONE if j == i else ZERO for j in range(Dn)] for i in case["tokens"]]
    else:
        xs = [[D(v) for v in r] for r in case["x"]]
    T = len(xs)
    k = case.get("truncate") or T
    ys = case["y"]
    lines = []
    w = lines.append

    w("Forward pass")
    w("")
    hs, os_, dos, L = {0: h0}, {}, {}, ZERO
    for t in range(1, T + 1):
        x = xs[t - 1]
        src = f"tokens[{t - 1}] = {case['tokens'][t - 1]}, so x({t}) = {fv(x)}" if "tokens" in case else f"x({t}) = {fv(x)}"
        w(f"    {src}")
        Wh, Ux = matvec(W, hs[t - 1]), matvec(U, x)
        a = add(b, Wh, Ux)
        w(f"    W h({t - 1}) = {fmv(W, hs[t - 1])} = {fv(Wh)}")
        w(f"    U x({t}) = {fmv(U, x)} = {fv(Ux)}")
        w(f"    a({t}) = b + W h({t - 1}) + U x({t}) = {fv(b)} + {fv(Wh)} + {fv(Ux)} = {fv(a)}")
        hs[t] = [tanh(v) for v in a]
        w(f"    h({t}) = tanh(a({t})) = {fv(hs[t])}")
        Vh = matvec(V, hs[t])
        os_[t] = add(c, Vh)
        w(f"    V h({t}) = {fmv(V, hs[t])} = {fv(Vh)}")
        w(f"    o({t}) = c + V h({t}) = {fv(c)} + {fv(Vh)} = {fv(os_[t])}")
        y = ys[t - 1]
        if y is None:
            dos[t] = [ZERO] * K
            w(f"    y({t}) = null: no loss at step {t}, dL/do({t}) = 0")
        elif case["loss"] == "softmax-ce":
            e = [v.exp() for v in os_[t]]
            s = sum(e, ZERO)
            pr = [v / s for v in e]
            Lt = -pr[y].ln()
            L += Lt
            dos[t] = [pv - (ONE if j == y else ZERO) for j, pv in enumerate(pr)]
            w(f"    exp(o({t})) = {fv(e)}, sum = {f(s)}")
            w(f"    p({t}) = softmax(o({t})) = {fv(pr)}")
            w(f"    y({t}) = {y}: L({t}) = -log p({t})[{y}] = -log({f(pr[y])}) = {f(Lt)}")
            w(f"    dL/do({t}) = p({t}) - onehot({y}) = {fv(dos[t])}")
        else:
            yv = [D(v) for v in y]
            diff = [o - q for o, q in zip(os_[t], yv)]
            Lt = sum((d_ * d_ for d_ in diff), ZERO) / 2
            L += Lt
            dos[t] = diff
            w(f"    y({t}) = {fv(yv)}: o({t}) - y({t}) = {fv(diff)}")
            w(f"    L({t}) = ½‖o({t}) - y({t})‖² = ½({' + '.join(f(d_) + '²' for d_ in diff)}) = {f(Lt)}")
            w(f"    dL/do({t}) = o({t}) - y({t}) = {fv(dos[t])}")
        w("")
    w(f"    L = {' + '.join(f'L({t})' for t in range(1, T + 1) if ys[t - 1] is not None) or '0'} = {f(L)}")
    w("")

    w("Backward pass (dh_next = dL/dh(t) arriving from step t+1; 0 at t = T)")
    w("")
    das, dhnext = {}, [ZERO] * H
    Vt, Wt = transpose(V), transpose(W)
    for t in range(T, 0, -1):
        VtD = matvec(Vt, dos[t])
        dh = add(VtD, dhnext)
        w(f"    dL/dh({t}) = Vᵀ dL/do({t}) + dh_next = {fmv(Vt, dos[t])} + {fv(dhnext)} = {fv(dh)}")
        das[t] = [(ONE - hv * hv) * g for hv, g in zip(hs[t], dh)]
        w(f"    dL/da({t}) = (1 - h({t})²) ⊙ dL/dh({t}) = {fv([ONE - hv * hv for hv in hs[t]])} ⊙ {fv(dh)} = {fv(das[t])}")
        dprev = matvec(Wt, das[t])
        if t == 1:
            w(f"    grads.h0 = dL/dh(0) = Wᵀ dL/da(1) = {fmv(Wt, das[t])} = {fv(dprev)}")
        elif (t - 1) % k == 0:
            dhnext = [ZERO] * H
            w(f"    step {t} starts a truncation chunk (k = {k}): h({t - 1}) is treated as a constant, dh_next = 0")
        else:
            dhnext = dprev
            w(f"    dh_next = Wᵀ dL/da({t}) = {fmv(Wt, das[t])} = {fv(dprev)}")
        w("")
    ts = range(1, T + 1)
    g = {
        "c": add(*[dos[t] for t in ts]),
        "b": add(*[das[t] for t in ts]),
        "V": madd(*[outer(dos[t], hs[t]) for t in ts]),
        "W": madd(*[outer(das[t], hs[t - 1]) for t in ts]),
        "U": madd(*[outer(das[t], xs[t - 1]) for t in ts]),
        "h0": matvec(Wt, das[1]),
    }
    w("Parameter gradients (sums over steps)")
    w("")
    w(f"    grads.c = Σ_t dL/do(t) = {' + '.join(fv(dos[t]) for t in ts)} = {fv(g['c'])}")
    w(f"    grads.b = Σ_t dL/da(t) = {' + '.join(fv(das[t]) for t in ts)} = {fv(g['b'])}")
    w(f"    grads.V = Σ_t dL/do(t) h(t)ᵀ = {fm(g['V'])}")
    w(f"    grads.W = Σ_t dL/da(t) h(t-1)ᵀ = {' + '.join(fm(outer(das[t], hs[t - 1])) for t in ts)} = {fm(g['W'])}")
    w(f"    grads.U = Σ_t dL/da(t) x(t)ᵀ = {fm(g['U'])}")
    w(f"    grads.h0 = {fv(g['h0'])}")

    expected = {
        "loss": to_float(L),
        "h": [to_float(hs[t]) for t in ts],
        "o": [to_float(os_[t]) for t in ts],
        "grads": {n: to_float(v) for n, v in g.items()},
    }
    return expected, lines


# ---- the cases -------------------------------------------------------------------------

P2 = {"U": [[0.5, -0.25], [0.25, 0.5]],
      "W": [[0.5, -0.5], [0.25, 0.5]],
      "V": [[1.0, -1.0], [0.5, 0.5]],
      "b": [0.0, 0.5],
      "c": [0.25, 0.0]}

CASES = [
    ("01-scalar-squared", "A scalar RNN (H = D = K = 1), two steps, squared loss, h(0) = 0.",
     {"loss": "squared",
      "params": {"U": [[1.0]], "W": [[0.5]], "V": [[2.0]], "b": [0.0], "c": [-0.5]},
      "x": [[0.5], [-1.0]],
      "y": [[0.5], [-1.0]]}),
    ("02-H2-squared", "H = D = K = 2, T = 2, squared loss, real inputs, h(0) absent (zeros). "
     "W is not symmetric, so a transposed Wᵀ shows.",
     {"loss": "squared", "params": P2,
      "x": [[1.0, 0.0], [0.0, 1.0]],
      "y": [[0.0, 0.5], [0.5, -0.5]]}),
    ("03-H2-softmax-tokens-h0", "The parameters of 02 with softmax cross-entropy, one-hot token inputs "
     "and a given h(0), so grads.W gets a term from step 1 too.",
     {"loss": "softmax-ce", "params": P2,
      "h0": [0.5, -0.5],
      "tokens": [0, 1],
      "y": [1, 0]}),
    ("04-H2-squared-truncate1", "Case 02 with truncate = 1: every step is its own chunk, so no gradient flows from step 2 "
     "back into h(1) (dh_next is 0 when going back to step 1). h, o, loss, grads.c, grads.V and dL/da(2) equal those of 02; "
     "dL/da(1), and so grads.b, the first column of grads.U and grads.h0, lose the Wᵀ dL/da(2) term. "
     "grads.W equals 02's here only because h(0) = 0 makes step 1's term dL/da(1) h(0)ᵀ vanish.",
     {"loss": "squared", "params": P2,
      "x": [[1.0, 0.0], [0.0, 1.0]],
      "y": [[0.0, 0.5], [0.5, -0.5]],
      "truncate": 1}),
    ("05-H2-softmax-null-first", "Case 03 with y(1) = null: only step 2 has a loss; the gradient still "
     "reaches h(1), h(0) and step 1's parameters through W.",
     {"loss": "softmax-ce", "params": P2,
      "h0": [0.5, -0.5],
      "tokens": [0, 1],
      "y": [None, 0]}),
]

INTRO = """# Hand-checkable cases

Tiny cases whose every number can be followed with a calculator, the way CS231n ships
`expected_h` next to its RNN exercises. Model (Goodfellow et al., *Deep Learning* §10.2.2):

    a(t) = b + W h(t-1) + U x(t)      h(t) = tanh(a(t))      o(t) = c + V h(t)
    L = Σ_t L(t),  L(t) = ½‖o(t) − y(t)‖²  (squared)  or  −log softmax(o(t))[y(t)]  (softmax-ce)

Each `NN-*.json` file is `{"case": ..., "expected": ..., "generator": ...}` in the same layout as
`../torch/`; `expected` holds loss, h, o and all gradients. The numbers were computed by
`test/oracle/hand_cases.py` with Python's `decimal` module at 50 significant digits (no numpy,
no torch), following exactly the lines printed below, and rounded once to the nearest double.
Below they are shown to 10 significant digits. All inputs are exact binary fractions, so the
JSON means exactly these numbers. `crosscheck.py` also compares these files against both
float64 oracles (agreement within 1e-12 relative).

Regenerate: `/usr/bin/python3 test/oracle/hand_cases.py` (rewrites the JSON files and this README).

Useful values: tanh(0.5) = 0.4621171573, tanh(0.75) = 0.6351489524, tanh(1) = 0.7615941560,
1 − tanh(0.5)² = 0.7864477330.

The backward pass is the min-char-rnn one: go from t = T down to 1, with
dL/dh(t) = Vᵀ dL/do(t) + Wᵀ dL/da(t+1) (the second term is "dh_next"),
dL/da(t) = (1 − h(t)²) ⊙ dL/dh(t), and each parameter gradient a sum over steps.
With truncation k, dh_next is reset to 0 at the start of each chunk (h is detached there).
"""


def pretty(v, ind=""):
    """JSON with sorted keys; any list that fits on one line stays on one line."""
    one = json.dumps(v, sort_keys=True)
    if len(one) + len(ind) <= 100 or not isinstance(v, (dict, list)):
        return one
    inner = ind + "  "
    if isinstance(v, dict):
        body = ",\n".join(f"{inner}{json.dumps(k)}: {pretty(v[k], inner)}" for k in sorted(v))
        return "{\n" + body + "\n" + ind + "}"
    return "[\n" + ",\n".join(inner + pretty(e, inner) for e in v) + "\n" + ind + "]"


def main():
    os.makedirs(OUT, exist_ok=True)
    md = [INTRO]
    for name, blurb, case in CASES:
        expected, lines = solve(case)
        doc = {"case": case, "expected": expected, "generator": "decimal 50 digits, by hand formulas (test/oracle/hand_cases.py)"}
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            fh.write(pretty(doc) + "\n")
        md.append(f"## {name}\n\n{blurb}\n")
        md.append("Case:\n\n```json\n" + json.dumps(case, indent=None) + "\n```\n")
        md.append("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "README.md"), "w") as fh:
        fh.write("\n".join(md))


if __name__ == "__main__":
    main()
