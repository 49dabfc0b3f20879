// Why over 300 lines: the four derivation exercises share their cases and shapes; each one's spec is short.
// The derivation exercises (notebook 23): what each asks for and its cases. Unlike the exercises of notebooks 20–22,
// the notebook prints no formula above these stubs: the student derives it from the forward pass. The answers
// (solutions and mistake models) live in answers/, which nothing here imports.
// Notation: τ is the sequence length, n_h the hidden size; H(t) is only the book's diag(1 − h(t)²).
import { backward, forward } from '../../model/engine';
import type { Params } from '../../model/params';
import { rng } from '../../model/rng';
import { fromRows, toRows } from '../../model/tensor';
import type { Case, ExerciseSpec } from './types';

type Rows = number[][];

/** One sequence of a tanh RNN (or a ReLU one, for relu-backward) with everything an exercise may hand over. */
export interface DerivationEpisode {
  readonly label: string;
  readonly seed: number | null;
  readonly T: number; // τ
  readonly D: number;
  readonly H: number; // n_h
  readonly K: number;
  readonly U: Rows;
  readonly W: Rows;
  readonly V: Rows;
  readonly b: number[];
  readonly c: number[];
  readonly x: Rows;
  readonly h0: number[];
  readonly a: Rows;
  readonly h: Rows;
  readonly o: Rows;
  /** ∇o(t) L per step (rows of zeros where a step has no loss). */
  readonly dO: Rows;
  /** ∇h(t) L per step (tanh episodes, from the engine). */
  readonly dh?: Rows;
}

interface Weights {
  U: Rows;
  W: Rows;
  V: Rows;
  b: number[];
  c: number[];
}

const sizes = (e: { T: number; D: number; H: number; K: number }, parts = 'TDHK'): string => {
  const all: Record<string, string> = { T: `τ = ${e.T}`, D: `D = ${e.D}`, H: `n_h = ${e.H}`, K: `K = ${e.K}` };
  return [...parts].map((p) => all[p]).join(', ');
};

/** A tanh episode from the engine: softmax cross-entropy at the steps whose target is not null. */
function tanhEpisode(
  label: string,
  seed: number | null,
  P: Weights,
  x: Rows,
  y: (number | null)[],
  h0: number[],
): DerivationEpisode {
  const p: Params = {
    U: fromRows(P.U),
    W: fromRows(P.W),
    V: fromRows(P.V),
    b: Float64Array.from(P.b),
    c: Float64Array.from(P.c),
  };
  const fw = forward(p, { x }, y, { loss: 'softmax-ce', h0 });
  const g = backward(p, fw);
  return {
    label,
    seed,
    T: x.length,
    D: P.U[0].length,
    H: P.W.length,
    K: P.V.length,
    ...P,
    x,
    h0,
    a: toRows(fw.a),
    h: toRows(fw.h),
    o: toRows(fw.o),
    dO: toRows(g.dO),
    dh: toRows(g.dh),
  };
}

/** The hand-readable weights of the tiny cases: D = n_h = K = 2 (so that a forgotten transpose still runs), τ = 3. */
const TINY: Weights = {
  U: [
    [0.5, -0.3],
    [0.2, 0.8],
  ],
  W: [
    [0.4, -0.6],
    [0.3, 0.2],
  ],
  V: [
    [0.7, -0.2],
    [-0.5, 0.9],
  ],
  b: [0.1, -0.2],
  c: [0.2, -0.1],
};
const TINY_X: Rows = [
  [1.0, -0.5],
  [0.3, 0.9],
  [-0.8, 0.4],
];
const TINY_H0 = [0.5, -0.3];

function randomWeights(seed: number, D: number, H: number, K: number) {
  const r = rng(seed);
  const m = (rows: number, cols: number, s: number): Rows =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => s * r.normal()));
  const w: Weights = {
    U: m(H, D, 1 / Math.sqrt(D)),
    W: m(H, H, 1.2 / Math.sqrt(H)),
    V: m(K, H, 1 / Math.sqrt(H)),
    b: m(1, H, 0.3)[0],
    c: m(1, K, 0.3)[0],
  };
  return { w, r, m };
}

