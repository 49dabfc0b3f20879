// Small plain-array helpers for the solutions and the mistake models (row-major number[][]).

export const zeros = (n: number): number[] => new Array<number>(n).fill(0);
export const zerosM = (r: number, c: number): number[][] => Array.from({ length: r }, () => zeros(c));
export const transposeM = (A: readonly (readonly number[])[]): number[][] => A[0].map((_, j) => A.map((row) => row[j]));
/** A v for a matrix A (rows×cols) and a vector v (cols). */
export const mv = (A: readonly (readonly number[])[], v: readonly number[]): number[] =>
  A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
/** A^T v. */
export const mtv = (A: readonly (readonly number[])[], v: readonly number[]): number[] => {
  const out = zeros(A[0].length);
  A.forEach((row, i) =>
    row.forEach((a, j) => {
      out[j] += a * v[i];
    }),
  );
  return out;
};
export const add = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v + b[i]);
export const mul = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v * b[i]);
export const scale = (a: readonly number[], s: number): number[] => a.map((v) => v * s);
/** u v^T. */
export const outer = (u: readonly number[], v: readonly number[]): number[][] => u.map((a) => v.map((b) => a * b));
export const addM = (A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number[][] =>
  A.map((row, i) => row.map((a, j) => a + B[i][j]));
export const scaleM = (A: readonly (readonly number[])[], s: number): number[][] =>
  A.map((row) => row.map((a) => a * s));
/** The diagonal of H(t) = diag(1 − h(t)²): tanh' written with the output h = tanh(a). */
export const dtanh = (h: readonly number[]): number[] => h.map((v) => 1 - v * v);
