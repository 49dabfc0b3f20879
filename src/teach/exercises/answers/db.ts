// Exercise db: ∇b L = Σ_t diag(1 − h(t)²) ∇h(t) L (eq 10.23).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { daOf, type SumOpts, sumOver } from './param-grads';

interface Opts extends SumOpts {
  dt?: 'ok' | 'none' | 'twice';
}

function model(o: Opts) {
  return (h: number[][], dh: number[][]): number[] =>
    sumOver(h.length, 1, h[0].length, (t) => [daOf(h[t], dh[t], o.dt)], o)[0];
}

export const gradB: Exercise = {
  ...specs.gradB,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'last-step-only',
      title: 'no sum over time: only the last step t = τ',
      hint: 'eq 10.23 sums over t: b is shared by every step (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: only the first step t = 1',
      hint: 'eq 10.23 sums over t = 1..τ.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L is a sum over t, and so is eq 10.23: do not divide by τ.',
      opts: { mean: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: (1 − h(t)²)²",
      hint: 'H(t) = diag(1 − h(t)²) appears once in eq 10.23.',
      opts: { dt: 'twice' },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t) = diag(1 − h(t)²) is missing: Σ_t ∇h(t) L",
      hint: 'eq 10.23: b sits inside a(t), before the tanh; ∇a(t) L = H(t) ∇h(t) L.',
      opts: { dt: 'none' },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: −∇b L',
      hint: 'eq 10.23 has no minus sign; the minus belongs to the update step.',
      opts: { sign: -1 },
    },
  ],
};
