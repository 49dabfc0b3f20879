// Why over 300 lines: the exercises' contracts (signature, shapes, cases) are read side by side, one after another.
// What each exercise asks for, as the student sees it: name, function, signature, shape, and the cases it is checked
// on. The answers (solutions and the known mistakes' models) live in answers/, which nothing here imports.
// Notation: τ is the sequence length, n_h the hidden size; H(t) is only the book's diag(1 − h(t)²).
import { backward, forward } from '../../model/engine';
import { rng } from '../../model/rng';
import { fromRows, toRows } from '../../model/tensor';
import { type Episode, episodeSizes, randomEpisode, standardEpisodes, tinyEpisode } from './cases';
import { DERIVATION_SPECS } from './derivations';
import type { Case, ExerciseSpec } from './types';

const fromEpisodes = (parts: string, args: (e: Episode) => unknown[]) => (): Case[] =>
  standardEpisodes().map((e): Case => ({ label: e.label, seed: e.seed, sizes: episodeSizes(e, parts), args: args(e) }));

export const forwardStep: ExerciseSpec = {
  name: 'forward-step',
  fn: 'forwardStep',
  title: 'one step of the forward pass h(t) = tanh(b + W h(t−1) + U x(t))',
  equation: 'eqs 10.8–10.9',
  signature: 'forwardStep(x: number[], hPrev: number[], U: number[][], W: number[][], b: number[]): number[]',
  params: ['x', 'hPrev', 'U', 'W', 'b'],
  shape: 'a vector of length n_h',
  output: 'h(t)',
  cases(): Case[] {
    return standardEpisodes().flatMap((e, i) => {
      const steps = i === 0 ? [0] : [0, e.T - 1];
      return steps.map(
        (t): Case => ({
          label: `${e.label}, step t = ${t + 1}`,
          seed: e.seed,
          sizes: episodeSizes(e, 'DH'),
          args: [e.x[t], t === 0 ? e.h0 : e.h[t - 1], e.U, e.W, e.b],
        }),
      );
    });
  },
};

export const softmaxGrad: ExerciseSpec = {
  name: 'softmax-grad',
  fn: 'softmaxGrad',
  title: 'the gradient of softmax cross-entropy with respect to o(t)',
  equation: 'eq 10.18',
  signature: 'softmaxGrad(o: number[], y: number): number[]',
  params: ['o', 'y'],
  shape: 'a vector of length K',
  output: '∇o(t) L',
  cases(): Case[] {
    const cases: Case[] = [
      { label: 'tiny', seed: null, sizes: 'K = 3', args: [[0.5, -1.0, 2.0], 2] },
      { label: 'tiny, y = 0', seed: null, sizes: 'K = 4', args: [[1.5, 0.2, -0.7, 0.9], 0] },
    ];
    for (const [seed, K] of [
      [11, 5],
      [12, 7],
    ] as const) {
      const r = rng(seed);
      const o = Array.from({ length: K }, () => 2 * r.normal());
      cases.push({ label: 'random', seed, sizes: `K = ${K}`, args: [o, r.int(K)] });
    }
    cases.push({ label: 'large logits (|o| ≈ 1000)', seed: null, sizes: 'K = 4', args: [[1000, 998, 1001.5, 995], 1] });
    return cases;
  },
};

export const squaredGrad: ExerciseSpec = {
  name: 'squared-grad',
  fn: 'squaredGrad',
  title: 'the gradient of the squared error ½‖o(t) − y(t)‖² with respect to o(t)',
  equation: 'the squared-error version of eq 10.18',
  signature: 'squaredGrad(o: number[], y: number[]): number[]',
  params: ['o', 'y'],
  shape: 'a vector of length K',
  output: '∇o(t) L',
  cases(): Case[] {
    const cases: Case[] = [
      {
        label: 'tiny',
        seed: null,
        sizes: 'K = 3',
        args: [
          [0.5, -1.0, 2.0],
          [1.0, 0.3, -0.4],
        ],
      },
    ];
    for (const [seed, K] of [
      [21, 4],
      [22, 6],
    ] as const) {
      const r = rng(seed);
      const v = (): number[] => Array.from({ length: K }, () => r.normal());
      cases.push({ label: 'random', seed, sizes: `K = ${K}`, args: [v(), v()] });
    }
    return cases;
  },
};

