// The two per-step losses L(t) and their gradients ∇o(t) L, side by side.
// The total loss is the sum L = Σ_t L(t) (eqs 10.12–10.14), never a mean; ∂L/∂L(t) = 1 (eq 10.17),
// so each step's ∇o(t) L is just the gradient of its own L(t).
import { BpttError } from './errors';
import { type Mat, mat } from './tensor';

export type LossName = 'softmax-ce' | 'squared';
export const LOSSES: readonly LossName[] = ['softmax-ce', 'squared'];

/** What the caller may pass: class indices for softmax-ce, K-vectors for squared; null = no loss at that step. */
export type TargetInput = readonly (number | null)[] | readonly (ArrayLike<number> | null)[];

/** Targets checked and stored flat. `scored[t]` is 0 where the target was null. */
export interface Targets {
  readonly loss: LossName;
  readonly T: number;
  readonly classes: Int32Array; // softmax-ce: class of step t (−1 when unscored)
  readonly vectors: Mat; // squared: T×K target rows (zeros when unscored)
  readonly scored: Uint8Array;
}

/** Checks a target list against the loss, T and K; every failure names the step and the shapes. */
export function toTargets(loss: LossName, ys: TargetInput, T: number, K: number): Targets {
  if (!LOSSES.includes(loss)) throw new BpttError(`unknown loss "${String(loss)}": expected "softmax-ce" or "squared"`);
  if (ys.length !== T) throw new BpttError(`y must have one target per step, T = ${T}, got ${ys.length}`);
  const classes = new Int32Array(T).fill(-1);
  const vectors = mat(loss === 'squared' ? T : 0, K);
  const scored = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    const y = ys[t];
    if (y === null || y === undefined) continue;
    scored[t] = 1;
    if (loss === 'softmax-ce') {
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= K) {
        throw new BpttError(
          `y(${t + 1}) must be a class index in 0..${K - 1} (K = ${K}) for softmax cross-entropy, got ${fmt(y)}`,
        );
      }
      classes[t] = y;
    } else {
      if (typeof y === 'number' || y.length !== K) {
        throw new BpttError(
          `y(${t + 1}) must be a vector of length K = ${K} for squared error ½‖o(t) − y(t)‖², got ${fmt(y)}`,
        );
      }
      for (let k = 0; k < K; k++) {
        if (!Number.isFinite(y[k])) throw new BpttError(`y(${t + 1})[${k}] must be a finite number, got ${y[k]}`);
        vectors.data[t * K + k] = y[k];
      }
    }
  }
  return { loss, T, classes, vectors, scored };
}

function fmt(y: unknown): string {
  if (typeof y === 'number') return String(y);
  if (y !== null && typeof y === 'object' && 'length' in y)
    return `a vector of length ${(y as ArrayLike<number>).length}`;
  return JSON.stringify(y) ?? String(y);
}

/** Restricts targets to steps [from, to) (0-based), for running the forward pass on a slice. */
export function sliceTargets(ys: Targets, from: number, to: number): Targets {
  const K = ys.vectors.cols;
  return {
    loss: ys.loss,
    T: to - from,
    classes: ys.classes.subarray(from, to),
    vectors: mat(
      ys.loss === 'squared' ? to - from : 0,
      K,
      ys.vectors.data.subarray(from * K, (ys.loss === 'squared' ? to : from) * K),
    ),
    scored: ys.scored.subarray(from, to),
  };
}

// --- softmax cross-entropy (the book's loss) ---
// Each function reads o(t) (and writes its result) at [off, off + n) of the arrays it is given, so the engine can
// hand over rows of its T×K matrices without making a view per step; with the defaults it takes whole vectors.

/** Eq 10.11 and L(t) = −log ŷ(t)_y: writes ŷ(t) = softmax(o(t)) and returns L(t) via a stable log-softmax. */
export function softmaxCEForward(o: Float64Array, y: number, yhat: Float64Array, off = 0, n = o.length - off): number {
  let max = -Infinity;
  for (let k = off; k < off + n; k++) if (o[k] > max) max = o[k];
  let sum = 0;
  for (let k = off; k < off + n; k++) {
    const e = Math.exp(o[k] - max); // shifting by max keeps exp from overflowing; softmax is unchanged
    yhat[k] = e;
    sum += e;
  }
  for (let k = off; k < off + n; k++) yhat[k] /= sum;
  // −log softmax(o)_y = log Σ exp(o − max) − (o_y − max): no log of a rounded-to-zero probability
  return y < 0 ? 0 : Math.log(sum) - (o[off + y] - max);
}

/** Eq 10.18: ∇o(t) L = ŷ(t) − 1_y(t). */
export function softmaxCEBackward(
  yhat: Float64Array,
  y: number,
  dout: Float64Array,
  off = 0,
  n = yhat.length - off,
): void {
  if (y < 0) {
    dout.fill(0, off, off + n); // unscored step: L(t) is absent, so is its gradient
    return;
  }
  for (let k = off; k < off + n; k++) dout[k] = yhat[k];
  dout[off + y] -= 1;
}

// --- squared error ½‖o(t) − y(t)‖² (y(t) at [yOff, yOff + n)) ---

/** L(t) = ½‖o(t) − y(t)‖²; the prediction ŷ(t) is o(t) itself. */
export function squaredForward(
  o: Float64Array,
  y: Float64Array,
  scored: boolean,
  yhat: Float64Array,
  off = 0,
  n = o.length - off,
  yOff = 0,
): number {
  for (let k = off; k < off + n; k++) yhat[k] = o[k];
  if (!scored) return 0;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const d = o[off + k] - y[yOff + k];
    s += d * d;
  }
  return 0.5 * s;
}

/** ∇o(t) L = o(t) − y(t). */
export function squaredBackward(
  o: Float64Array,
  y: Float64Array,
  scored: boolean,
  dout: Float64Array,
  off = 0,
  n = o.length - off,
  yOff = 0,
): void {
  if (!scored) {
    dout.fill(0, off, off + n);
    return;
  }
  for (let k = 0; k < n; k++) dout[off + k] = o[off + k] - y[yOff + k];
}

// --- dispatch on the loss, for row r of the engine's matrices (o, ŷ, ∇o are rows×K, row r at r·K) ---

export function lossForward(ys: Targets, r: number, o: Float64Array, yhat: Float64Array): number {
  const K = ys.vectors.cols;
  return ys.loss === 'softmax-ce'
    ? softmaxCEForward(o, ys.classes[r], yhat, r * K, K)
    : squaredForward(o, ys.vectors.data, ys.scored[r] === 1, yhat, r * K, K, r * K);
}

export function lossBackward(ys: Targets, r: number, o: Float64Array, yhat: Float64Array, dout: Float64Array): void {
  const K = ys.vectors.cols;
  if (ys.loss === 'softmax-ce') softmaxCEBackward(yhat, ys.classes[r], dout, r * K, K);
  else squaredBackward(o, ys.vectors.data, ys.scored[r] === 1, dout, r * K, K, r * K);
}
