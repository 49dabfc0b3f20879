// Exercise dV: ∇V L = Σ_t ∇o(t) L h(t)^T (eq 10.24).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { dtanh, mul } from './linalg';
import { outer, type SumOpts, sumOver } from './param-grads';

interface Opts extends SumOpts {
  hPrev?: boolean;
  dt?: boolean;
}

function model(o: Opts) {
  return (h: number[][], dO: number[][]): number[][] => {
    const H = h[0].length;
    const K = dO[0].length;
    return sumOver(
      h.length,
      K,
      H,
      (t) => {
        const ht = o.hPrev ? (t === 0 ? h[0].map(() => 0) : h[t - 1]) : h[t];
        return outer(dO[t], o.dt ? mul(dtanh(h[t]), ht) : ht);
      },
      o,
    );
  };
}

export const gradV: Exercise = {
  ...specs.gradV,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'transposed',
      title: 'the transpose of ∇V L: h(t) ∇o(t) L^T (n_h×K instead of K×n_h)',
      hint: "eq 10.24: ∇V L has V's shape K×n_h; entry [k][j] is Σ_t ∇o(t)[k] · h(t)[j].",
      opts: { transpose: true },
    },
    {
      id: 'h-off-by-one',
      title: 'off by one in time: h(t−1) used with ∇o(t) L',
      hint: 'eq 10.24: o(t) = c + V h(t) — V meets h(t) of the same step.',
      opts: { hPrev: true },
    },
    {
      id: 'spurious-dtanh',
      title: "a tanh' factor where none belongs: ∇o(t) L (H(t) h(t))^T",
      hint: "eq 10.24: o(t) = c + V h(t) is linear in V; tanh' enters only for W, U, b (eqs 10.23–10.28).",
      opts: { dt: true },
    },
    {
      id: 'last-step-only',
      title: 'no sum over time: only the last step t = τ',
      hint: 'eq 10.24 sums over t: V is shared by every step (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: only the first step t = 1',
      hint: 'eq 10.24 sums over t = 1..τ.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L is a sum over t, and so is eq 10.24: do not divide by τ.',
      opts: { mean: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: −∇V L',
      hint: 'eq 10.24 has no minus sign; the minus belongs to the update step.',
      opts: { sign: -1 },
    },
  ],
};
