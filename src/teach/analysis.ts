// Why gradients vanish or explode (Deep Learning §10.7): the quantities the notebooks plot.
//
// ∂h(t)/∂h(k) = Π_{j=k+1..t} diag(1 − h(j)²) W (each factor is ∂h(j)/∂h(j−1), from h(j) = tanh(b + W h(j−1) + U x(j)))
//
// The largest singular value bounds one factor (‖diag(1 − h²) W‖₂ ≤ σ_max(W), since every slope is ≤ 1), so the norm
// of the product is at most σ_max(W)^(t−k). How fast it actually shrinks or grows per step is set by the spectral
// radius ρ(W) = max |λ_i(W)| times the tanh slopes: a product of n copies of one matrix has ‖Wⁿ‖^(1/n) → ρ(W)
// (Gelfand's formula), and ρ(W) ≤ σ_max(W), with equality for normal W (symmetric, orthogonal); a random W is far
// from normal, ρ ≈ σ_max / 2. Small slopes (|h| near 1) cut the product further.
//
// Singular values: one-sided Jacobi SVD (Hestenes 1958), our own code rather than mathjs: mathjs has no SVD, and
// eigenvalues of WᵀW would square the condition number (small σ lost to rounding). The Jacobi sweeps rotate pairs
// of columns until all are orthogonal; the column norms are then the singular values, accurate to a few ulps
// relative to σ_max. Cost O(n³) per sweep, a handful of sweeps: fine for the H ≤ a few hundred of this lab.
import type { Forward, Grads } from '../model/engine';
import { BpttError } from '../model/errors';
import { checkParams, type Params } from '../model/params';
import { type Mat, mat, norm, row, transpose } from '../model/tensor';

/** Singular values of an m×n matrix, largest first (min(m, n) of them). One-sided Jacobi; see the top of the file. */
export function singularValues(A: Mat): Float64Array {
  // Work on the rows of Aᵀ (the columns of A), so each rotation touches two contiguous rows.
  const B = A.rows >= A.cols ? transpose(A) : mat(A.rows, A.cols, A.data.slice()); // singular values of A and Aᵀ agree
  const n = B.rows;
  const m = B.cols;
  const d = B.data;
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const oi = i * m;
        const oj = j * m;
        for (let k = 0; k < m; k++) {
          const x = d[oi + k];
          const y = d[oj + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue; // already orthogonal
        rotated = true;
        // The rotation angle that makes columns i and j orthogonal (Golub & Van Loan, §8.6.3).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < m; k++) {
          const x = d[oi + k];
          const y = d[oj + k];
          d[oi + k] = c * x - s * y;
          d[oj + k] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let i = 0; i < n; i++) sv[i] = norm(row(B, i));
  sv.sort((a, b) => b - a);
  return sv.slice(0, Math.min(A.rows, A.cols));
}

/** ‖A‖₂ = σ_max(A). */
export function spectralNorm(A: Mat): number {
  return A.data.length === 0 ? 0 : singularValues(A)[0];
}

/**
 * The spectral radius ρ(A) = max |λ_i(A)| of a square matrix, by Gelfand's formula ρ(A) = lim ‖Aⁿ‖^(1/n) with
 * n = 2^m reached by squaring (each square rescaled, its log-norm kept): ‖Aⁿ‖^(1/n) is ≥ ρ and exceeds it at most by
 * a factor (C n^(size−1))^(1/n), which is 1 to working precision after 64 squarings (n = 2^64). Real arithmetic
 * only: complex eigenvalue pairs need no special case (a conjugate pair of modulus ρ still gives ‖Aⁿ‖ ≥ ρⁿ).
 * Accurate to a few ulps relative to σ_max for the small, well-conditioned W of this lab.
 */
export function spectralRadius(A: Mat): number {
  if (A.rows !== A.cols) throw new BpttError(`spectralRadius: the matrix must be square, got ${A.rows}×${A.cols}`);
  const n = A.rows;
  if (n === 0) return 0;
  const s0 = frobeniusNorm(A);
  if (s0 === 0) return 0;
  let M = mat(
    n,
    n,
    A.data.map((v) => v / s0),
  ); // A^(2^m) / ‖A^(2^m)‖_F
  let logNorm = Math.log(s0); //                   log ‖A^(2^m)‖_F, kept apart so the powers never overflow
  let estimate = s0;
  for (let m = 1; m <= 64; m++) {
    const sq = mat(n, n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const a = M.data[i * n + k];
        if (a === 0) continue;
        for (let j = 0; j < n; j++) sq.data[i * n + j] += a * M.data[k * n + j];
      }
    }
    const s = frobeniusNorm(sq);
    if (s === 0) return 0; // nilpotent: every eigenvalue is 0
    for (let i = 0; i < sq.data.length; i++) sq.data[i] /= s;
    M = sq;
    logNorm = 2 * logNorm + Math.log(s); // log ‖A^(2^m)‖_F
    estimate = Math.exp(logNorm / 2 ** m);
  }
  return estimate;
}

/** ‖A‖_F = √(Σ a_ij²). */
export function frobeniusNorm(A: Mat): number {
  return norm(A.data);
}

