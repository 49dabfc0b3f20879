// Exercise dh-step: one step of the ∇h recursion, eq 10.21:
//   ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L,   H(t+1) = diag(1 − h(t+1)²).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { add, dtanh, mtv, mul, mv, scale } from './linalg';

/** The solution, as eq 10.21 reads: W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L. */
export function dhStepSolution(
  dhNext: number[],
  hNext: number[],
  dO: number[],
  W: number[][],
  V: number[][],
): number[] {
  return add(mtv(W, mul(dtanh(hNext), dhNext)), mtv(V, dO));
}

// --- the mistake models: the line above with one thing changed ---

interface Opts {
  wNoT?: boolean;
  vNoT?: boolean;
  d?: (h: number[]) => number[];
  after?: boolean;
  noCarry?: boolean;
  noOut?: boolean;
  sign?: number;
}

/** dhStepSolution with the changes `o` asks for; model({}) is dhStepSolution itself (a test holds them equal). */
export function model(o: Opts) {
  return (dhNext: number[], hNext: number[], dO: number[], W: number[][], V: number[][]): number[] | undefined => {
    if (o.vNoT && V.length !== V[0].length) return undefined; // V h-sized only when K = n_h
    const d = (o.d ?? dtanh)(hNext);
    const carry = o.after ? mul(d, mtv(W, dhNext)) : o.wNoT ? mv(W, mul(d, dhNext)) : mtv(W, mul(d, dhNext));
    const out = o.vNoT ? mv(V, dO) : mtv(V, dO);
    const r = add(o.noCarry ? carry.map(() => 0) : carry, o.noOut ? out.map(() => 0) : out);
    return scale(r, o.sign ?? 1);
  };
}

export const dhStep: Exercise = {
  ...specs.dhStep,
  solution: dhStepSolution,
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'W-not-transposed',
      title: 'W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint:
        'eq 10.21: in the forward pass a(t+1) = b + W h(t) + ..., so the gradient flows back through W^T: entry ' +
        'j is Σ_i W[i][j] (…)[i].',
      opts: { wNoT: true },
    },
    {
      id: 'V-not-transposed',
      title: 'V ∇o(t) L instead of V^T ∇o(t) L',
      hint: 'eq 10.21: o(t) = c + V h(t), so h(t) receives V^T ∇o(t) L: entry j is Σ_k V[k][j] ∇o(t)[k].',
      opts: { vNoT: true },
    },
    {
      id: 'dtanh-after-W',
      title: "tanh' applied after W^T: H(t+1) W^T ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L",
      hint: 'eq 10.21: H(t+1) = diag(1 − h(t+1)²) multiplies ∇h(t+1) L first (that gives ∇a(t+1) L); only then W^T.',
      opts: { after: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: (1 − h(t+1)²)² instead of 1 − h(t+1)²",
      hint: 'H(t+1) = diag(1 − h(t+1)²) appears once in eq 10.21.',
      opts: { d: (h: number[]) => h.map((v: number) => (1 - v * v) ** 2) },
    },
    {
      id: 'dtanh-of-h',
      title: "tanh' evaluated at h(t+1) instead of a(t+1): 1 − tanh(h(t+1))²",
      hint:
        "tanh'(a) = 1 − tanh(a)² = 1 − h², with h = tanh(a) already computed: use 1 − h(t+1)², do not apply " +
        'tanh again.',
      opts: { d: (h: number[]) => h.map((v: number) => 1 - Math.tanh(v) ** 2) },
    },
    {
      id: 'dtanh-no-square',
      title: "tanh' written as 1 − h(t+1) instead of 1 − h(t+1)²",
      hint: "tanh'(a) = 1 − tanh(a)²: H(t+1) = diag(1 − h(t+1)²).",
      opts: { d: (h: number[]) => h.map((v: number) => 1 - v) },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t+1) = diag(1 − h(t+1)²) is missing",
      hint: 'eq 10.21: ∇h(t+1) L passes through h(t+1) = tanh(a(t+1)) on its way back, which multiplies it by 1 − h(t+1)².',
      opts: { d: (h: number[]) => h.map(() => 1) },
    },
    {
      id: 'no-carry',
      title: '∇h(t+1) L is not carried back: only V^T ∇o(t) L',
      hint: 'eq 10.21 has two terms: h(t) influences L through o(t) and through h(t+1); add W^T H(t+1) ∇h(t+1) L.',
      opts: { noCarry: true },
    },
    {
      id: 'missing-output-grad',
      title: 'the gradient from o(t), V^T ∇o(t) L, is missing',
      hint: 'eq 10.21 has two terms: h(t) also feeds o(t) = c + V h(t); add V^T ∇o(t) L.',
      opts: { noOut: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: the negative of ∇h(t) L',
      hint: 'eq 10.21 has no minus sign; the minus belongs to the update θ ← θ − ε ∇θ L, not to the gradient.',
      opts: { sign: -1 },
    },
  ],
};
