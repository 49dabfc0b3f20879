// The output-to-hidden recurrence of Deep Learning §10.2.1 (its figure 10.4), trained with teacher forcing.
//
//   a(t) = b + W y(t−1) + U x(t)        h(t) = tanh(a(t))        o(t) = c + V h(t)        L = Σ_t ½‖o(t) − y(t)‖²
//
// The only recurrence runs from the output at step t − 1 to the hidden units at step t. In training, the previous
// *target* y(t−1) is fed there (teacher forcing; y(0) is given with the sequence); at test time, nothing but the
// model's own previous output o(t−1) is there to feed ("free running"). With the targets fed in, h(t) depends on
// parameters and data only, never on h(t−1) or o(t−1): the backward pass has no recursion through time, so
//
//   ∇o(t) L = o(t) − y(t),   ∇h(t) L = V^T ∇o(t) L,   ∇a(t) L = H(t) ∇h(t) L,   H(t) = diag(1 − h(t)²),
//
// and ∇W L = Σ_t ∇a(t) L y(t−1)^T, ∇U L = Σ_t ∇a(t) L x(t)^T, ∇b = Σ ∇a(t) L, ∇V = Σ ∇o(t) L h(t)^T, ∇c = Σ ∇o(t) L:
// every step's terms can be computed independently (in parallel), and nothing is stored across steps.
// Real-valued outputs and the squared loss (K-vectors), so that o(t−1) can be fed back as it is.
//
// Shapes: x(t) ∈ R^D, h(t) ∈ R^H, o(t), y(t) ∈ R^K; U is H×D, W is H×K (output → hidden), V is K×H, b ∈ R^H, c ∈ R^K.
import { BpttError } from './errors';
import { randn, rng } from './rng';
import { expectLength, expectShape, fromRows, type Mat, mat } from './tensor';

export interface TfParams {
  readonly U: Mat; // H×D
  readonly W: Mat; // H×K: the previous output (or target) → hidden
  readonly V: Mat; // K×H
  readonly b: Float64Array; // H
  readonly c: Float64Array; // K
}

export const TF_PARAM_NAMES = ['U', 'W', 'V', 'b', 'c'] as const;
export type TfParamName = (typeof TF_PARAM_NAMES)[number];

export function tfParamData(p: TfParams, name: TfParamName): Float64Array {
  const v = p[name];
  return v instanceof Float64Array ? v : v.data;
}

