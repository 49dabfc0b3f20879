// The cases every exercise draws from: real forward/backward passes of the engine, in plain arrays.
// Case 0 is a tiny hand-readable one (one-decimal parameters, T = 3, D = 2, H = 3, K = 3, h(0) ≠ 0); the others
// are random, reproducible from their seed. W is never symmetric, entries are distinct, h(0) ≠ 0, so that the
// known mistakes (a transpose, h(t) for h(t−1), a missing h(0) term, ...) change the numbers.
import { backward, forward, Params } from '../rnn';
import { fromRows, Mat, rng, toRows } from '../tensor';

/** Everything about one sequence that an exercise may hand to the student, as plain arrays. */
export interface Episode {
  readonly label: string;
  readonly seed: number | null;
  readonly D: number;
  readonly H: number;
  readonly K: number;
  readonly T: number;
  readonly U: number[][]; // H×D
  readonly W: number[][]; // H×H
  readonly V: number[][]; // K×H
  readonly b: number[]; // H
  readonly c: number[]; // K
  readonly x: number[][]; // T×D, x(1)..x(T)
  readonly y: number[]; // T classes
  readonly h0: number[]; // H
  readonly a: number[][]; // T×H
  readonly h: number[][]; // T×H, h(1)..h(T)
  readonly o: number[][]; // T×K
  readonly dO: number[][]; // T×K, ∇o(t) L
  readonly dh: number[][]; // T×H, ∇h(t) L (full BPTT)
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

function build(label: string, seed: number | null, P: { U: number[][]; W: number[][]; V: number[][]; b: number[]; c: number[] }, x: number[][], y: number[], h0: number[]): Episode {
  const p: Params = { U: fromRows(P.U), W: fromRows(P.W), V: fromRows(P.V), b: Float64Array.from(P.b), c: Float64Array.from(P.c) };
  const fw = forward(p, { x }, y, { loss: 'softmax-ce', h0 });
  const g = backward(p, fw);
  const rows = (m: Mat): number[][] => toRows(m);
  return {
    label, seed, D: P.U[0].length, H: P.W.length, K: P.V.length, T: x.length, ...P, x, y, h0,
    a: rows(fw.a), h: rows(fw.h), o: rows(fw.o), dO: rows(g.dO), dh: rows(g.dh),
  };
}

/** The tiny case: every number has one decimal, so a reader can follow it by hand. */
export function tinyEpisode(): Episode {
  return build('tiny', null, {
    U: [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]],
    W: [[0.1, -0.4, 0.3], [0.6, 0.2, -0.5], [-0.2, 0.7, 0.4]],
    V: [[0.3, -0.7, 0.2], [-0.5, 0.4, 0.9], [0.8, 0.1, -0.3]],
    b: [0.1, -0.2, 0.3],
    c: [0.2, 0.0, -0.1],
  }, [[1.0, -0.5], [0.3, 0.9], [-0.8, 0.4]], [2, 0, 1], [0.5, -0.2, 0.1]);
}

/** A random episode from a seed; sizes chosen so that the transposes of U, V have other shapes (D ≠ H ≠ K). */
export function randomEpisode(seed: number, T: number, D: number, H: number, K: number): Episode {
  const r = rng(seed);
  const m = (rows: number, cols: number, s: number): number[][] => Array.from({ length: rows }, () => Array.from({ length: cols }, () => s * r.normal()));
  const U = m(H, D, 1 / Math.sqrt(D));
  const W = m(H, H, 1.2 / Math.sqrt(H));
  const V = m(K, H, 1 / Math.sqrt(H));
  const b = m(1, H, 0.3)[0];
  const c = m(1, K, 0.3)[0];
  const x = m(T, D, 1);
  const y = Array.from({ length: T }, () => r.int(K));
  const h0 = m(1, H, 0.5)[0];
  return build(`random`, seed, { U, W, V, b, c }, x, y, h0);
}

/** The episodes most exercises use: the tiny one, then three random ones of growing size. */
export function standardEpisodes(): Episode[] {
  return [tinyEpisode(), randomEpisode(101, 4, 3, 4, 5), randomEpisode(202, 6, 2, 5, 3), randomEpisode(303, 9, 4, 6, 2)];
}

export function sizesOf(e: Episode, parts: string = 'TDHK'): string {
  const all: Record<string, string> = { T: `T = ${e.T}`, D: `D = ${e.D}`, H: `H = ${e.H}`, K: `K = ${e.K}` };
  return [...parts].map((p) => all[p]).join(', ');
}

/** Rounds to one decimal: for the readable tiny cases. */
export { round1 };

// --- small plain-array helpers for solutions and mistake models ---

export const zeros = (n: number): number[] => new Array<number>(n).fill(0);
export const zerosM = (r: number, c: number): number[][] => Array.from({ length: r }, () => zeros(c));
export const transposeM = (A: readonly (readonly number[])[]): number[][] => A[0].map((_, j) => A.map((row) => row[j]));
/** A v for a matrix A (rows×cols) and a vector v (cols). */
export const mv = (A: readonly (readonly number[])[], v: readonly number[]): number[] => A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
/** A^T v. */
export const mtv = (A: readonly (readonly number[])[], v: readonly number[]): number[] => {
  const out = zeros(A[0].length);
  A.forEach((row, i) => row.forEach((a, j) => { out[j] += a * v[i]; }));
  return out;
};
export const add = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v + b[i]);
export const mul = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v * b[i]);
export const scale = (a: readonly number[], s: number): number[] => a.map((v) => v * s);
/** u v^T. */
export const outer = (u: readonly number[], v: readonly number[]): number[][] => u.map((a) => v.map((b) => a * b));
export const addM = (A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number[][] => A.map((row, i) => row.map((a, j) => a + B[i][j]));
export const scaleM = (A: readonly (readonly number[])[], s: number): number[][] => A.map((row) => row.map((a) => a * s));
/** The diagonal of H(t) = diag(1 − h(t)²), tanh' written with the output h = tanh(a). */
export const dtanh = (h: readonly number[]): number[] => h.map((v) => 1 - v * v);
