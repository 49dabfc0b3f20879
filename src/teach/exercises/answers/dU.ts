// Exercise dU: ∇U L = Σ_t diag(1 − h(t)²) ∇h(t) L x(t)^T (eqs 10.27–10.28).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { daOf, outer, type SumOpts, sumOver } from './param-grads';

interface Opts extends SumOpts {
  dt?: 'ok' | 'none' | 'twice';
  xPrev?: boolean;
}

function model(o: Opts) {
  return (x: number[][], h: number[][], dh: number[][]): number[][] => {
    const H = h[0].length;
    const D = x[0].length;
    return sumOver(
      h.length,
      H,
      D,
      (t) => outer(daOf(h[t], dh[t], o.dt), o.xPrev ? (t === 0 ? x[0].map(() => 0) : x[t - 1]) : x[t]),
      o,
    );
  };
}

export const gradU: Exercise = {
  ...specs.gradU,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'transposed',
      title: 'the transpose of ∇U L (D×n_h instead of n_h×D): x(t) (H(t) ∇h(t) L)^T',
      hint: "eq 10.28: ∇U L has U's shape n_h×D; entry [i][j] is Σ_t (H(t) ∇h(t) L)[i] · x(t)[j].",
      opts: { transpose: true },
    },
    {
      id: 'x-off-by-one',
      title: 'off by one in time: x(t−1) used with ∇h(t) L',
      hint: 'eq 10.28: a(t) = b + W h(t−1) + U x(t) — U meets x(t) of the same step t.',
      opts: { xPrev: true },
    },
    {
      id: 'last-step-only',
      title: 'no sum over time: only the last step t = τ',
      hint: 'eq 10.28 sums over t: U is shared by every step (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: only the first step t = 1',
      hint: 'eq 10.28 sums over t = 1..τ: accumulate with += over every step.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L is a sum over t, and so is eq 10.28: do not divide by τ.',
      opts: { mean: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: (1 − h(t)²)²",
      hint: 'H(t) = diag(1 − h(t)²) appears once in eq 10.28.',
      opts: { dt: 'twice' },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t) = diag(1 − h(t)²) is missing",
      hint: 'eq 10.28: U acts on a(t), and ∇a(t) L = H(t) ∇h(t) L; multiply ∇h(t) L by 1 − h(t)² first.',
      opts: { dt: 'none' },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: −∇U L',
      hint: 'eq 10.28 has no minus sign; the minus belongs to the update step.',
      opts: { sign: -1 },
    },
  ],
};
