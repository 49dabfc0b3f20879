// Exercise full-backward: the whole backward pass of BPTT (eqs 10.19–10.28) in one function: the ∇h recursion from
// t = τ down to 1, and every parameter gradient summed over t.

import * as specs from '../specs';
import { dhLoop, type LoopOpts } from './backward-loop';
import type { Exercise } from './exercise';
import { dtanh, mul, outer, transposeM } from './linalg';
import { type SumOpts, sumOver } from './param-grads';

interface Opts extends SumOpts {
  loop?: LoopOpts; // a mistake in the ∇h recursion
  useHt?: boolean; // h(t) in ∇W where h(t−1) belongs
  dt?: 'none' | 'twice'; // tanh' in the parameter gradients
  noDtanh?: boolean; // tanh' forgotten everywhere (recursion and parameters)
  dWT?: boolean; // ∇W transposed
}

function model(o: Opts) {
  return (x: number[][], h0: number[], h: number[][], dO: number[][], W: number[][], V: number[][]) => {
    const loop: LoopOpts = o.noDtanh ? { ...o.loop, d: (v) => v.map(() => 1) } : (o.loop ?? {});
    const dh = dhLoop(loop)(h, dO, W, V);
    if (!dh) return undefined;
    const T = h.length;
    const H = h0.length;
    const D = x[0].length;
    const K = dO[0].length;
    const how = o.noDtanh ? 'none' : o.dt;
    const da = (t: number): number[] =>
      how === 'none'
        ? dh[t].slice()
        : how === 'twice'
          ? mul(mul(dtanh(h[t]), dtanh(h[t])), dh[t])
          : mul(dtanh(h[t]), dh[t]);
    const prev = (t: number): number[] => (t === 0 ? h0 : h[t - 1]);
    // 'from2' (the h(0) term dropped) concerns ∇W only
    const sum: SumOpts = { steps: o.steps === 'from2' ? 'all' : o.steps, mean: o.mean, sign: o.sign };
    const dW = sumOver(T, H, H, (t) => outer(da(t), o.useHt ? h[t] : prev(t)), { ...sum, steps: o.steps ?? 'all' });
    return {
      dU: sumOver(T, H, D, (t) => outer(da(t), x[t]), sum),
      dW: o.dWT ? transposeM(dW) : dW,
      dV: sumOver(T, K, H, (t) => outer(dO[t], h[t]), sum),
      db: sumOver(T, 1, H, (t) => [da(t)], sum)[0],
      dc: sumOver(T, 1, K, (t) => [dO[t].slice()], sum)[0],
    };
  };
}