function checkStep(fw: Forward, t: number, what: string, min: number): void {
  if (!Number.isInteger(t) || t < min || t > fw.T)
    throw new BpttError(`${what} must be an integer in ${min}..${fw.T} (T = ${fw.T}), got ${t}`);
}

/** M ← M · diag(1 − h(j)²) W: one more factor ∂h(j)/∂h(j−1) on the right of the product. */
function timesStepJacobian(M: Mat, p: Params, fw: Forward, j: number): Mat {
  const H = p.W.rows;
  const hj = row(fw.h, j - 1);
  const out = mat(M.rows, H);
  for (let r = 0; r < M.rows; r++) {
    for (let i = 0; i < H; i++) {
      const m = M.data[r * H + i] * (1 - hj[i] * hj[i]); // (M diag(1 − h(j)²))_ri
      if (m === 0) continue;
      const wi = i * H;
      const o = r * H;
      for (let c = 0; c < H; c++) out.data[o + c] += m * p.W.data[wi + c];
    }
  }
  return out;
}

function identity(n: number): Mat {
  const I = mat(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

/** ∂h(t)/∂h(k) = Π_{j=k+1..t} diag(1 − h(j)²) W (H×H), for 0 ≤ k ≤ t ≤ T (the identity when k = t). */
export function jacobianProduct(p: Params, fw: Forward, t: number, k: number): Mat {
  checkParams(p);
  checkStep(fw, t, 'jacobianProduct: t', 0);
  if (!Number.isInteger(k) || k < 0 || k > t)
    throw new BpttError(`jacobianProduct: k must be an integer in 0..t = 0..${t}, got ${k}`);
  let J = identity(p.W.rows);
  for (let j = t; j > k; j--) J = timesStepJacobian(J, p, fw, j); // ∂h(t)/∂h(j−1) = ∂h(t)/∂h(j) · ∂h(j)/∂h(j−1)
  return J;
}

export interface JacobianNorms {
  t: number;
  /** lag[i] = t − k for k = t, t−1, ..., 0. */
  lag: number[];
  spectral: number[]; // ‖∂h(t)/∂h(k)‖₂
  frobenius: number[]; // ‖∂h(t)/∂h(k)‖_F
}

/** The norms of ∂h(t)/∂h(k) for every k from t down to 0 (lags 0..t); the product is built one factor at a time. */
export function jacobianNorms(p: Params, fw: Forward, t: number = fw.T): JacobianNorms {
  checkParams(p);
  checkStep(fw, t, 'jacobianNorms: t', 0);
  const out: JacobianNorms = { t, lag: [], spectral: [], frobenius: [] };
  let J = identity(p.W.rows);
  for (let k = t; k >= 0; k--) {
    if (k < t) J = timesStepJacobian(J, p, fw, k + 1);
    out.lag.push(t - k);
    out.spectral.push(spectralNorm(J));
    out.frobenius.push(frobeniusNorm(J));
  }
  return out;
}

/** ‖∇h(t) L‖ for t = 1..T (entry t − 1), from a backward pass: how much gradient reaches each step. */
export function gradientNorms(g: Pick<Grads, 'dh'>): Float64Array {
  const out = new Float64Array(g.dh.rows);
  for (let t = 0; t < g.dh.rows; t++) out[t] = norm(row(g.dh, t));
  return out;
}

export interface Saturation {
  threshold: number;
  /** Fraction of all h(t)_i, t = 1..T, with |h(t)_i| > threshold. */
  fraction: number;
  /** The same per step (entry t − 1). */
  perStep: Float64Array;
  /** Per hidden unit, over the steps. */
  perUnit: Float64Array;
  /**
   * The geometric mean of the tanh slopes 1 − h_i(t)² over all units and steps: the typical factor by which a
   * diag(1 − h(t)²) shrinks a vector each step (a geometric mean, because the slopes multiply along the product).
   */
  slopeGeometricMean: number;
}

/** How many tanh units sit in the flat tails (|h| > threshold, slope 1 − h² < 1 − threshold²), where gradients die. */
export function saturation(fw: Pick<Forward, 'h'>, threshold = 0.99): Saturation {
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1))
    throw new BpttError(`saturation: threshold must be in (0, 1), got ${String(threshold)}`);
  const { rows: T, cols: H } = fw.h;
  const perStep = new Float64Array(T);
  const perUnit = new Float64Array(H);
  let total = 0;
  let logSlopes = 0;
  for (let t = 0; t < T; t++) {
    const ht = row(fw.h, t);
    let n = 0;
    for (let i = 0; i < H; i++) {
      logSlopes += Math.log(1 - ht[i] * ht[i]);
      if (Math.abs(ht[i]) > threshold) {
        n++;
        perUnit[i]++;
      }
    }
    perStep[t] = n / H;
    total += n;
  }
  for (let i = 0; i < H; i++) perUnit[i] /= Math.max(T, 1);
  const cells = T * H;
  return {
    threshold,
    fraction: cells === 0 ? 0 : total / cells,
    perStep,
    perUnit,
    slopeGeometricMean: cells === 0 ? 1 : Math.exp(logSlopes / cells),
  };
}
