// Small row-major Float64Array matrices and vectors, with the shape carried beside the data.
// Everything that can go wrong with a shape throws a BpttError that names the quantity, the
// equation it appears in and both shapes, so a reader never has to debug a NaN deep in a loop.
import { BpttError } from './errors';

/** A row-major matrix: entry (i, j) lives at data[i * cols + j]. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function mat(rows: number, cols: number, data?: Float64Array): Mat {
  const n = rows * cols;
  if (data !== undefined && data.length !== n) {
    throw new BpttError(`a ${rows}×${cols} matrix needs ${n} entries, got ${data.length}`);
  }
  return { rows, cols, data: data ?? new Float64Array(n) };
}

/** Builds a matrix from nested rows, e.g. fromRows([[1, 2], [3, 4]]). Ragged rows are an error. */
export function fromRows(rows: readonly (readonly number[])[], name = 'matrix'): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = mat(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) {
      throw new BpttError(`${name} is ragged: row 0 has ${c} entries but row ${i} has ${rows[i].length}`);
    }
    m.data.set(rows[i], i * c);
  }
  return m;
}

export function toRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

/** Row i as a view (no copy): writes through to the matrix. */
export function row(m: Mat, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function vec(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values);
}

export function shapeOf(m: Mat): string {
  return `${m.rows}×${m.cols}`;
}

/** Throws unless m is rows×cols; `what` names the parameter and the equation it belongs to. */
export function expectShape(m: Mat, rows: number, cols: number, what: string, dims: string): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new BpttError(`${what} must be ${dims} = ${rows}×${cols}, got ${shapeOf(m)}`);
  }
}

export function expectLength(v: ArrayLike<number>, n: number, what: string, dims: string): void {
  if (v.length !== n) throw new BpttError(`${what} must have length ${dims} = ${n}, got ${v.length}`);
}

/** Index of the first non-finite entry, or -1. */
export function firstNonFinite(v: ArrayLike<number>): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

export function expectFinite(v: ArrayLike<number>, what: string): void {
  const i = firstNonFinite(v);
  if (i >= 0) throw new BpttError(`${what} has a non-finite entry ${v[i]} at index ${i}`);
}

// --- the few dense kernels the engine and the analysis share ---

/** y = A x (A is m×n, x has n entries, y has m). */
export function matVec(A: Mat, x: ArrayLike<number>, y: Float64Array = new Float64Array(A.rows)): Float64Array {
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** y = A^T x, walking A row by row (cache-friendly for row-major storage). */
export function matTVec(A: Mat, x: ArrayLike<number>, y: Float64Array = new Float64Array(A.cols)): Float64Array {
  const { rows, cols, data } = A;
  y.fill(0);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const o = i * cols;
    for (let j = 0; j < cols; j++) y[j] += data[o + j] * xi;
  }
  return y;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** C = A B (plain triple loop in i-k-j order). */
export function matMul(A: Mat, B: Mat): Mat {
  if (A.cols !== B.rows) throw new BpttError(`cannot multiply ${shapeOf(A)} by ${shapeOf(B)}`);
  const C = mat(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k];
      if (a === 0) continue;
      for (let j = 0; j < B.cols; j++) C.data[i * B.cols + j] += a * B.data[k * B.cols + j];
    }
  }
  return C;
}

export function transpose(A: Mat): Mat {
  const T = mat(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.data[j * A.rows + i] = A.data[i * A.cols + j];
  return T;
}
