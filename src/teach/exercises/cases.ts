// The cases every exercise draws from: real forward/backward passes of the engine, in plain arrays. Inputs only:
// what the checker expects back is computed in answers/, which no student-facing module imports.
// Case 0 is a tiny hand-readable one (one-decimal parameters, τ = 3, D = 2, n_h = 3, K = 3, h(0) ≠ 0); the others
// are random, reproducible from their seed. W is never symmetric, entries are distinct, h(0) ≠ 0, so that the
// known mistakes (a transpose, h(t) for h(t−1), a missing h(0) term, ...) change the numbers.
import { backward, forward } from '../../model/engine';
import type { Params } from '../../model/params';
import { rng } from '../../model/rng';
import { fromRows, type Mat, toRows } from '../../model/tensor';

/** Everything about one sequence that an exercise may hand to the student, as plain arrays. */
export interface Episode {
  readonly label: string;
  readonly seed: number | null;
  readonly D: number;
  readonly H: number; // n_h, the hidden size
  readonly K: number;
  readonly T: number; // T = τ, the sequence length
  readonly U: number[][]; // n_h×D
  readonly W: number[][]; // n_h×n_h
  readonly V: number[][]; // K×n_h
  readonly b: number[]; // n_h
  readonly c: number[]; // K
  readonly x: number[][]; // τ×D, x(1)..x(τ)
  readonly y: number[]; // τ classes
  readonly h0: number[]; // n_h
  readonly a: number[][]; // τ×n_h
  readonly h: number[][]; // τ×n_h, h(1)..h(τ)
  readonly o: number[][]; // τ×K
  readonly dO: number[][]; // τ×K, ∇o(t) L
  readonly dh: number[][]; // τ×n_h, ∇h(t) L (full BPTT)
}

function build(
  label: string,
  seed: number | null,
  P: { U: number[][]; W: number[][]; V: number[][]; b: number[]; c: number[] },
  x: number[][],
  y: number[],
  h0: number[],
): Episode {
  const p: Params = {
    U: fromRows(P.U),
    W: fromRows(P.W),
    V: fromRows(P.V),
    b: Float64Array.from(P.b),
    c: Float64Array.from(P.c),
  };
  const fw = forward(p, { x }, y, { loss: 'softmax-ce', h0 });
  const g = backward(p, fw);
  const rows = (m: Mat): number[][] => toRows(m);
  return {
    label,
    seed,
    D: P.U[0].length,
    H: P.W.length,
    K: P.V.length,
    T: x.length,
    ...P,
    x,
    y,
    h0,
    a: rows(fw.a),
    h: rows(fw.h),
    o: rows(fw.o),
    dO: rows(g.dO),
    dh: rows(g.dh),
  };
}

/** The tiny case: every number has one decimal, so a reader can follow it by hand. */
export function tinyEpisode(): Episode {
  return build(
    'tiny',
    null,
    {
      U: [
        [0.5, -0.3],
        [0.2, 0.8],
        [-0.6, 0.1],
      ],
      W: [
        [0.1, -0.4, 0.3],
        [0.6, 0.2, -0.5],
        [-0.2, 0.7, 0.4],
      ],
      V: [
        [0.3, -0.7, 0.2],
        [-0.5, 0.4, 0.9],
        [0.8, 0.1, -0.3],
      ],
      b: [0.1, -0.2, 0.3],
      c: [0.2, 0.0, -0.1],
    },
    [
      [1.0, -0.5],
      [0.3, 0.9],
      [-0.8, 0.4],
    ],
    [2, 0, 1],
    [0.5, -0.2, 0.1],
  );
}

/** A random episode from a seed; sizes chosen so that the transposes of U, V have other shapes (D ≠ n_h ≠ K). */
export function randomEpisode(seed: number, T: number, D: number, H: number, K: number): Episode {
  const r = rng(seed);
  const m = (rows: number, cols: number, s: number): number[][] =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => s * r.normal()));
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
  return [
    tinyEpisode(),
    randomEpisode(101, 4, 3, 4, 5),
    randomEpisode(202, 6, 2, 5, 3),
    randomEpisode(303, 9, 4, 6, 2),
  ];
}

/** The sizes of an episode as a verdict prints them: τ (the sequence length), D, n_h (the hidden size), K. */
export function episodeSizes(e: Episode, parts: string = 'TDHK'): string {
  const all: Record<string, string> = { T: `τ = ${e.T}`, D: `D = ${e.D}`, H: `n_h = ${e.H}`, K: `K = ${e.K}` };
  return [...parts].map((p) => all[p]).join(', ');
}
