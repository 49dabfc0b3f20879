// Exercise relu-backward: BPTT for h(t) = max(0, a(t)) (notebook 23; the formula is not printed there).
// The tanh' factor 1 − h(t)² becomes the ReLU's derivative, 1 where a(t) > 0 and 0 elsewhere:
//   ∇h(τ) L = V^T ∇o(τ) L,   ∇h(t) L = W^T (1[a(t+1) > 0] ⊙ ∇h(t+1) L) + V^T ∇o(t) L,
//   ∇a(t) L = 1[a(t) > 0] ⊙ ∇h(t) L,   ∇U = Σ_t ∇a(t) L x(t)^T,   ∇W = Σ_t ∇a(t) L h(t−1)^T,   ∇b = Σ_t ∇a(t) L.

import * as specs from '../derivations';
import type { Exercise } from './exercise';
import { add, mtv, mul, mv, outer, zeros } from './linalg';
import { sumOver } from './param-grads';

interface Opts {
  /** The derivative used: the ReLU's step (correct), tanh's 1 − h², h itself, or none (1). */
  d?: 'relu' | 'tanh' | 'h' | 'one';
  /** In the recursion, the derivative at step t instead of t + 1. */
  dIndex0?: boolean;
  /** No derivative in ∇U, ∇W, ∇b (∇h(t) L used for ∇a(t) L). */
  noMaskParams?: boolean;
  wNoT?: boolean;
  useHt?: boolean;
  noCarry?: boolean;
}

function model(o: Opts) {
  return (x: number[][], h0: number[], a: number[][], h: number[][], dO: number[][], W: number[][], V: number[][]) => {
    const T = h.length;
    const H = h0.length;
    const D = x[0].length;
    const how = o.d ?? 'relu';
    const deriv = (t: number): number[] =>
      a[t].map((v, i) =>
        how === 'relu' ? (v > 0 ? 1 : 0) : how === 'tanh' ? 1 - h[t][i] ** 2 : how === 'h' ? h[t][i] : 1,
      );
    const dh: number[][] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      let carry = zeros(H);
      if (t + 1 < T && !o.noCarry) {
        const g = mul(deriv(o.dIndex0 ? t : t + 1), dh[t + 1]);
        carry = o.wNoT ? mv(W, g) : mtv(W, g);
      }
      dh[t] = add(carry, mtv(V, dO[t]));
    }
    const da = (t: number): number[] => (o.noMaskParams ? dh[t].slice() : mul(deriv(t), dh[t]));
    const prev = (t: number): number[] => (t === 0 ? h0 : h[t - 1]);
    return {
      dh,
      dU: sumOver(T, H, D, (t) => outer(da(t), x[t]), {}),
      dW: sumOver(T, H, H, (t) => outer(da(t), o.useHt ? h[t] : prev(t)), {}),
      db: sumOver(T, 1, H, (t) => [da(t)], {})[0],
    };
  };
}

export const reluBackward: Exercise = {
  ...specs.reluBackward,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'tanh-derivative',
      title: "tanh's derivative 1 − h(t)² used for the ReLU",
      hint:
        'h(t) = max(0, a(t)) has derivative 1 where a(t) > 0 and 0 where a(t) < 0: that factor replaces 1 − ' +
        'h(t)² everywhere.',
      opts: { d: 'tanh' },
    },
    {
      id: 'h-as-derivative',
      title: "the ReLU's output h(t) = max(0, a(t)) used as its derivative",
      hint: 'the derivative of max(0, a) is the step 1[a > 0] (0 or 1), not max(0, a) itself.',
      opts: { d: 'h' },
    },
    {
      id: 'missing-derivative',
      title: "the ReLU's derivative is missing everywhere (as if h(t) = a(t))",
      hint:
        'units with a(t) < 0 output 0 and pass no gradient back: multiply by 1[a(t) > 0] in the recursion and ' +
        'in ∇a(t) L.',
      opts: { d: 'one' },
    },
    {
      id: 'mask-off-by-one',
      title: 'in the recursion, the mask 1[a(t) > 0] where 1[a(t+1) > 0] belongs',
      hint:
        'the gradient reaches h(t) through h(t+1) = max(0, a(t+1)): the mask comes from step t + 1, as H(t+1) ' +
        'in eq 10.21.',
      opts: { dIndex0: true },
    },
    {
      id: 'missing-mask-params',
      title: 'no mask in ∇U, ∇W, ∇b: ∇h(t) L used where ∇a(t) L = 1[a(t) > 0] ⊙ ∇h(t) L belongs',
      hint: 'U, W and b act on a(t), before the ReLU: multiply ∇h(t) L by 1[a(t) > 0] first.',
      opts: { noMaskParams: true },
    },
    {
      id: 'W-not-transposed',
      title: 'in the recursion, W (…) instead of W^T (…)',
      hint: 'a(t+1) = b + W h(t) + ...: the gradient flows back to h(t) through W^T.',
      opts: { wNoT: true },
    },
    {
      id: 'uses-h-t',
      title: 'in ∇W, h(t) used where h(t−1) belongs',
      hint: 'W multiplies h(t−1) in a(t) = b + W h(t−1) + U x(t) (h(0) at t = 1).',
      opts: { useHt: true },
    },
    {
      id: 'no-carry',
      title: '∇h(t+1) L is not carried back: ∇h(t) L = V^T ∇o(t) L only',
      hint: 'h(t) also reaches the loss through h(t+1): add W^T (1[a(t+1) > 0] ⊙ ∇h(t+1) L).',
      opts: { noCarry: true },
    },
  ],
};
