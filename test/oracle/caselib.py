"""Random case generation shared by random_case.py, crosscheck.py and make_fixtures.py.

Pure Python (random.Random), so a seed gives the same case everywhere.
"""
import math


def _r(x):
    # 6 decimals keeps files small and readable; a JSON reader gets exactly the same double.
    v = round(x, 6)
    return 0.0 if v == 0 else v


def _mat(rng, rows, cols, std):
    return [[_r(rng.gauss(0.0, std)) for _ in range(cols)] for _ in range(rows)]


def _vec(rng, n, std):
    return [_r(rng.gauss(0.0, std)) for _ in range(n)]


def make_case(rng, loss, H, D, K, T, tokens=False, h0=False, truncate=None,
              nulls=None, null_prob=0.0, std=0.7, w_std=None, x_std=1.0):
    """One case dict following the JSON contract.

    nulls: explicit list of null step indices (0-based), or None to draw each step
    null with probability null_prob. w_std defaults to std/sqrt(H) scaled up a bit
    so the recurrence is neither dead nor exploding.
    """
    if w_std is None:
        w_std = std * 1.2 / math.sqrt(H)
    case = {
        "loss": loss,
        "params": {
            "U": _mat(rng, H, D, std),
            "W": _mat(rng, H, H, w_std),
            "V": _mat(rng, K, H, std),
            "b": _vec(rng, H, 0.3),
            "c": _vec(rng, K, 0.3),
        },
    }
    if h0:
        case["h0"] = [_r(rng.uniform(-0.9, 0.9)) for _ in range(H)]
    if tokens:
        case["tokens"] = [rng.randrange(D) for _ in range(T)]
    else:
        case["x"] = _mat(rng, T, D, x_std)
    if loss == "softmax-ce":
        y = [rng.randrange(K) for _ in range(T)]
    else:
        y = _mat(rng, T, K, 1.0)
    if nulls is None:
        nulls = [t for t in range(T) if rng.random() < null_prob]
    for t in nulls:
        y[t] = None
    case["y"] = y
    if truncate is not None:
        case["truncate"] = truncate
    return case


def fuzz_case(rng, loss=None):
    """A random valid case: shapes 1..6, T 1..12, optional h0, tokens, truncate, nulls."""
    loss = loss or rng.choice(["softmax-ce", "squared"])
    H, D, K = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 6)
    T = rng.randint(1, 12)
    truncate = rng.randint(1, T + 2) if rng.random() < 0.5 else None
    return make_case(rng, loss, H, D, K, T,
                     tokens=rng.random() < 0.5,
                     h0=rng.random() < 0.5,
                     truncate=truncate,
                     null_prob=rng.choice([0.0, 0.0, 0.2, 0.5]),
                     std=rng.uniform(0.5, 1.0))