export const dhStep: ExerciseSpec = {
  name: 'dh-step',
  fn: 'dhStep',
  title: 'one step of the ∇h recursion ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L',
  equation: 'eq 10.21',
  signature: 'dhStep(dhNext: number[], hNext: number[], dO: number[], W: number[][], V: number[][]): number[]',
  params: ['dhNext', 'hNext', 'dO', 'W', 'V'],
  shape: 'a vector of length n_h',
  output: '∇h(t) L',
  cases(): Case[] {
    return standardEpisodes().flatMap((e, i) => {
      const steps = i === 0 ? [1, 0] : [e.T - 2];
      return steps.map(
        (t): Case => ({
          label: `${e.label}, step t = ${t + 1}`,
          seed: e.seed,
          sizes: episodeSizes(e, 'HK'),
          args: [e.dh[t + 1], e.h[t + 1], e.dO[t], e.W, e.V],
        }),
      );
    });
  },
};

export const backwardLoop: ExerciseSpec = {
  name: 'backward-loop',
  fn: 'dhAll',
  title: 'the whole ∇h recursion, ∇h(t) L for t = τ down to 1',
  equation: 'eqs 10.19–10.21',
  signature: 'dhAll(h: number[][], dO: number[][], W: number[][], V: number[][]): number[][]',
  params: ['h', 'dO', 'W', 'V'],
  shape: 'τ×n_h, row t − 1 holding ∇h(t) L',
  stepRows: true,
  rowName: '∇h(t) L',
  cases: fromEpisodes('THK', (e) => [e.h, e.dO, e.W, e.V]),
};

export const gradV: ExerciseSpec = {
  name: 'dV',
  fn: 'gradV',
  title: '∇V L = Σ_t ∇o(t) L h(t)^T',
  equation: 'eq 10.24',
  signature: 'gradV(h: number[][], dO: number[][]): number[][]',
  params: ['h', 'dO'],
  shape: 'K×n_h',
  output: '∇V',
  cases: fromEpisodes('THK', (e) => [e.h, e.dO]),
};

export const gradC: ExerciseSpec = {
  name: 'dc',
  fn: 'gradC',
  title: '∇c L = Σ_t ∇o(t) L',
  equation: 'eq 10.22',
  signature: 'gradC(dO: number[][]): number[]',
  params: ['dO'],
  shape: 'a vector of length K',
  output: '∇c',
  cases: fromEpisodes('TK', (e) => [e.dO]),
};

export const gradW: ExerciseSpec = {
  name: 'dW',
  fn: 'gradW',
  title: '∇W L = Σ_t H(t) ∇h(t) L h(t−1)^T',
  equation: 'eqs 10.25–10.26',
  signature: 'gradW(h0: number[], h: number[][], dh: number[][]): number[][]',
  params: ['h0', 'h', 'dh'],
  shape: 'n_h×n_h',
  output: '∇W',
  cases: fromEpisodes('TH', (e) => [e.h0, e.h, e.dh]),
};

export const gradU: ExerciseSpec = {
  name: 'dU',
  fn: 'gradU',
  title: '∇U L = Σ_t H(t) ∇h(t) L x(t)^T',
  equation: 'eqs 10.27–10.28',
  signature: 'gradU(x: number[][], h: number[][], dh: number[][]): number[][]',
  params: ['x', 'h', 'dh'],
  shape: 'n_h×D',
  output: '∇U',
  cases: fromEpisodes('TDH', (e) => [e.x, e.h, e.dh]),
};

export const gradB: ExerciseSpec = {
  name: 'db',
  fn: 'gradB',
  title: '∇b L = Σ_t H(t) ∇h(t) L',
  equation: 'eq 10.23',
  signature: 'gradB(h: number[][], dh: number[][]): number[]',
  params: ['h', 'dh'],
  shape: 'a vector of length n_h',
  output: '∇b',
  cases: fromEpisodes('TH', (e) => [e.h, e.dh]),
};

export const fullBackward: ExerciseSpec = {
  name: 'full-backward',
  fn: 'bptt',
  title: 'the whole backward pass: ∇h(t) L for t = τ..1 and ∇U, ∇W, ∇V, ∇b, ∇c',
  equation: 'eqs 10.19–10.28',
  signature:
    'bptt(x: number[][], h0: number[], h: number[][], dO: number[][], W: number[][], V: number[][]): { dU: ' +
    'number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] }',
  params: ['x', 'h0', 'h', 'dO', 'W', 'V'],
  shape: '{ dU: n_h×D, dW: n_h×n_h, dV: K×n_h, db: n_h, dc: K }',
  cases: fromEpisodes('TDHK', (e) => [e.x, e.h0, e.h, e.dO, e.W, e.V]),
};

