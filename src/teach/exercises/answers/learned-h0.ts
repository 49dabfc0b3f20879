// Exercise learned-h0: a learned initial state h(0) = tanh(b0) (notebook 23; the formula is not printed there).
// b0 reaches the loss only through h(0), and h(0) only through a(1) = b + W h(0) + U x(1), so
//   ∇b0 L = diag(1 − h(0)²) ∇h(0) L = (1 − tanh(b0)²) ⊙ W^T H(1) ∇h(1) L.

import * as specs from '../derivations';
import type { Exercise } from './exercise';
import { dtanh, mtv, mul, mv, scale } from './linalg';

interface Opts {
  wNoT?: boolean;
  outer?: 'ok' | 'none' | 'b0' | 'h1';
  inner?: boolean;
  noW?: boolean;
  sign?: number;
}

function model(o: Opts) {
  return (b0: number[], h1: number[], dh1: number[], W: number[][]): number[] => {
    const h0 = b0.map(Math.tanh);
    const da1 = o.inner === false ? dh1.slice() : mul(dtanh(h1), dh1); // ∇a(1) L = H(1) ∇h(1) L
    const dh0 = o.noW ? da1 : o.wNoT ? mv(W, da1) : mtv(W, da1); // ∇h(0) L = W^T ∇a(1) L
    const outer = o.outer ?? 'ok';
    const f =
      outer === 'none'
        ? h0.map(() => 1)
        : outer === 'b0'
          ? b0.map((v) => 1 - v * v)
          : outer === 'h1'
            ? dtanh(h1)
            : dtanh(h0);
    return scale(mul(f, dh0), o.sign ?? 1);
  };
}

export const learnedH0: Exercise = {
  ...specs.learnedH0,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'W-not-transposed',
      title: 'W H(1) ∇h(1) L instead of W^T H(1) ∇h(1) L for ∇h(0) L',
      hint: 'a(1) = b + W h(0) + U x(1): h(0)[j] enters every a(1)[i] through W[i][j], so ∇h(0) L = W^T ∇a(1) L.',
      opts: { wNoT: true },
    },
    {
      id: 'missing-dtanh-b0',
      title: "the tanh' of h(0) = tanh(b0) is missing: the result is ∇h(0) L, not ∇b0 L",
      hint: 'b0 passes through one more tanh than h(0): multiply ∇h(0) L by 1 − h(0)² = 1 − tanh(b0)².',
      opts: { outer: 'none' },
    },
    {
      id: 'missing-dtanh-h1',
      title: "the tanh' of step 1, H(1) = diag(1 − h(1)²), is missing",
      hint: 'h(0) reaches the loss through a(1), then h(1) = tanh(a(1)): ∇a(1) L = (1 − h(1)²) ⊙ ∇h(1) L comes before W^T.',
      opts: { inner: false },
    },
    {
      id: 'dtanh-of-b0',
      title: "tanh' written as 1 − b0² instead of 1 − tanh(b0)²",
      hint: "tanh'(b0) = 1 − tanh(b0)² = 1 − h(0)²: square the tanh, not its argument.",
      opts: { outer: 'b0' },
    },
    {
      id: 'dtanh-wrong-step',
      title: 'the outer factor is 1 − h(1)² where 1 − h(0)² belongs',
      hint: 'the last factor belongs to h(0) = tanh(b0), the step b0 feeds: 1 − h(0)².',
      opts: { outer: 'h1' },
    },
    {
      id: 'skips-W',
      title: 'W is skipped: h(0) treated as if it fed a(1) directly with weight 1',
      hint: 'a(1) = b + W h(0) + U x(1): the gradient reaches h(0) as W^T ∇a(1) L.',
      opts: { noW: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: the negative of ∇b0 L',
      hint: 'the chain rule has no minus sign; the minus belongs to the update b0 ← b0 − ε ∇b0 L.',
      opts: { sign: -1 },
    },
  ],
};
