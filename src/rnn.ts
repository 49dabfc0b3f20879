// The vanilla RNN of Deep Learning §10.2.2: forward (eqs 10.8–10.11) and backward (eqs 10.17–10.28).
// Each piece's forward is followed directly by its backward; every backward line names the equation
// it implements. Indexing: per-step matrices hold step t = 1..T in row t − 1 (the book counts from 1);
// h(0) is kept apart as `h0`.
//
// Shapes: x(t) ∈ R^D, h(t) ∈ R^H, o(t) ∈ R^K; U is H×D, W is H×H, V is K×H, b ∈ R^H, c ∈ R^K.
import { LossName, TargetInput, Targets, lossBackward, lossForward, toTargets } from './losses';
import {
  BpttError, Mat, expectFinite, expectLength, expectShape, firstNonFinite, fromRows, mat, matTVec, randn, rng, row, shapeOf,
} from './tensor';

export interface Params {
  readonly U: Mat; // H×D, input → hidden
  readonly W: Mat; // H×H, hidden → hidden
  readonly V: Mat; // K×H, hidden → output
  readonly b: Float64Array; // H
  readonly c: Float64Array; // K
}

export interface Sizes {
  readonly D: number;
  readonly H: number;
  readonly K: number;
}

export const PARAM_NAMES = ['U', 'W', 'V', 'b', 'c'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Sizes read off the parameters, after checking that they fit together. */
export function checkParams(p: Params): Sizes {
  const H = p.W.rows;
  const D = p.U.cols;
  const K = p.V.rows;
  const eqA = 'a(t) = b + W h(t-1) + U x(t) (eq 10.8)';
  const eqO = 'o(t) = c + V h(t) (eq 10.10)';
  expectShape(p.W, H, H, `W in ${eqA}`, 'H×H');
  expectShape(p.U, H, D, `U in ${eqA}`, 'H×D');
  expectLength(p.b, H, `b in ${eqA}`, 'H');
  expectShape(p.V, K, H, `V in ${eqO}`, 'K×H');
  expectLength(p.c, K, `c in ${eqO}`, 'K');
  if (H < 1 || D < 1 || K < 1) throw new BpttError(`sizes must be at least 1, got H = ${H}, D = ${D}, K = ${K}`);
  for (const name of PARAM_NAMES) {
    const v = p[name];
    expectFinite(v instanceof Float64Array ? v : v.data, `parameter ${name}`);
  }
  return { D, H, K };
}

export interface InitOptions {
  inputSize: number; // D
  hiddenSize: number; // H
  outputSize: number; // K
  /** Seed of the generator; the same seed gives the same parameters. Default 1. */
  seed?: number;
  /** Multiplies the default std 1/√fan_in of U, W, V (Xavier-like, so tanh starts neither linear nor saturated). Default 1. */
  scale?: number;
  /** Std of the biases b, c. Default 0 (zeros), as in min-char-rnn. */
  biasStd?: number;
}

export function initParams(o: InitOptions): Params {
  const { inputSize: D, hiddenSize: H, outputSize: K } = o;
  for (const [k, v] of Object.entries({ inputSize: D, hiddenSize: H, outputSize: K })) {
    if (!Number.isInteger(v) || v < 1) throw new BpttError(`initParams: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = rng(o.seed ?? 1);
  const s = o.scale ?? 1;
  const bs = o.biasStd ?? 0;
  return {
    U: randn(H, D, s / Math.sqrt(D), r),
    W: randn(H, H, s / Math.sqrt(H), r),
    V: randn(K, H, s / Math.sqrt(H), r),
    b: randn(1, H, bs, r).data,
    c: randn(1, K, bs, r).data,
  };
}

export function zerosLike(p: Params): Params {
  return { U: mat(p.U.rows, p.U.cols), W: mat(p.W.rows, p.W.cols), V: mat(p.V.rows, p.V.cols), b: new Float64Array(p.b.length), c: new Float64Array(p.c.length) };
}

export function cloneParams(p: Params): Params {
  return { U: mat(p.U.rows, p.U.cols, p.U.data.slice()), W: mat(p.W.rows, p.W.cols, p.W.data.slice()), V: mat(p.V.rows, p.V.cols, p.V.data.slice()), b: p.b.slice(), c: p.c.slice() };
}

/** The flat storage of one parameter (a matrix's data or the vector itself). */
export function paramData(p: Params, name: ParamName): Float64Array {
  const v = p[name];
  return v instanceof Float64Array ? v : v.data;
}

// --- inputs ---

/** Token indices (one-hot inputs), real vectors (T×D), or either wrapped as { tokens } / { x }. */
export type InputSpec =
  | ArrayLike<number>
  | Mat
  | readonly (readonly number[])[]
  | { readonly tokens: ArrayLike<number> }
  | { readonly x: Mat | readonly (readonly number[])[] };

/** Checked inputs: exactly one of tokens / x is set. */
export interface Inputs {
  readonly T: number;
  readonly tokens: Int32Array | null;
  readonly x: Mat | null; // T×D
}

export function toInputs(spec: InputSpec, D: number): Inputs {
  const eq = 'x(t) in a(t) = b + W h(t-1) + U x(t) (eq 10.8)';
  let tokens: ArrayLike<number> | null = null;
  let x: Mat | readonly (readonly number[])[] | null = null;
  if ('tokens' in spec) tokens = spec.tokens;
  else if ('x' in spec) x = spec.x;
  else if ('data' in spec && 'rows' in spec) x = spec;
  else if (spec.length > 0 && typeof spec[0] !== 'number') x = spec as readonly (readonly number[])[];
  else tokens = spec as ArrayLike<number>;
  if (tokens !== null) {
    const t32 = new Int32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      const j = tokens[t];
      if (!Number.isInteger(j) || j < 0 || j >= D) {
        throw new BpttError(`token x(${t + 1}) must be an index in 0..${D - 1} (D = ${D}) for a one-hot ${eq}, got ${j}`);
      }
      t32[t] = j;
    }
    return { T: t32.length, tokens: t32, x: null };
  }
  const m = x !== null && 'data' in x ? x : fromRows(x ?? [], 'x');
  if (m.rows > 0) expectShape(m, m.rows, D, eq, 'T×D');
  const bad = firstNonFinite(m.data);
  if (bad >= 0) throw new BpttError(`x(${Math.floor(bad / D) + 1})[${bad % D}] must be finite, got ${m.data[bad]}`);
  return { T: m.rows, tokens: null, x: m };
}

export function sliceInputs(xs: Inputs, from: number, to: number): Inputs {
  if (xs.tokens) return { T: to - from, tokens: xs.tokens.subarray(from, to), x: null };
  const x = xs.x as Mat;
  return { T: to - from, tokens: null, x: mat(to - from, x.cols, x.data.subarray(from * x.cols, to * x.cols)) };
}

// --- the hidden step: eqs 10.8–10.9 forward; 10.20–10.21 (first term), 10.23, 10.25–10.28 backward ---

/** a(t) = b + W h(t-1) + U x(t) (eq 10.8); h(t) = tanh(a(t)) (eq 10.9). Step t is 0-based here. */
function hiddenForward(p: Params, xs: Inputs, t: number, hPrev: Float64Array, a: Float64Array, h: Float64Array): void {
  const { U, W, b } = p;
  const H = W.rows;
  const D = U.cols;
  const tok = xs.tokens ? xs.tokens[t] : -1;
  const x = xs.x ? row(xs.x, t) : null;
  for (let i = 0; i < H; i++) {
    let s = b[i];
    const wi = i * H;
    for (let j = 0; j < H; j++) s += W.data[wi + j] * hPrev[j];
    if (x) {
      const ui = i * D;
      for (let j = 0; j < D; j++) s += U.data[ui + j] * x[j];
    } else {
      s += U.data[i * D + tok]; // U x(t) for a one-hot x(t) is column `tok` of U
    }
    a[i] = s;
    h[i] = Math.tanh(s);
  }
}

/**
 * Given ∇h(t) L, accumulate step t's share of ∇b, ∇W, ∇U and return, in dhPrev, the gradient that flows
 * into h(t−1) through W. In the forward pass h(t) = tanh(a(t)), so ∇a(t) L = H(t) ∇h(t) L with
 * H(t) = diag(1 − h(t)²) (tanh' = 1 − tanh²); a(t) = b + W h(t-1) + U x(t) then hands ∇a(t) L to b, W, U and h(t−1).
 */
function hiddenBackward(
  p: Params, xs: Inputs, t: number, h: Float64Array, hPrev: Float64Array, dh: Float64Array,
  dtanh: Float64Array, da: Float64Array, g: Params, dhPrev: Float64Array,
): void {
  const H = p.W.rows;
  const D = p.U.cols;
  const tok = xs.tokens ? xs.tokens[t] : -1;
  const x = xs.x ? row(xs.x, t) : null;
  for (let i = 0; i < H; i++) {
    dtanh[i] = 1 - h[i] * h[i]; // H(t) = diag(1 − h(t)²), kept as its diagonal
    const dai = dtanh[i] * dh[i]; // ∇a(t) L = H(t) ∇h(t) L
    da[i] = dai;
    g.b[i] += dai; // eq 10.23: ∇b L = Σ_t H(t) ∇h(t) L
    const wi = i * H;
    for (let j = 0; j < H; j++) g.W.data[wi + j] += dai * hPrev[j]; // eqs 10.25–10.26: ∇W L = Σ_t H(t) ∇h(t) L h(t−1)^T
    if (x) {
      const ui = i * D;
      for (let j = 0; j < D; j++) g.U.data[ui + j] += dai * x[j]; // eqs 10.27–10.28: ∇U L = Σ_t H(t) ∇h(t) L x(t)^T
    } else {
      g.U.data[i * D + tok] += dai; // the same, for a one-hot x(t): only column `tok` is touched
    }
  }
  matTVec(p.W, da, dhPrev); // W^T H(t) ∇h(t) L: the first term of eq 10.21 for step t−1
}

// --- the output step: eq 10.10 forward; 10.19, 10.21 (second term), 10.22, 10.24 backward ---

/** o(t) = c + V h(t) (eq 10.10). */
function outputForward(p: Params, h: Float64Array, o: Float64Array): void {
  const { V, c } = p;
  const H = V.cols;
  for (let k = 0; k < V.rows; k++) {
    let s = c[k];
    const vk = k * H;
    for (let j = 0; j < H; j++) s += V.data[vk + j] * h[j];
    o[k] = s;
  }
}

/**
 * Given ∇o(t) L, accumulate step t's share of ∇c and ∇V and ADD V^T ∇o(t) L into dh.
 * In the forward pass o(t) = c + V h(t), so ∇c gets ∇o(t) L, ∇V gets ∇o(t) L h(t)^T, h(t) gets V^T ∇o(t) L.
 */
function outputBackward(p: Params, h: Float64Array, dO: Float64Array, g: Params, dh: Float64Array): void {
  const { V } = p;
  const H = V.cols;
  for (let k = 0; k < V.rows; k++) {
    const dok = dO[k];
    g.c[k] += dok; // eq 10.22: ∇c L = Σ_t ∇o(t) L
    if (dok === 0) continue;
    const vk = k * H;
    for (let j = 0; j < H; j++) {
      g.V.data[vk + j] += dok * h[j]; // eq 10.24: ∇V L = Σ_t ∇o(t) L h(t)^T
      dh[j] += V.data[vk + j] * dok; // eqs 10.19/10.21: the V^T ∇o(t) L term of ∇h(t) L
    }
  }
}

// --- the whole sequence ---

export interface ForwardOptions {
  /** Which L(t): 'softmax-ce' (the book's, default) or 'squared' (½‖o(t) − y(t)‖²). */
  loss?: LossName;
  /** h(0); zeros when absent. */
  h0?: ArrayLike<number>;
}

/** Everything the forward pass computed. Per-step matrices hold step t in row t − 1. */
export interface Forward {
  readonly sizes: Sizes;
  readonly T: number;
  readonly inputs: Inputs;
  readonly targets: Targets;
  readonly h0: Float64Array; // h(0)
  readonly a: Mat; // T×H, a(t)
  readonly h: Mat; // T×H, h(t)
  readonly o: Mat; // T×K, o(t)
  readonly yhat: Mat; // T×K, ŷ(t) = softmax(o(t)) (softmax-ce) or o(t) (squared)
  readonly losses: Float64Array; // T, L(t) (0 where the target is null)
  readonly loss: number; // L = Σ_t L(t) (eqs 10.12–10.14), a sum, never a mean
}

/** h(t−1) for 0-based step t: h(0) at t = 0, else row t − 1 of h. */
export function hPrevOf(fw: Forward, t: number): Float64Array {
  return t === 0 ? fw.h0 : row(fw.h, t - 1);
}

/** Forward pass over the whole sequence (eqs 10.8–10.14). */
export function forward(p: Params, xsSpec: InputSpec, ys: TargetInput, opts: ForwardOptions = {}): Forward {
  const sizes = checkParams(p);
  const { H, K, D } = sizes;
  const inputs = toInputs(xsSpec, D);
  const T = inputs.T;
  if (T < 1) throw new BpttError('the sequence is empty: forward needs at least one step x(1) (T ≥ 1)');
  const targets = toTargets(opts.loss ?? 'softmax-ce', ys, T, K);
  const h0 = new Float64Array(H);
  if (opts.h0 !== undefined) {
    expectLength(opts.h0, H, 'h(0) in a(1) = b + W h(0) + U x(1) (eq 10.8)', 'H');
    h0.set(opts.h0);
    expectFinite(h0, 'h(0)');
  }
  const a = mat(T, H);
  const h = mat(T, H);
  const o = mat(T, K);
  const yhat = mat(T, K);
  const losses = new Float64Array(T);
  let loss = 0;
  let hPrev = h0;
  for (let t = 0; t < T; t++) {
    const ht = row(h, t);
    hiddenForward(p, inputs, t, hPrev, row(a, t), ht);
    const ot = row(o, t);
    outputForward(p, ht, ot);
    losses[t] = lossForward(targets, t, ot, row(yhat, t));
    loss += losses[t];
    hPrev = ht;
  }
  const fw: Forward = { sizes, T, inputs, targets, h0, a, h, o, yhat, losses, loss };
  if (!Number.isFinite(loss)) reportNonFinite(fw);
  return fw;
}

/** Finds the first step and quantity where the forward pass stopped being finite, and says so. */
function reportNonFinite(fw: Forward): never {
  const quantities: [string, Mat][] = [['a', fw.a], ['h', fw.h], ['o', fw.o], ['ŷ', fw.yhat]];
  for (let t = 0; t < fw.T; t++) {
    for (const [name, m] of quantities) {
      const i = firstNonFinite(row(m, t));
      if (i >= 0) throw new BpttError(`forward pass: ${name}(${t + 1})[${i}] is ${row(m, t)[i]} — the first non-finite value (step t = ${t + 1})`);
    }
    if (!Number.isFinite(fw.losses[t])) throw new BpttError(`forward pass: L(${t + 1}) is ${fw.losses[t]} (step t = ${t + 1})`);
  }
  throw new BpttError(`forward pass: the loss is ${fw.loss} although every L(t) is finite (overflow in the sum)`);
}

export interface BackwardOptions {
  /**
   * Truncated BPTT: chunks of k steps from t = 1 (1..k, k+1..2k, ...; the last may be shorter). The state
   * is carried across chunk boundaries but no gradient flows back across them (PyTorch's detach()).
   * The loss is still the full Σ_t L(t); ∇h(0) comes from the first chunk only. k ≥ T is full BPTT.
   */
  truncate?: number;
}

/** The gradients of L, and the per-step quantities the notebooks show. Per-step matrices hold step t in row t − 1. */
export interface Grads {
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly dh0: Float64Array; // ∇h(0) L = W^T H(1) ∇h(1) L (no V^T ∇o(0) term: there is no o(0))
  readonly dO: Mat; // T×K, ∇o(t) L (eq 10.18) — capital O because `do` is a keyword
  readonly dh: Mat; // T×H, ∇h(t) L (eqs 10.19–10.21), within its chunk when truncated
  readonly dtanh: Mat; // T×H, the diagonal of H(t) = diag(1 − h(t)²)
  readonly da: Mat; // T×H, ∇a(t) L = H(t) ∇h(t) L
  readonly truncate: number; // the chunk length used (T for full BPTT)
}

export function checkTruncate(k: number | undefined, T: number): number {
  if (k === undefined) return Math.max(T, 1);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new BpttError(`truncate must be an integer ≥ 1 (chunk length k of truncated BPTT), got ${String(k)}`);
  }
  return k;
}

/** Backward pass (eqs 10.17–10.28), walking t from τ down to 1 inside each truncation chunk. */
export function backward(p: Params, fw: Forward, opts: BackwardOptions = {}): Grads {
  const { H, K } = checkParams(p);
  if (H !== fw.sizes.H || K !== fw.sizes.K || p.U.cols !== fw.sizes.D) {
    throw new BpttError(`backward: the parameters (H = ${H}, D = ${p.U.cols}, K = ${K}) are not those of the forward pass (H = ${fw.sizes.H}, D = ${fw.sizes.D}, K = ${fw.sizes.K})`);
  }
  const T = fw.T;
  const k = checkTruncate(opts.truncate, T);
  const g = zerosLike(p);
  const dO = mat(T, K);
  const dh = mat(T, H);
  const dtanh = mat(T, H);
  const da = mat(T, H);
  const dh0 = new Float64Array(H);
  const carry = new Float64Array(H); // W^T H(t+1) ∇h(t+1) L, handed from step t+1 to step t
  // Chunks [s, e) in 0-based steps; the last chunk first, though the order does not matter: they are independent.
  for (let s = Math.floor((T - 1) / k) * k; s >= 0; s -= k) {
    const e = Math.min(s + k, T);
    carry.fill(0); // eq 10.19: at the chunk's last step nothing comes from h(t+1) (no step after τ, or detached)
    for (let t = e - 1; t >= s; t--) {
      const ht = row(fw.h, t);
      const dOt = row(dO, t);
      lossBackward(fw.targets, t, row(fw.o, t), row(fw.yhat, t), dOt); // eqs 10.17–10.18
      const dht = row(dh, t);
      dht.set(carry); // eq 10.21, first term: W^T H(t+1) ∇h(t+1) L
      outputBackward(p, ht, dOt, g, dht); // eq 10.21, second term: + V^T ∇o(t) L; and eqs 10.22, 10.24
      hiddenBackward(p, fw.inputs, t, ht, hPrevOf(fw, t), dht, row(dtanh, t), row(da, t), g, carry); // 10.23, 10.25–10.28
    }
    if (s === 0) dh0.set(carry); // ∇h(0) L = W^T H(1) ∇h(1) L; at a later chunk start the gradient is dropped
  }
  const grads: Grads = { dU: g.U, dW: g.W, dV: g.V, db: g.b, dc: g.c, dh0, dO, dh, dtanh, da, truncate: k };
  checkGradsFinite(grads, T);
  return grads;
}

function checkGradsFinite(g: Grads, T: number): void {
  // The backward pass runs from t = τ down, so the first non-finite value is the one with the largest t.
  for (let t = T - 1; t >= 0; t--) {
    for (const [name, m] of [['∇o', g.dO], ['∇h', g.dh]] as const) {
      const i = firstNonFinite(row(m, t));
      if (i >= 0) throw new BpttError(`backward pass: ${name}(${t + 1}) L[${i}] is ${row(m, t)[i]} — the first non-finite value (step t = ${t + 1})`);
    }
  }
  const all: [string, Float64Array][] = [['∇U', g.dU.data], ['∇W', g.dW.data], ['∇V', g.dV.data], ['∇b', g.db], ['∇c', g.dc], ['∇h(0)', g.dh0]];
  for (const [name, v] of all) {
    const i = firstNonFinite(v);
    if (i >= 0) throw new BpttError(`backward pass: ${name} L[${i}] is ${v[i]} (overflow while summing over t)`);
  }
}

/** Forward then backward in one call. */
export function lossAndGrads(p: Params, xs: InputSpec, ys: TargetInput, opts: ForwardOptions & BackwardOptions = {}): { fw: Forward; grads: Grads } {
  const fw = forward(p, xs, ys, opts);
  return { fw, grads: backward(p, fw, opts) };
}

/** Step t's summand (t = 1..T, as in the book) of each of eqs 10.22–10.28, from a finished backward pass. */
export interface StepContribution {
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
}

export function stepContribution(p: Params, fw: Forward, g: Grads, t: number): StepContribution {
  if (!Number.isInteger(t) || t < 1 || t > fw.T) throw new BpttError(`step t must be in 1..${fw.T}, got ${t}`);
  const i = t - 1;
  const c = zerosLike(p);
  const scratch = new Float64Array(fw.sizes.H);
  // The same accumulating kernels the backward pass uses, started from zero, so the summand is computed once.
  outputBackward(p, row(fw.h, i), row(g.dO, i), c, scratch);
  hiddenBackward(p, fw.inputs, i, row(fw.h, i), hPrevOf(fw, i), row(g.dh, i), new Float64Array(fw.sizes.H), new Float64Array(fw.sizes.H), c, scratch);
  return { dU: c.U, dW: c.W, dV: c.V, db: c.b, dc: c.c };
}

/** A readable one-line shape summary, e.g. "U 3×2, W 3×3, V 2×3, b 3, c 2". */
export function describeParams(p: Params): string {
  return `U ${shapeOf(p.U)}, W ${shapeOf(p.W)}, V ${shapeOf(p.V)}, b ${p.b.length}, c ${p.c.length}`;
}
