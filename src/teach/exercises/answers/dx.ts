// Exercise dx: the gradient with respect to the inputs (notebook 23; the formula is not printed there).
// x(t) enters the loss only through a(t) = b + W h(t−1) + U x(t) (eq 10.8), so
//   ∇x(t) L = U^T ∇a(t) L = U^T H(t) ∇h(t) L,   with ∇h(t) L from the recursion of eqs 10.19–10.21.

import * as specs from '../derivations';
import { dhLoop, type LoopOpts } from './backward-loop';
import type { Exercise } from './exercise';
import { dtanh, mtv, mul, mv, scale } from './linalg';

interface Opts {
  loop?: LoopOpts;
  uNoT?: boolean;
  d?: 'ok' | 'none' | 'twice';
  sign?: number;
}

function model(o: Opts) {
  return (h: number[][], dO: number[][], W: number[][], V: number[][], U: number[][]): number[][] | undefined => {
    if (o.uNoT && U.length !== U[0].length) return undefined; // U h-sized only when D = n_h
    const dh = dhLoop(o.loop ?? {})(h, dO, W, V);
    if (!dh) return undefined;
    return dh.map((g, t) => {
      const d = dtanh(h[t]);
      const da = o.d === 'none' ? g : o.d === 'twice' ? mul(mul(d, d), g) : mul(d, g);
      return scale(o.uNoT ? mv(U, da) : mtv(U, da), o.sign ?? 1);
    });
  };
}

export const gradX: Exercise = {
  ...specs.gradX,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'U-not-transposed',
      title: 'U H(t) ∇h(t) L instead of U^T H(t) ∇h(t) L',
      hint:
        'a(t) = b + W h(t−1) + U x(t): entry i of a(t) uses U[i][k] x(t)[k], so x(t)[k] receives Σ_i U[i][k] ' +
        '∇a(t)[i], which is U^T ∇a(t) L (a vector of length D).',
      opts: { uNoT: true },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor is missing: U^T ∇h(t) L instead of U^T H(t) ∇h(t) L",
      hint:
        'x(t) reaches h(t) through a(t) and h(t) = tanh(a(t)): ∇a(t) L = H(t) ∇h(t) L = (1 − h(t)²) ⊙ ∇h(t) L ' +
        'comes first.',
      opts: { d: 'none' },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: U^T (1 − h(t)²)² ⊙ ∇h(t) L",
      hint: 'H(t) = diag(1 − h(t)²) appears once between h(t) and a(t).',
      opts: { d: 'twice' },
    },
    {
      id: 'only-output-path',
      title: '∇h(t) L taken as V^T ∇o(t) L only: the path through h(t+1) (the later losses) is missing',
      hint:
        'x(t) changes h(t), and h(t) changes every later h and L: use the whole ∇h(t) L of eq 10.21, W^T H(t+1) ' +
        '∇h(t+1) L + V^T ∇o(t) L.',
      opts: { loop: { noCarry: true } },
    },
    {
      id: 'W-not-transposed',
      title: 'in the ∇h recursion, W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint: 'eq 10.21: a(t+1) = b + W h(t) + ..., so the gradient flows back to h(t) through W^T.',
      opts: { loop: { wNoT: true } },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: the negative of ∇x(t) L',
      hint: 'the chain rule has no minus sign; the minus belongs to a descent step, not to the gradient.',
      opts: { sign: -1 },
    },
  ],
};
