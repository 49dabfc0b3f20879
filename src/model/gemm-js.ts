// The engine's one product, C = A B^T, in plain JavaScript: the twin of the WebAssembly SIMD kernel (kernels.wat)
// and the fallback where that cannot run (kernels.ts chooses).
/**
 * C = A B^T (or C += A B^T when `accumulate`): A is m×k at A[aOff…], B is n×k at B[bOff…], C is m×n at C[cOff…],
 * all row-major and contiguous. Every product the engine needs is written in this one form, so that both operands
 * are walked along contiguous rows. Blocked 2×4 so each loaded value feeds several multiply-adds (independent
 * accumulators are what keep the floating-point units busy). This is the plain-JavaScript twin of the WebAssembly
 * SIMD kernel in kernels.wat, and the fallback where that cannot run (see kernels.ts).
 */
export function gemmNT(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  C: Float64Array,
  cOff: number,
  accumulate: boolean,
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
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = A[a0 + q];
        const x1 = A[a1 + q];
        const y0 = B[b0 + q],
          y1 = B[b1 + q],
          y2 = B[b2 + q],
          y3 = B[b3 + q];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      if (accumulate) {
        C[c0 + j] += s00;
        C[c0 + j + 1] += s01;
        C[c0 + j + 2] += s02;
        C[c0 + j + 3] += s03;
        C[c1 + j] += s10;
        C[c1 + j + 1] += s11;
        C[c1 + j + 2] += s12;
        C[c1 + j + 3] += s13;
      } else {
        C[c0 + j] = s00;
        C[c0 + j + 1] = s01;
        C[c0 + j + 2] = s02;
        C[c0 + j + 3] = s03;
        C[c1 + j] = s10;
        C[c1 + j + 1] = s11;
        C[c1 + j + 2] = s12;
        C[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0,
        s1 = 0;
      for (let q = 0; q < k; q++) {
        const y = B[b0 + q];
        s0 += A[a0 + q] * y;
        s1 += A[a1 + q] * y;
      }
      if (accumulate) {
        C[c0 + j] += s0;
        C[c1 + j] += s1;
      } else {
        C[c0 + j] = s0;
        C[c1 + j] = s1;
      }
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
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let q = 0; q < k; q++) {
        const x = A[a0 + q];
        s0 += x * B[b0 + q];
        s1 += x * B[b1 + q];
        s2 += x * B[b2 + q];
        s3 += x * B[b3 + q];
      }
      if (accumulate) {
        C[c0 + j] += s0;
        C[c0 + j + 1] += s1;
        C[c0 + j + 2] += s2;
        C[c0 + j + 3] += s3;
      } else {
        C[c0 + j] = s0;
        C[c0 + j + 1] = s1;
        C[c0 + j + 2] = s2;
        C[c0 + j + 3] = s3;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let q = 0; q < k; q++) s += A[a0 + q] * B[b0 + q];
      if (accumulate) C[c0 + j] += s;
      else C[c0 + j] = s;
    }
  }
}
