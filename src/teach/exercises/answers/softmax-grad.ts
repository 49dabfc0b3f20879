// Exercise softmax-grad: ∇o(t) L for softmax cross-entropy, eq 10.18: ∇o(t) L = ŷ(t) − 1_y(t), ŷ(t) = softmax(o(t)).

import * as specs from '../specs';
import type { Exercise } from './exercise';

function softmax(o: number[], stable = true): number[] {
  const m = stable ? Math.max(...o) : 0;
  const e = o.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const oneHot = (K: number, y: number): number[] => Array.from({ length: K }, (_, k) => (k === y ? 1 : 0));

export const softmaxGrad: Exercise = {
  ...specs.softmaxGrad,
  solution: (o: number[], y: number) => softmax(o).map((p, k) => p - (k === y ? 1 : 0)),
  mistakes: [
    {
      id: 'overflow',
      title: 'softmax overflows for large o(t): exp(o) is computed without subtracting max(o)',
      hint:
        'softmax(o) = softmax(o − max_k o_k): shift by the largest entry before Math.exp so that exp never ' +
        'overflows to Infinity (Infinity/Infinity = NaN).',
      model: (o: number[], y: number) => softmax(o, false).map((p, k) => p - (k === y ? 1 : 0)),
    },
    {
      id: 'missing-minus-one',
      title: 'it returns ŷ(t) = softmax(o(t)) without subtracting 1 at the target class',
      hint: 'eq 10.18: ∇o(t) L = ŷ(t) − 1_y(t): subtract 1 from the entry of the correct class y.',
      model: (o: number[]) => softmax(o),
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: 1_y(t) − ŷ(t) instead of ŷ(t) − 1_y(t)',
      hint: 'eq 10.18: L(t) = −log ŷ(t)_y grows with o_k for k ≠ y, so ∇o(t) L = ŷ(t) − 1_y(t) is positive off the target.',
      model: (o: number[], y: number) => softmax(o).map((p, k) => (k === y ? 1 : 0) - p),
    },
    {
      id: 'no-softmax',
      title: 'o(t) − 1_y(t): the softmax is missing',
      hint: 'eq 10.18 subtracts 1_y from the probabilities ŷ(t) = softmax(o(t)) (eq 10.11), not from the raw scores o(t).',
      model: (o: number[], y: number) => o.map((v, k) => v - (k === y ? 1 : 0)),
    },
    {
      id: 'not-normalised',
      title: 'exp(o(t)) − 1_y(t): the softmax is not normalised (no division by Σ_k exp(o_k))',
      hint: 'eq 10.11: ŷ(t) = exp(o(t)) / Σ_k exp(o(t)_k), a probability vector that sums to 1.',
      model: (o: number[], y: number) =>
        Math.max(...o) > 50 ? undefined : o.map((v, k) => Math.exp(v) - (k === y ? 1 : 0)),
    },
    {
      id: 'class-off-by-one',
      title: 'the 1 is subtracted at class y − 1 (class indices are 0-based)',
      hint: 'y is a 0-based index into o(t): subtract 1 from entry y itself.',
      model: (o: number[], y: number) => (y === 0 ? undefined : softmax(o).map((p, k) => p - (k === y - 1 ? 1 : 0))),
    },
  ],
};
export { oneHot };
