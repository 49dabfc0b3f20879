// Small row-major Float64Array matrices and vectors, with the shape carried beside the data.
// Everything that can go wrong with a shape throws a BpttError that names the quantity, the
// equation it appears in and both shapes, so a reader never has to debug a NaN deep in a loop.

/** A row-major matrix: entry (i, j) lives at data[i * cols + j]. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** The error every bad input gets: a plain message naming the parameter, the equation and the shapes. */
export class BpttError extends Error {
  override name = 'BpttError';
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

export function cloneMat(m: Mat): Mat {
  return mat(m.rows, m.cols, m.data.slice());
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

// --- seeded random numbers (mulberry32 + Box–Muller), so every case and init is reproducible ---

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  let spare: number | null = null;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal, int: (n) => Math.floor(uniform() * n) };
}

export function randn(rows: number, cols: number, std: number, r: Rng): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = std * r.normal();
  return m;
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

/**
 * C = A B^T (or C += A B^T when `accumulate`): A is m×k at A[aOff…], B is n×k at B[bOff…], C is m×n at C[cOff…],
 * all row-major and contiguous. Every product the engine needs is written in this one form, so that both operands
 * are walked along contiguous rows. Blocked 2×4 so each loaded value feeds several multiply-adds (independent
 * accumulators are what keep the floating-point units busy). This is the plain-JavaScript twin of the WebAssembly
 * SIMD kernel in kernels.wat, and the fallback where that cannot run (see kernels.ts).
 */
export function gemmNT(
  m: number, n: number, k: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number,
  C: Float64Array, cOff: number, accumulate: boolean,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    const c0 = cOff + i * n;
    const c1 = c0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = A[a0 + q];
        const x1 = A[a1 + q];
        const y0 = B[b0 + q], y1 = B[b1 + q], y2 = B[b2 + q], y3 = B[b3 + q];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (accumulate) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let q = 0; q < k; q++) {
        const y = B[b0 + q];
        s0 += A[a0 + q] * y;
        s1 += A[a1 + q] * y;
      }
      if (accumulate) { C[c0 + j] += s0; C[c1 + j] += s1; } else { C[c0 + j] = s0; C[c1 + j] = s1; }
    }
  }
  if (i < m) {
    // the last (or only) row: a matrix–vector product, 4 columns at a time
    const a0 = aOff + i * k;
    const c0 = cOff + i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let q = 0; q < k; q++) {
        const x = A[a0 + q];
        s0 += x * B[b0 + q]; s1 += x * B[b1 + q]; s2 += x * B[b2 + q]; s3 += x * B[b3 + q];
      }
      if (accumulate) { C[c0 + j] += s0; C[c0 + j + 1] += s1; C[c0 + j + 2] += s2; C[c0 + j + 3] += s3; } else { C[c0 + j] = s0; C[c0 + j + 1] = s1; C[c0 + j + 2] = s2; C[c0 + j + 3] = s3; }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let q = 0; q < k; q++) s += A[a0 + q] * B[b0 + q];
      if (accumulate) C[c0 + j] += s; else C[c0 + j] = s;
    }
  }
}
