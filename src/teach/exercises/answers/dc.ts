// Exercise dc: ∇c L = Σ_t ∇o(t) L (eq 10.22).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { type SumOpts, sumOver } from './param-grads';

function model(o: SumOpts) {
  return (dO: number[][]): number[] => sumOver(dO.length, 1, dO[0].length, (t) => [dO[t].slice()], o)[0];
}

export const gradC: Exercise = {
  ...specs.gradC,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'last-step-only',
      title: 'no sum over time: only the last step t = τ',
      hint: 'eq 10.22 sums over t: c is shared by every step (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: only the first step t = 1',
      hint: 'eq 10.22 sums over t = 1..τ.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L is a sum over t, and so is eq 10.22: do not divide by τ.',
      opts: { mean: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: −∇c L',
      hint: 'eq 10.22 has no minus sign; the minus belongs to the update step.',
      opts: { sign: -1 },
    },
  ],
};
