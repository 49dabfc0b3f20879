// Exercise squared-grad: ∇o(t) L for the squared error L(t) = ½‖o(t) − y(t)‖²: ∇o(t) L = o(t) − y(t).

import * as specs from '../specs';
import type { Exercise } from './exercise';

export const squaredGrad: Exercise = {
  ...specs.squaredGrad,
  solution: (o: number[], y: number[]) => o.map((v, k) => v - y[k]),
  mistakes: [
    {
      id: 'factor-2',
      title: 'a factor 2 too many: 2(o(t) − y(t)), the gradient of ‖o − y‖² without the ½',
      hint: 'L(t) = ½‖o(t) − y(t)‖²: the ½ cancels the 2 of the square, so ∇o(t) L = o(t) − y(t).',
      model: (o: number[], y: number[]) => o.map((v, k) => 2 * (v - y[k])),
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: y(t) − o(t)',
      hint: 'L grows when o moves away from y, so ∇o(t) L = o(t) − y(t) points away from y.',
      model: (o: number[], y: number[]) => o.map((v, k) => y[k] - v),
    },
    {
      id: 'returns-loss',
      title: 'it returns the per-entry loss ½(o − y)² instead of its gradient',
      hint: 'differentiate: d/do ½(o − y)² = o − y.',
      model: (o: number[], y: number[]) => o.map((v, k) => 0.5 * (v - y[k]) ** 2),
    },
    {
      id: 'softmax-applied',
      title: 'softmax(o(t)) − y(t): the softmax belongs to the cross-entropy loss, not to the squared error',
      hint: 'with the squared error the prediction is o(t) itself: ∇o(t) L = o(t) − y(t).',
      model: (o: number[], y: number[]) => {
        const m = Math.max(...o);
        const e = o.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v, k) => v / s - y[k]);
      },
    },
  ],
};