export const truncatedBackward: ExerciseSpec = {
  name: 'truncated-backward',
  fn: 'dhTruncated',
  title: 'the ∇h recursion of truncated BPTT, chunks of k steps from t = 1',
  equation: 'eq 10.21 inside each chunk',
  signature: 'dhTruncated(h: number[][], dO: number[][], W: number[][], V: number[][], k: number): number[][]',
  params: ['h', 'dO', 'W', 'V', 'k'],
  shape: 'τ×n_h, row t − 1 holding ∇h(t) L within its chunk',
  stepRows: true,
  rowName: '∇h(t) L',
  cases(): Case[] {
    const eps: [Episode, number][] = [
      [tinyEpisode(), 2],
      [randomEpisode(101, 4, 3, 4, 5), 3],
      [randomEpisode(202, 6, 2, 5, 3), 4],
      [randomEpisode(404, 7, 3, 4, 3), 3],
      [randomEpisode(303, 9, 4, 6, 2), 2],
    ];
    return eps.map(
      ([e, k]): Case => ({
        label: e.label,
        seed: e.seed,
        sizes: `${episodeSizes(e, 'THK')}, k = ${k}`,
        args: [e.h, e.dO, e.W, e.V, k],
      }),
    );
  },
};

/** The five gradients of one episode, as plain arrays: what clipping gets. */
export interface GradSet {
  dU: number[][];
  dW: number[][];
  dV: number[][];
  db: number[];
  dc: number[];
}
export const GRAD_NAMES = ['dU', 'dW', 'dV', 'db', 'dc'] as const;

function gradsOf(e: Episode): GradSet {
  const p = {
    U: fromRows(e.U),
    W: fromRows(e.W),
    V: fromRows(e.V),
    b: Float64Array.from(e.b),
    c: Float64Array.from(e.c),
  };
  const g = backward(p, forward(p, { x: e.x }, e.y, { h0: e.h0 }));
  return { dU: toRows(g.dU), dW: toRows(g.dW), dV: toRows(g.dV), db: Array.from(g.db), dc: Array.from(g.dc) };
}
const entries = (g: GradSet): number[] => GRAD_NAMES.flatMap((n) => (g[n] as (number | number[])[]).flat());
const normOf = (g: GradSet): number => Math.sqrt(entries(g).reduce((s, v) => s + v * v, 0));
const largest = (g: GradSet): number => Math.max(...entries(g).map(Math.abs));

export const clipNorm: ExerciseSpec = {
  name: 'clip-norm',
  fn: 'clipByNorm',
  title: 'clipping the gradient by its global norm',
  equation: '§10.11.1, Pascanu et al. 2013',
  signature:
    'clipByNorm(g: { dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] }, maxNorm: number)',
  params: ['g', 'maxNorm'],
  shape: 'a new object { dU, dW, dV, db, dc } shaped like g',
  cases(): Case[] {
    const tiny = gradsOf(tinyEpisode());
    const norm = normOf(tiny);
    // maxNorm below the largest entry: norm clipping, per-parameter and by-value clipping all act, differently
    const out: Case[] = [
      {
        label: 'tiny, ‖g‖ > maxNorm',
        seed: null,
        sizes: `‖g‖ = ${norm.toFixed(4)}`,
        args: [tiny, Math.round(largest(tiny) * 0.8 * 100) / 100],
      },
      {
        label: 'tiny, ‖g‖ < maxNorm (nothing to clip)',
        seed: null,
        sizes: `‖g‖ = ${norm.toFixed(4)}`,
        args: [tiny, Math.ceil(norm * 1.5)],
      },
    ];
    for (const seed of [505, 606]) {
      const g = gradsOf(randomEpisode(seed, 8, 3, 5, 4));
      out.push({
        label: 'random, ‖g‖ > maxNorm',
        seed,
        sizes: `τ = 8, D = 3, n_h = 5, K = 4, ‖g‖ = ${normOf(g).toFixed(4)}`,
        args: [g, 0.7 * largest(g)],
      });
    }
    return out;
  },
};

/** Every exercise, in the order the notebooks pose them. */
export const SPECS: readonly ExerciseSpec[] = [
  forwardStep,
  softmaxGrad,
  squaredGrad,
  dhStep,
  backwardLoop,
  gradV,
  gradC,
  gradW,
  gradU,
  gradB,
  fullBackward,
  truncatedBackward,
  clipNorm,
  ...DERIVATION_SPECS,
];

/**
 * The exercise called `name` (its CLI name, e.g. 'dW', or its function name, e.g. 'gradW'); throws for an unknown name.
 */
export function specOf(name: string): ExerciseSpec {
  const ex = SPECS.find((e) => e.name === name || e.fn === name);
  if (!ex) throw new Error(`unknown exercise "${name}": expected one of ${SPECS.map((e) => e.name).join(', ')}`);
  return ex;
}