export function initTf(o: {
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  seed?: number;
  scale?: number;
}): TfParams {
  const { inputSize: D, hiddenSize: H, outputSize: K } = o;
  for (const [k, v] of Object.entries({ inputSize: D, hiddenSize: H, outputSize: K })) {
    if (!Number.isInteger(v) || v < 1) throw new BpttError(`initTf: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = rng(o.seed ?? 1);
  const s = o.scale ?? 1;
  return {
    U: randn(H, D, s / Math.sqrt(D), r),
    W: randn(H, K, s / Math.sqrt(K), r),
    V: randn(K, H, s / Math.sqrt(H), r),
    b: new Float64Array(H),
    c: new Float64Array(K),
  };
}

function sizes(p: TfParams): { D: number; H: number; K: number } {
  const H = p.U.rows,
    D = p.U.cols,
    K = p.V.rows;
  const eqA = 'a(t) = b + W y(t-1) + U x(t) (the output-to-hidden recurrence, §10.2.1)';
  expectShape(p.W, H, K, `W in ${eqA}`, 'H×K');
  expectLength(p.b, H, `b in ${eqA}`, 'H');
  expectShape(p.V, K, H, 'V in o(t) = c + V h(t)', 'K×H');
  expectLength(p.c, K, 'c in o(t) = c + V h(t)', 'K');
  return { D, H, K };
}

export interface TfSequence {
  readonly x: Mat; // T×D inputs
  readonly y: Mat; // (T+1)×K: y(0), y(1), …, y(T); y(0) is the given start, y(1..T) the targets
}

export function tfSequence(x: readonly (readonly number[])[], y: readonly (readonly number[])[]): TfSequence {
  const s = { x: fromRows(x, 'x'), y: fromRows(y, 'y') };
  if (s.y.rows !== s.x.rows + 1)
    throw new BpttError(
      `a teacher-forcing sequence needs y(0), …, y(T): T + 1 = ${s.x.rows + 1} rows of y, got ${s.y.rows}`,
    );
  return s;
}

export interface TfForward {
  readonly mode: 'teacher' | 'free';
  readonly T: number;
  readonly fed: Mat; // T×K: what was fed at step t: y(t−1) (teacher) or o(t−1) (free; y(0) at t = 1)
  readonly h: Mat; // T×H
  readonly o: Mat; // T×K
  readonly losses: Float64Array; // T: ½‖o(t) − y(t)‖²
  readonly loss: number;
}

/** Forward pass: 'teacher' feeds the previous target y(t−1), 'free' the model's own previous output o(t−1). */
export function tfForward(p: TfParams, s: TfSequence, mode: 'teacher' | 'free' = 'teacher'): TfForward {
  const { D, H, K } = sizes(p);
  const T = s.x.rows;
  if (T < 1) throw new BpttError('the sequence is empty: T ≥ 1 steps are needed');
  expectShape(s.x, T, D, 'x in a(t) = b + W y(t-1) + U x(t)', 'T×D');
  expectShape(s.y, T + 1, K, 'y (y(0), …, y(T))', '(T+1)×K');
  const fed = mat(T, K),
    h = mat(T, H),
    o = mat(T, K);
  const losses = new Float64Array(T);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++)
      fed.data[t * K + k] = mode === 'teacher' || t === 0 ? s.y.data[t * K + k] : o.data[(t - 1) * K + k];
    for (let i = 0; i < H; i++) {
      let a = p.b[i];
      for (let k = 0; k < K; k++) a += p.W.data[i * K + k] * fed.data[t * K + k];
      for (let j = 0; j < D; j++) a += p.U.data[i * D + j] * s.x.data[t * D + j];
      h.data[t * H + i] = Math.tanh(a);
    }
    let l = 0;
    for (let k = 0; k < K; k++) {
      let v = p.c[k];
      for (let i = 0; i < H; i++) v += p.V.data[k * H + i] * h.data[t * H + i];
      o.data[t * K + k] = v;
      const d = v - s.y.data[(t + 1) * K + k];
      l += 0.5 * d * d;
    }
    losses[t] = l;
    loss += l;
  }
  if (!Number.isFinite(loss)) throw new BpttError(`teacher-forcing forward pass (${mode}): the loss is ${loss}`);
  return { mode, T, fed, h, o, losses, loss };
}

export interface TfGrads {
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly dh: Mat; // T×H, ∇h(t) L = V^T ∇o(t) L: no term from step t + 1
}

/** Backward pass of a teacher-forced forward pass: each step on its own, no recursion through time. */
export function tfBackward(p: TfParams, s: TfSequence, fw: TfForward): TfGrads {
  if (fw.mode !== 'teacher')
    throw new BpttError(
      'tfBackward differentiates the teacher-forced pass; free running feeds o(t−1) back, and its gradient would ' +
        'need BPTT through the outputs',
    );
  const { D, H, K } = sizes(p);
  const T = fw.T;
  const g = {
    dU: mat(H, D),
    dW: mat(H, K),
    dV: mat(K, H),
    db: new Float64Array(H),
    dc: new Float64Array(K),
    dh: mat(T, H),
  };
  const dO = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      dO[k] = fw.o.data[t * K + k] - s.y.data[(t + 1) * K + k]; // ∇o(t) L = o(t) − y(t)
      g.dc[k] += dO[k];
      for (let i = 0; i < H; i++) g.dV.data[k * H + i] += dO[k] * fw.h.data[t * H + i];
    }
    for (let i = 0; i < H; i++) {
      let dh = 0; // ∇h(t) L = V^T ∇o(t) L — and nothing from h(t+1): h(t+1) is fed y(t), not h(t)
      for (let k = 0; k < K; k++) dh += p.V.data[k * H + i] * dO[k];
      g.dh.data[t * H + i] = dh;
      const hi = fw.h.data[t * H + i];
      const da = (1 - hi * hi) * dh; // ∇a(t) L = H(t) ∇h(t) L
      g.db[i] += da;
      for (let k = 0; k < K; k++) g.dW.data[i * K + k] += da * fw.fed.data[t * K + k]; // ∇W L += ∇a(t) L y(t−1)^T
      for (let j = 0; j < D; j++) g.dU.data[i * D + j] += da * s.x.data[t * D + j];
    }
  }
  return g;
}

export function tfGradData(g: TfGrads, name: TfParamName): Float64Array {
  const v = { U: g.dU, W: g.dW, V: g.dV, b: g.db, c: g.dc }[name];
  return v instanceof Float64Array ? v : v.data;
}
