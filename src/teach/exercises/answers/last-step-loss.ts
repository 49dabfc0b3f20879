// Exercise last-step-loss: only L(τ) is a loss (notebook 23; the formula is not printed there). With ∇o(t) L = 0
// for t < τ, eq 10.21 loses its second term before τ, and the sums of ∇V and ∇c keep one term:
//   ∇h(τ) L = V^T ∇o(τ) L,   ∇h(t) L = W^T H(t+1) ∇h(t+1) L (t < τ),
//   ∇U, ∇W, ∇b: the same sums over every t as eqs 10.23–10.28,   ∇V = ∇o(τ) L h(τ)^T,   ∇c = ∇o(τ) L.

import * as specs from '../derivations';
import type { Exercise } from './exercise';
import { add, dtanh, mtv, mul, mv, outer, scale, zeros } from './linalg';
import { sumOver } from './param-grads';

interface Opts {
  paramsLastOnly?: boolean;
  noCarry?: boolean;
  dVAll?: boolean;
  dcTimesT?: boolean;
  outEveryStep?: boolean;
  wNoT?: boolean;
  noDtanh?: boolean;
  dIndex0?: boolean;
}

function model(o: Opts) {
  return (x: number[][], h0: number[], h: number[][], dOLast: number[], W: number[][], V: number[][]) => {
    const T = h.length;
    const H = h0.length;
    const D = x[0].length;
    const K = dOLast.length;
    const d = (t: number): number[] => (o.noDtanh ? h[t].map(() => 1) : dtanh(h[t]));
    const out = mtv(V, dOLast);
    const dh: number[][] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      let v = t === T - 1 || o.outEveryStep ? out.slice() : zeros(H);
      if (t + 1 < T && !o.noCarry) {
        const g = mul(d(o.dIndex0 ? t : t + 1), dh[t + 1]);
        v = add(v, o.wNoT ? mv(W, g) : mtv(W, g));
      }
      dh[t] = v;
    }
    const steps = o.paramsLastOnly ? 'last' : 'all';
    const da = (t: number): number[] => mul(d(t), dh[t]);
    const prev = (t: number): number[] => (t === 0 ? h0 : h[t - 1]);
    const hSum = h.reduce((s, r) => add(s, r), zeros(H));
    return {
      dh,
      dU: sumOver(T, H, D, (t) => outer(da(t), x[t]), { steps }),
      dW: sumOver(T, H, H, (t) => outer(da(t), prev(t)), { steps }),
      dV: outer(dOLast, o.dVAll ? hSum : h[T - 1]),
      db: sumOver(T, 1, H, (t) => [da(t)], { steps })[0],
      dc: o.dcTimesT ? scale(dOLast, T) : dOLast.slice(0, K),
    };
  };
}

export const lastStepLoss: Exercise = {
  ...specs.lastStepLoss,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'params-last-step-only',
      title: '∇U, ∇W, ∇b hold only the step t = τ, where the loss is',
      hint:
        'the loss is at τ, but U, W and b acted at every step before it: ∇h(t) L is not zero for t < τ, so ∇U, ' +
        '∇W, ∇b still sum over every t.',
      opts: { paramsLastOnly: true },
    },
    {
      id: 'no-carry',
      title: '∇h(t) L = 0 for t < τ: the gradient is not carried back through W^T H(t+1)',
      hint: 'L(τ) depends on every earlier h(t) through h(t+1), …, h(τ): ∇h(t) L = W^T H(t+1) ∇h(t+1) L for t < τ.',
      opts: { noCarry: true },
    },
    {
      id: 'output-grad-every-step',
      title: "V^T ∇o(τ) L added at every step, as if every step had the last step's loss",
      hint: 'for t < τ there is no L(t), so ∇o(t) L = 0 and eq 10.21 keeps only W^T H(t+1) ∇h(t+1) L.',
      opts: { outEveryStep: true },
    },
    {
      id: 'dV-all-steps',
      title: "∇V = ∇o(τ) L (Σ_t h(t))^T: every h(t) paired with the last step's ∇o",
      hint: 'eq 10.24 pairs ∇o(t) L with h(t) at the same step; only t = τ has ∇o(t) L ≠ 0, so ∇V = ∇o(τ) L h(τ)^T.',
      opts: { dVAll: true },
    },
    {
      id: 'dc-times-tau',
      title: "∇c = τ ∇o(τ) L: the last step's ∇o counted once per step",
      hint: 'eq 10.22 sums ∇o(t) L, which is zero for t < τ: ∇c = ∇o(τ) L.',
      opts: { dcTimesT: true },
    },
    {
      id: 'W-not-transposed',
      title: 'in the recursion, W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint: 'a(t+1) = b + W h(t) + ...: the gradient flows back to h(t) through W^T.',
      opts: { wNoT: true },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor 1 − h² is missing (in the recursion and in ∇U, ∇W, ∇b)",
      hint: 'h(t) = tanh(a(t)): every gradient passing back through it is multiplied by 1 − h(t)².',
      opts: { noDtanh: true },
    },
    {
      id: 'dtanh-off-by-one',
      title: "in the recursion, tanh' taken at h(t) instead of h(t+1)",
      hint: 'the factor is H(t+1) = diag(1 − h(t+1)²), from the step the gradient comes from (eq 10.21).',
      opts: { dIndex0: true },
    },
  ],
};
