// Exercise forward-step: one step of the forward pass, eqs 10.8–10.9: h(t) = tanh(b + W h(t−1) + U x(t)).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { add, mtv, mv } from './linalg';

function model(o: {
  transposeW?: boolean;
  noTanh?: boolean;
  noW?: boolean;
  noB?: boolean;
  act?: (a: number) => number;
}) {
  return (x: number[], hPrev: number[], U: number[][], W: number[][], b: number[]): number[] => {
    const wh = o.noW ? hPrev.map(() => 0) : o.transposeW ? mtv(W, hPrev) : mv(W, hPrev);
    const a = add(add(o.noB ? b.map(() => 0) : b, wh), mv(U, x));
    return o.noTanh ? a : a.map(o.act ?? Math.tanh);
  };
}

export const forwardStep: Exercise = {
  ...specs.forwardStep,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'W-transposed',
      title: 'W^T h(t−1) used instead of W h(t−1)',
      hint:
        'eq 10.8 is a(t) = b + W h(t−1) + U x(t): entry i of W h(t−1) is Σ_j W[i][j] h(t−1)[j] (row i of W), ' +
        'not Σ_j W[j][i] h(t−1)[j].',
      opts: { transposeW: true },
    },
    {
      id: 'missing-recurrence',
      title: 'the recurrent term W h(t−1) is missing',
      hint: 'eq 10.8 adds W h(t−1): without it the network has no memory.',
      opts: { noW: true },
    },
    {
      id: 'missing-bias',
      title: 'the bias b is missing',
      hint: 'eq 10.8 is a(t) = b + W h(t−1) + U x(t): add b.',
      opts: { noB: true },
    },
    {
      id: 'missing-tanh',
      title: 'tanh is not applied: it returns a(t) instead of h(t)',
      hint: 'eq 10.9: h(t) = tanh(a(t)), entry by entry (Math.tanh).',
      opts: { noTanh: true },
    },
    {
      id: 'sigmoid-instead-of-tanh',
      title: 'the logistic sigmoid is used instead of tanh',
      hint: 'eq 10.9 uses the hyperbolic tangent: Math.tanh(a), whose values lie in (−1, 1), not σ(a) = 1/(1 + e^−a).',
      opts: { act: (a: number) => 1 / (1 + Math.exp(-a)) },
    },
  ],
};
