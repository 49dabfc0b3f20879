// The parameters U, W, V, b, c of the vanilla RNN (Deep Learning §10.2.2): their shapes, the check that they fit
// together, and the initialisation. Shapes: x(t) ∈ R^D, h(t) ∈ R^H, o(t) ∈ R^K; U is H×D, W is H×H, V is K×H, b ∈ R^H,
// c ∈ R^K.
import { BpttError } from './errors';
import { randn, rng } from './rng';
import { expectFinite, expectLength, expectShape, type Mat, mat } from './tensor';

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
  /**
   * Multiplies the default std 1/√fan_in of U, W, V (Xavier-like, so tanh starts neither linear nor saturated). Default
   * 1.
   */
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
  return {
    U: mat(p.U.rows, p.U.cols),
    W: mat(p.W.rows, p.W.cols),
    V: mat(p.V.rows, p.V.cols),
    b: new Float64Array(p.b.length),
    c: new Float64Array(p.c.length),
  };
}

export function cloneParams(p: Params): Params {
  return {
    U: mat(p.U.rows, p.U.cols, p.U.data.slice()),
    W: mat(p.W.rows, p.W.cols, p.W.data.slice()),
    V: mat(p.V.rows, p.V.cols, p.V.data.slice()),
    b: p.b.slice(),
    c: p.c.slice(),
  };
}

/** The flat storage of one parameter (a matrix's data or the vector itself). */
export function paramData(p: Params, name: ParamName): Float64Array {
  const v = p[name];
  return v instanceof Float64Array ? v : v.data;
}