/** A random tanh episode; `lossAt` picks the steps with a loss (default: every step). */
function randomTanh(
  seed: number,
  T: number,
  D: number,
  H: number,
  K: number,
  h0?: number[],
  lossAt: (t: number) => boolean = () => true,
): DerivationEpisode {
  const { w, r, m } = randomWeights(seed, D, H, K);
  const x = m(T, D, 1);
  const y = Array.from({ length: T }, (_, t) => {
    const cls = r.int(K); // drawn for every step, so that the same seed gives the same x and W whatever lossAt is
    return lossAt(t) ? cls : null;
  });
  return tanhEpisode('random', seed, w, x, y, h0 ?? m(1, H, 0.5)[0]);
}

// --- ∇x(t) L ---

const dxEpisodes = (): DerivationEpisode[] => [
  tanhEpisode('tiny', null, TINY, TINY_X, [1, 0, 1], TINY_H0),
  randomTanh(701, 4, 3, 4, 5),
  randomTanh(702, 5, 4, 4, 3),
  randomTanh(703, 7, 2, 5, 3),
];

export const gradX: ExerciseSpec = {
  name: 'dx',
  fn: 'gradX',
  title: 'the gradient with respect to the inputs, ∇x(t) L for t = 1..τ',
  equation: 'derive it from eqs 10.8–10.9 and 10.21',
  signature: 'gradX(h: number[][], dO: number[][], W: number[][], V: number[][], U: number[][]): number[][]',
  params: ['h', 'dO', 'W', 'V', 'U'],
  shape: 'τ×D, row t − 1 holding ∇x(t) L',
  stepRows: true,
  rowName: '∇x(t) L',
  cases: () =>
    dxEpisodes().map(
      (e): Case => ({ label: e.label, seed: e.seed, sizes: sizes(e), args: [e.h, e.dO, e.W, e.V, e.U] }),
    ),
};

// --- a ReLU RNN: h(t) = max(0, a(t)) ---

/** The forward pass of a ReLU RNN with the loss's ∇o(t) L (softmax cross-entropy): the same eqs 10.8, 10.10, 10.11. */
function reluEpisode(
  label: string,
  seed: number | null,
  P: Weights,
  x: Rows,
  y: number[],
  h0: number[],
): DerivationEpisode {
  const T = x.length;
  const H = P.W.length;
  const a: Rows = [];
  const h: Rows = [];
  const o: Rows = [];
  const dO: Rows = [];
  let prev = h0;
  for (let t = 0; t < T; t++) {
    const at = P.b.map(
      (bi, i) => bi + P.W[i].reduce((s, w, j) => s + w * prev[j], 0) + P.U[i].reduce((s, u, k) => s + u * x[t][k], 0),
    );
    const ht = at.map((v) => Math.max(0, v));
    const ot = P.c.map((ck, k) => ck + P.V[k].reduce((s, v, j) => s + v * ht[j], 0));
    const mx = Math.max(...ot);
    const ex = ot.map((v) => Math.exp(v - mx));
    const z = ex.reduce((s, v) => s + v, 0);
    dO.push(ex.map((v, k) => v / z - (k === y[t] ? 1 : 0)));
    a.push(at);
    h.push(ht);
    o.push(ot);
    prev = ht;
  }
  return { label, seed, T, D: P.U[0].length, H, K: P.V.length, ...P, x, h0, a, h, o, dO };
}

/** Random ReLU episodes; redrawn until every step has both an active and an inactive unit (so the mask matters). */
function randomRelu(seed: number, T: number, D: number, H: number, K: number): DerivationEpisode {
  for (let s = seed; ; s += 1000) {
    const { w, r, m } = randomWeights(s, D, H, K);
    const x = m(T, D, 1);
    const y = Array.from({ length: T }, () => r.int(K));
    const h0 = m(1, H, 0.5)[0].map(Math.abs);
    const e = reluEpisode('random', s, w, x, y, h0);
    if (e.a.every((row) => row.some((v) => v > 0.05) && row.some((v) => v < -0.05))) return e;
  }
}

const reluEpisodes = (): DerivationEpisode[] => [
  reluEpisode(
    'tiny',
    null,
    { ...TINY, b: [0.1, 0.3] },
    [
      [1.0, -0.5],
      [-0.4, 0.9],
      [0.6, 0.8],
    ],
    [1, 0, 1],
    [0.5, 0.2],
  ),
  randomRelu(711, 4, 3, 4, 5),
  randomRelu(712, 6, 2, 5, 3),
  randomRelu(713, 8, 4, 6, 2),
];

