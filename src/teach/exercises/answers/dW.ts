// Exercise dW: ∇W L = Σ_t diag(1 − h(t)²) ∇h(t) L h(t−1)^T (eqs 10.25–10.26), h(0) given.

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { dtanh, mul } from './linalg';
import { daOf, outer, type SumOpts, sumOver } from './param-grads';

interface Opts extends SumOpts {
  useHt?: boolean;
  dt?: 'ok' | 'none' | 'twice';
  dtPrev?: boolean;
}

function model(o: Opts) {
  return (h0: number[], h: number[][], dh: number[][]): number[][] => {
    const H = h0.length;
    const prev = (t: number): number[] => (t === 0 ? h0 : h[t - 1]);
    return sumOver(
      h.length,
      H,
      H,
      (t) => {
        const da = o.dtPrev ? mul(dtanh(prev(t)), dh[t]) : daOf(h[t], dh[t], o.dt);
        return outer(da, o.useHt ? h[t] : prev(t));
      },
      o,
    );
  };
}

export const gradW: Exercise = {
  ...specs.gradW,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'uses-h-t',
      title: 'h(t) used where h(t−1) belongs: Σ_t H(t) ∇h(t) L h(t)^T',
      hint:
        'eq 10.26: W multiplies h(t−1) in a(t) = b + W h(t−1) + U x(t), so the outer product is with h(t−1) ' +
        '(h(0) at t = 1).',
      opts: { useHt: true },
    },
    {
      id: 'transposed',
      title: 'the transpose of ∇W L: h(t−1) (H(t) ∇h(t) L)^T',
      hint:
        'eq 10.26: entry [i][j] is Σ_t (H(t) ∇h(t) L)[i] · h(t−1)[j]: row i belongs to unit i of a(t), column j ' +
        'to unit j of h(t−1).',
      opts: { transpose: true },
    },
    {
      id: 'dtanh-off-by-one',
      title: "tanh' taken at h(t−1) instead of h(t)",
      hint: 'eq 10.26: the factor is H(t) = diag(1 − h(t)²), of the step whose a(t) W feeds.',
      opts: { dtPrev: true },
    },
    {
      id: 'missing-h0-term',
      title: 'the t = 1 term (with h(0)) is missing: the sum starts at t = 2',
      hint: 'eq 10.26 sums over every t = 1..τ; at t = 1 the previous state is h(0), which is not zero here.',
      opts: { steps: 'from2' },
    },
    {
      id: 'last-step-only',
      title: 'no sum over time: only the last step t = τ',
      hint: 'eq 10.26 sums over t: W is shared by every step, so every step contributes (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: only the first step t = 1 (the accumulator is overwritten, or the loop stops early)',
      hint: 'eq 10.26 sums over t = 1..τ: accumulate with += over every step.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L = Σ_t L(t) is a sum (eqs 10.12–10.14), and so is eq 10.26: do not divide by τ.',
      opts: { mean: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: (1 − h(t)²)²",
      hint: 'H(t) = diag(1 − h(t)²) appears once in eq 10.26.',
      opts: { dt: 'twice' },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t) = diag(1 − h(t)²) is missing",
      hint: 'eq 10.26: W acts on a(t), and ∇a(t) L = H(t) ∇h(t) L; multiply ∇h(t) L by 1 − h(t)² first.',
      opts: { dt: 'none' },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: −∇W L',
      hint: 'eq 10.26 has no minus sign; the minus belongs to the update W ← W − ε ∇W L.',
      opts: { sign: -1 },
    },
  ],
};
