// Exercise truncated-backward: the ∇h recursion of truncated BPTT with chunks of k steps from t = 1
// (1..k, k+1..2k, ...): inside a chunk eq 10.21 as usual; at a chunk's last step nothing comes from h(t+1).

import * as specs from '../specs';
import { dhLoop } from './backward-loop';
import type { Exercise } from './exercise';

type Loop = ReturnType<typeof dhLoop>;
const withK =
  (f: (k: number) => Loop | undefined) => (h: number[][], dO: number[][], W: number[][], V: number[][], k: number) =>
    f(k)?.(h, dO, W, V);

export const truncatedBackward: Exercise = {
  ...specs.truncatedBackward,
  solution: withK((k) => dhLoop({ k })),
  mistakes: [
    {
      id: 'no-truncation',
      title: 'no truncation: full BPTT, the gradient crosses the chunk boundaries',
      hint:
        'at the last step of each chunk (t = k, 2k, ...) start again as at t = τ: nothing is carried back from ' +
        'h(t+1) (eq 10.19 in place of 10.21).',
      model: withK(() => dhLoop({})),
    },
    {
      id: 'chunks-from-end',
      title: 'the chunks are counted from the end (…, τ−k+1..τ) instead of from t = 1',
      hint: 'chunks are 1..k, k+1..2k, ...; the last one may be shorter. Step t (0-based) belongs to chunk ⌊t / k⌋.',
      model: withK((k) => dhLoop({ k, fromEnd: true })),
    },
    {
      id: 'chunks-offset-by-one',
      title:
        'off by one in time: the chunk boundaries come one step late (after t = 1, k+1, 2k+1, …: a 0-based t % k ' +
        '=== 0 test)',
      hint:
        "chunks are 1..k, k+1..2k, ... in the book's 1-based t; with 0-based t the last step of a chunk is " +
        'where (t + 1) % k === 0.',
      model: withK((k) => dhLoop({ k, chunkOf: (t) => Math.ceil(t / k) })),
    },
    {
      id: 'chunk-too-long',
      title: 'off by one: chunks of k + 1 steps',
      hint:
        'a chunk holds exactly k steps: the boundaries lie after t = k, 2k, ... (0-based: the carry stops where ' +
        '(t + 1) % k === 0).',
      model: withK((k) => dhLoop({ k: k + 1 })),
    },
    {
      id: 'chunk-too-short',
      title: 'off by one: chunks of k − 1 steps',
      hint:
        'a chunk holds exactly k steps: the boundaries lie after t = k, 2k, ... (0-based: the carry stops where ' +
        '(t + 1) % k === 0).',
      model: withK((k) => (k > 1 ? dhLoop({ k: k - 1 }) : undefined)),
    },
    {
      id: 'W-not-transposed',
      title: 'W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint: 'eq 10.21: the gradient flows back to h(t) through W^T.',
      model: withK((k) => dhLoop({ k, wNoT: true })),
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t+1) = diag(1 − h(t+1)²) is missing",
      hint: 'eq 10.21: multiply ∇h(t+1) L by 1 − h(t+1)² before W^T.',
      model: withK((k) => dhLoop({ k, d: (h) => h.map(() => 1) })),
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: the negative of ∇h(t) L',
      hint: 'eqs 10.19–10.21 have no minus sign; the minus belongs to the update step.',
      model: withK((k) => dhLoop({ k, sign: -1 })),
    },
    {
      id: 'no-carry',
      title: 'nothing is carried back at all, even inside a chunk: only V^T ∇o(t) L',
      hint: 'inside a chunk eq 10.21 holds as usual: add W^T H(t+1) ∇h(t+1) L.',
      model: withK(() => dhLoop({ noCarry: true })),
    },
  ],
};