export const reluBackward: ExerciseSpec = {
  name: 'relu-backward',
  fn: 'reluBptt',
  title: 'the backward pass of a ReLU RNN, h(t) = max(0, a(t)): ∇h(t) L and ∇U, ∇W, ∇b',
  equation: 'derive it: eqs 10.8–10.11 with max(0, ·) in place of tanh',
  signature:
    'reluBptt(x: number[][], h0: number[], a: number[][], h: number[][], dO: number[][], W: number[][], V: ' +
    'number[][]): { dh: number[][]; dU: number[][]; dW: number[][]; db: number[] }',
  params: ['x', 'h0', 'a', 'h', 'dO', 'W', 'V'],
  shape: '{ dh: τ×n_h (row t − 1 holding ∇h(t) L), dU: n_h×D, dW: n_h×n_h, db: n_h }',
  cases: () =>
    reluEpisodes().map(
      (e): Case => ({ label: e.label, seed: e.seed, sizes: sizes(e), args: [e.x, e.h0, e.a, e.h, e.dO, e.W, e.V] }),
    ),
};

// --- a learned initial state h(0) = tanh(b0) ---

function learnedH0Episodes(): { e: DerivationEpisode; b0: number[] }[] {
  const tinyB0 = [0.8, -0.6];
  const out = [{ e: tanhEpisode('tiny', null, TINY, TINY_X, [1, 0, 1], tinyB0.map(Math.tanh)), b0: tinyB0 }];
  for (const [seed, T, D, H, K] of [
    [721, 4, 3, 4, 5],
    [722, 5, 2, 3, 4],
    [723, 7, 4, 6, 3],
  ] as const) {
    const r = rng(seed + 5);
    const b0 = Array.from({ length: H }, () => 0.4 + 0.8 * r.uniform() * (r.uniform() < 0.5 ? -1 : 1));
    out.push({ e: randomTanh(seed, T, D, H, K, b0.map(Math.tanh)), b0 });
  }
  return out;
}

export const learnedH0: ExerciseSpec = {
  name: 'learned-h0',
  fn: 'gradB0',
  title: 'a learned initial state h(0) = tanh(b0): the gradient ∇b0 L',
  equation: 'derive it from eqs 10.8–10.9 at t = 1 and 10.21',
  signature: 'gradB0(b0: number[], h1: number[], dh1: number[], W: number[][]): number[]',
  params: ['b0', 'h1', 'dh1', 'W'],
  shape: 'a vector of length n_h',
  output: '∇b0',
  cases: () =>
    learnedH0Episodes().map(
      ({ e, b0 }): Case => ({
        label: e.label,
        seed: e.seed,
        sizes: sizes(e, 'THK'),
        args: [b0, e.h[0], e.dh![0], e.W],
      }),
    ),
};

// --- only the last step has a loss ---

const lastEpisodes = (): DerivationEpisode[] => {
  const last =
    (T: number) =>
    (t: number): boolean =>
      t === T - 1;
  return [
    tanhEpisode('tiny', null, TINY, TINY_X, [null, null, 1], TINY_H0),
    randomTanh(731, 4, 3, 4, 5, undefined, last(4)),
    randomTanh(732, 6, 2, 5, 3, undefined, last(6)),
    randomTanh(733, 8, 4, 6, 2, undefined, last(8)),
  ];
};

export const lastStepLoss: ExerciseSpec = {
  name: 'last-step-loss',
  fn: 'bpttLast',
  title: 'the backward pass when only the last step has a loss, L = L(τ): ∇h(t) L and every parameter gradient',
  equation: 'derive it: eqs 10.19–10.28 with L(t) = 0 for t < τ',
  signature:
    'bpttLast(x: number[][], h0: number[], h: number[][], dOLast: number[], W: number[][], V: number[][]): { dh: ' +
    'number[][]; dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] }',
  params: ['x', 'h0', 'h', 'dOLast', 'W', 'V'],
  shape: '{ dh: τ×n_h (row t − 1 holding ∇h(t) L), dU: n_h×D, dW: n_h×n_h, dV: K×n_h, db: n_h, dc: K }',
  cases: () =>
    lastEpisodes().map(
      (e): Case => ({ label: e.label, seed: e.seed, sizes: sizes(e), args: [e.x, e.h0, e.h, e.dO[e.T - 1], e.W, e.V] }),
    ),
};

/** The derivation exercises, in the order notebook 23 poses them. */
export const DERIVATION_SPECS: readonly ExerciseSpec[] = [gradX, learnedH0, lastStepLoss, reluBackward];