export const fullBackward: Exercise = {
  ...specs.fullBackward,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'W-not-transposed',
      title: 'in the ∇h recursion, W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint: 'eq 10.21: a(t+1) = b + W h(t) + ..., so the gradient flows back to h(t) through W^T.',
      opts: { loop: { wNoT: true } },
      model: model({ loop: { wNoT: true } }),
    },
    {
      id: 'V-not-transposed',
      title: 'in the ∇h recursion, V ∇o(t) L instead of V^T ∇o(t) L',
      hint: 'eqs 10.19 and 10.21: o(t) = c + V h(t), so h(t) receives V^T ∇o(t) L.',
      opts: { loop: { vNoT: true } },
      model: model({ loop: { vNoT: true } }),
    },
    {
      id: 'dtanh-off-by-one',
      title: "in the ∇h recursion, tanh' taken at h(t) instead of h(t+1)",
      hint: 'eq 10.21: the factor is H(t+1) = diag(1 − h(t+1)²), from the step the gradient comes from.',
      opts: { loop: { dIndex: 0 } },
      model: model({ loop: { dIndex: 0 } }),
    },
    {
      id: 'forward-in-time',
      title: 'the ∇h recursion runs forward in time (∇h(t) built from ∇h(t−1))',
      hint:
        'eqs 10.19–10.21 start at t = τ and go down: ∇h(t) L needs ∇h(t+1) L. In code: `for (let t = T - 1; t ' +
        '>= 0; t--)`, where `T` is τ.',
      opts: { loop: { forwardInTime: true } },
      model: model({ loop: { forwardInTime: true } }),
    },
    {
      id: 'carries-only-output-term',
      title: '∇h(t+1) L not carried back in full: only its V^T ∇o(t+1) L part',
      hint: 'eq 10.21 carries the whole ∇h(t+1) L, which already holds everything from later steps.',
      opts: { loop: { carryOutOnly: true } },
      model: model({ loop: { carryOutOnly: true } }),
    },
    {
      id: 'no-carry',
      title: '∇h(t+1) L is not carried back: ∇h(t) L = V^T ∇o(t) L only',
      hint: "eq 10.21: h(t) also influences L through h(t+1); add W^T H(t+1) ∇h(t+1) L (min-char-rnn's dhnext).",
      opts: { loop: { noCarry: true } },
      model: model({ loop: { noCarry: true } }),
    },
    {
      id: 'missing-output-grad',
      title: 'the gradient from o(t), V^T ∇o(t) L, is forgotten in ∇h(t) L for t < τ',
      hint: 'eq 10.21: every step adds its own V^T ∇o(t) L, not only the last one.',
      opts: { loop: { outOnlyLast: true } },
      model: model({ loop: { outOnlyLast: true } }),
    },
    {
      id: 'uses-h-t',
      title: 'in ∇W, h(t) used where h(t−1) belongs',
      hint: 'eq 10.26: W multiplies h(t−1) in a(t) = b + W h(t−1) + U x(t) (h(0) at t = 1).',
      opts: { useHt: true },
    },
    {
      id: 'dW-transposed',
      title: '∇W is transposed: h(t−1) (H(t) ∇h(t) L)^T',
      hint: 'eq 10.26: entry [i][j] is Σ_t (H(t) ∇h(t) L)[i] · h(t−1)[j].',
      opts: { dWT: true },
    },
    {
      id: 'missing-h0-term',
      title: 'in ∇W, the t = 1 term (with h(0)) is missing',
      hint: 'eq 10.26 sums over t = 1..τ; at t = 1 the previous state is h(0), which is not zero here.',
      opts: { steps: 'from2' },
    },
    {
      id: 'last-step-only',
      title: 'no sum over time: the parameter gradients hold only the last step t = τ',
      hint: 'eqs 10.22–10.28 sum over t: the parameters are shared by every step (accumulate with +=).',
      opts: { steps: 'last' },
    },
    {
      id: 'first-step-only',
      title: 'no sum over time: the parameter gradients hold only step t = 1 (the accumulators are overwritten)',
      hint: 'eqs 10.22–10.28 sum over t = 1..τ: accumulate with +=.',
      opts: { steps: 'first' },
    },
    {
      id: 'mean-not-sum',
      title: 'the mean over time instead of the sum (divided by τ)',
      hint: 'L = Σ_t L(t) is a sum (eqs 10.12–10.14), and so are eqs 10.22–10.28.',
      opts: { mean: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice in ∇U, ∇W, ∇b: (1 − h(t)²)² ∇h(t) L",
      hint:
        '∇a(t) L = H(t) ∇h(t) L takes the factor once; if you already multiplied ∇h(t) L by 1 − h(t)², do not ' +
        'do it again.',
      opts: { dt: 'twice' },
    },
    {
      id: 'missing-dtanh-params',
      title: "tanh' missing in ∇U, ∇W, ∇b (∇h(t) L used where ∇a(t) L = H(t) ∇h(t) L belongs)",
      hint: 'eqs 10.23, 10.26, 10.28: U, W and b act on a(t), before the tanh; multiply ∇h(t) L by 1 − h(t)².',
      opts: { dt: 'none' },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor 1 − h² is missing everywhere (in the recursion and in ∇U, ∇W, ∇b)",
      hint:
        'h(t) = tanh(a(t)) (eq 10.9): every gradient passing back through it is multiplied by 1 − h(t)² (eqs ' +
        '10.21, 10.23, 10.26, 10.28).',
      opts: { noDtanh: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: every gradient negated',
      hint: 'eqs 10.22–10.28 have no minus sign; the minus belongs to the update θ ← θ − ε ∇θ L.',
      opts: { sign: -1 },
    },
  ],
};
