// Gradient checkpointing for BPTT: what full BPTT costs, and how to pay less memory for a little more time.
//
// Full BPTT keeps every hidden state h(0), …, h(τ) of the forward pass, because the backward pass needs h(t) for
// H(t) = diag(1 − h(t)²) and h(t − 1) for the summand of ∇W L (eqs 10.21, 10.26): τ + 1 vectors of n_h numbers.
// Checkpointing keeps only every k-th state, h(0), h(k), h(2k), …, and h(τ); the backward pass walks the segments
// [s, e] = [jk, min((j+1)k, τ)] from the last to the first and, before running eq 10.21 down through a segment,
// recomputes its interior h(s+1), …, h(e−1) from the checkpoint h(s) with the forward step (eqs 10.8–10.9).
// States held at once: ⌈τ/k⌉ + 1 checkpoints and one segment of k + 1 rows, so about τ/k + k, least at k ≈ √τ;
// extra work: the τ − ⌈τ/k⌉ recomputed steps, at most one more forward pass, whatever k is.
//
// Everything here runs one step at a time in plain loops over Float64Arrays the function allocates once (so that
// process.memoryUsage().arrayBuffers sees exactly these arrays), and the gradient sums of eqs 10.22–10.28 are
// accumulated step by step from t = τ down to 1. The order of every operation is therefore the same for every k:
// the recomputed h(t) equal the forward pass's bit for bit, and the gradients for every k equal those of k = 1
// (every state kept, nothing recomputed: full BPTT) bit for bit. Against the engine's backward() (rnn.ts), which
// forms the sums as blocked matrix products over all steps at once, they agree to rounding (the tests: 1e-12).
//
// Shapes as in rnn.ts: x(t) ∈ R^D, h(t) ∈ R^H, o(t) ∈ R^K; U is H×D, W is H×H, V is K×H, b ∈ R^H, c ∈ R^K.

import { BpttError } from '../model/errors';
import { type InputSpec, type Inputs, toInputs } from '../model/inputs';
import {
  type LossName,
  softmaxCEBackward,
  softmaxCEForward,
  squaredBackward,
  squaredForward,
  type TargetInput,
  type Targets,
  toTargets,
} from '../model/losses';
import { checkParams, type Params, zerosLike } from '../model/params';
import type { ChunkedGrads } from '../model/pieces';
import { expectFinite, expectLength, firstNonFinite } from '../model/tensor';

export interface CheckpointOptions {
  /**
   * k: keep h(0), h(k), h(2k), …, h(τ); recompute the rest segment by segment in the backward pass. k = 1 keeps every
   * state.
   */
  every: number;
  /** Which L(t): 'softmax-ce' (default) or 'squared'. */
  loss?: LossName;
  /** h(0); zeros when absent. */
  h0?: ArrayLike<number>;
  /**
   * Called where the states held are at their most: at the end of the forward pass, and after each segment's
   * recomputation. A measurement hook (e.g. sampling process.memoryUsage().arrayBuffers); it must not throw.
   */
  probe?: () => void;
  /** Called in the forward pass with ŷ(t) for every step t = 1..τ (the array is reused: copy what you keep). */
  onYhat?: (t: number, yhat: Float64Array) => void;
}

/** The same gradients as truncatedGrads / backward (a ChunkedGrads), and what the pass stored and recomputed. */
export interface CheckpointedGrads extends ChunkedGrads {
  /** The k used (capped at τ). */
  readonly every: number;
  /** h(τ), the state a stream carries into its next window. */
  readonly hT: Float64Array;
  /** Hidden states kept by the forward pass: h(0), h(k), …, and h(τ). */
  readonly checkpoints: number;
  /** Rows of the segment buffer the backward pass recomputes into (k + 1: h(s) to h(e)). */
  readonly segmentRows: number;
  /** Bytes of hidden states held: (checkpoints + segmentRows) · n_h · 8. */
  readonly storedBytes: number;
  /** Forward steps run again in the backward pass: the interiors of all segments. */
  readonly recomputedSteps: number;
}

/** Eqs 10.8–10.9 for one step: h(t) = tanh(b + W h(t−1) + U x(t)), h(t−1) at prev[po…], h(t) written to out[oo…]. */
function stepForward(
  p: Params,
  xs: Inputs,
  t: number,
  prev: Float64Array,
  po: number,
  out: Float64Array,
  oo: number,
): void {
  const H = p.W.rows;
  const D = p.U.cols;
  const W = p.W.data;
  const U = p.U.data;
  const tok = xs.tokens === null ? -1 : xs.tokens[t];
  const x = xs.x === null ? null : xs.x.data;
  for (let i = 0; i < H; i++) {
    let a = p.b[i];
    for (let j = 0; j < H; j++) a += W[i * H + j] * prev[po + j];
    if (x === null)
      a += U[i * D + tok]; // U x(t) for a one-hot x(t) is column x(t) of U
    else for (let j = 0; j < D; j++) a += U[i * D + j] * x[t * D + j];
    out[oo + i] = Math.tanh(a);
  }
}

/** Eqs 10.10–10.11 and L(t) for step t: o(t) = c + V h(t) into o, ŷ(t) into yhat; returns L(t). */
function stepOutput(
  p: Params,
  ys: Targets,
  t: number,
  h: Float64Array,
  ho: number,
  o: Float64Array,
  yhat: Float64Array,
): number {
  const H = p.W.rows;
  const K = p.V.rows;
  const V = p.V.data;
  for (let k = 0; k < K; k++) {
    let s = p.c[k];
    for (let j = 0; j < H; j++) s += V[k * H + j] * h[ho + j];
    o[k] = s;
  }
  return ys.loss === 'softmax-ce'
    ? softmaxCEForward(o, ys.classes[t], yhat, 0, K)
    : squaredForward(o, ys.vectors.data, ys.scored[t] === 1, yhat, 0, K, t * K);
}

/** Checks k: an integer ≥ 1. */
export function checkEvery(k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new BpttError(
      `every must be an integer ≥ 1 (gradient checkpointing keeps h(0), h(k), h(2k), …), got ${String(k)}`,
    );
  }
  return k;
}

/**
 * Full BPTT with gradient checkpointing: the loss and the gradients of full BPTT (eqs 10.17–10.28, and ∇h(0) L),
 * holding about τ/k + k hidden states instead of τ + 1. The same result for every k, bit for bit (see the top of
 * this file); to rounding the same as backward(p, forward(p, xs, ys)).
 */
export function checkpointedGrads(
  p: Params,
  xsSpec: InputSpec,
  ysIn: TargetInput,
  opts: CheckpointOptions,
): CheckpointedGrads {
  const { D, H, K } = checkParams(p);
  const xs = toInputs(xsSpec, D);
  const T = xs.T;
  if (T < 1) throw new BpttError('the sequence is empty: checkpointed BPTT needs at least one step x(1) (T ≥ 1)');
  const ys = toTargets(opts.loss ?? 'softmax-ce', ysIn, T, K);
  const k = Math.min(checkEvery(opts.every), T);
  const nck = Math.ceil(T / k) + 1; // h(0), h(k), …, h(⌈τ/k⌉·k − k), and h(τ)
  const ck = new Float64Array(nck * H); // checkpoint j holds h(j·k), the last one h(τ)
  const seg = new Float64Array((k + 1) * H); // one segment: row i holds h(s + i)
  if (opts.h0 !== undefined) {
    expectLength(opts.h0, H, 'h(0) in a(1) = b + W h(0) + U x(1) (eq 10.8)', 'H');
    ck.set(opts.h0);
    expectFinite(ck.subarray(0, H), 'h(0)');
  }
  const o = new Float64Array(K);
  const yhat = new Float64Array(K);

  // Forward (eqs 10.8–10.14), keeping only the checkpoints; the running state lives in seg's first two rows.
  let loss = 0;
  seg.set(ck.subarray(0, H));
  for (let t = 0; t < T; t++) {
    const cur = (t + 1) % 2;
    stepForward(p, xs, t, seg, (t % 2) * H, seg, cur * H); // h(t) from h(t − 1) (0-based t: step t + 1)
    loss += stepOutput(p, ys, t, seg, cur * H, o, yhat);
    opts.onYhat?.(t + 1, yhat);
    if ((t + 1) % k === 0 || t + 1 === T) ck.set(seg.subarray(cur * H, cur * H + H), Math.ceil((t + 1) / k) * H);
  }
  if (!Number.isFinite(loss))
    throw new BpttError(
      `forward pass: the loss is ${loss}; run forward() on this sequence to see the step where it stopped being finite`,
    );
  const hT = ck.slice((nck - 1) * H, nck * H);
  opts.probe?.();

  // Backward (eqs 10.17–10.28), segment by segment from the last; `carry` is W^T H(t+1) ∇h(t+1) L.
  const g = zerosLike(p);
  const dU = g.U.data,
    dW = g.W.data,
    dV = g.V.data,
    db = g.b,
    dc = g.c;
  const V = p.V.data,
    W = p.W.data;
  const dO = new Float64Array(K);
  const da = new Float64Array(H);
  const carry = new Float64Array(H);
  let recomputed = 0;
  for (let j = nck - 2; j >= 0; j--) {
    const s = j * k;
    const e = Math.min(s + k, T);
    seg.set(ck.subarray(j * H, (j + 1) * H), 0); // h(s)
    seg.set(ck.subarray((j + 1) * H, (j + 2) * H), (e - s) * H); // h(e): the next checkpoint
    // the interior, again
    for (let t = s + 1; t < e; t++) stepForward(p, xs, t - 1, seg, (t - 1 - s) * H, seg, (t - s) * H);
    recomputed += e - s - 1;
    opts.probe?.();
    for (let t = e; t > s; t--) {
      const ht = (t - s) * H; // h(t) in seg
      const hp = ht - H; // h(t − 1)
      stepOutput(p, ys, t - 1, seg, ht, o, yhat);
      // Eq 10.18: ∇o(t) L; eqs 10.22 and 10.24, step t's terms.
      if (ys.loss === 'softmax-ce') softmaxCEBackward(yhat, ys.classes[t - 1], dO, 0, K);
      else squaredBackward(o, ys.vectors.data, ys.scored[t - 1] === 1, dO, 0, K, (t - 1) * K);
      for (let q = 0; q < K; q++) {
        dc[q] += dO[q];
        for (let i = 0; i < H; i++) dV[q * H + i] += dO[q] * seg[ht + i];
      }
      for (let i = 0; i < H; i++) {
        // Eq 10.21: ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L; then ∇a(t) L = H(t) ∇h(t) L.
        let dh = carry[i];
        for (let q = 0; q < K; q++) dh += V[q * H + i] * dO[q];
        const hi = seg[ht + i];
        da[i] = (1 - hi * hi) * dh;
      }
      for (let i = 0; i < H; i++) {
        db[i] += da[i]; // eq 10.23
        for (let q = 0; q < H; q++) dW[i * H + q] += da[i] * seg[hp + q]; // eq 10.26: H(t) ∇h(t) L h(t−1)^T
        if (xs.tokens !== null)
          dU[i * D + xs.tokens[t - 1]] += da[i]; // eq 10.28, one-hot x(t)
        else
          for (let q = 0; q < D; q++) dU[i * D + q] += da[i] * (xs.x as { data: Float64Array }).data[(t - 1) * D + q];
      }
      // In the forward pass a(t) = b + W h(t − 1) + U x(t), so h(t − 1) receives W^T ∇a(t) L.
      for (let q = 0; q < H; q++) {
        let s2 = 0;
        for (let i = 0; i < H; i++) s2 += W[i * H + q] * da[i];
        carry[q] = s2;
      }
    }
  }
  for (const [name, v] of [
    ['∇U', dU],
    ['∇W', dW],
    ['∇V', dV],
    ['∇b', db],
    ['∇c', dc],
    ['∇h(0)', carry],
  ] as const) {
    const i = firstNonFinite(v);
    if (i >= 0)
      throw new BpttError(
        `checkpointed backward pass: ${name} L[${i}] is ${v[i]}; run backward() on this sequence to see the step ` +
          `where it stopped being finite`,
      );
  }
  return {
    loss,
    dU: g.U,
    dW: g.W,
    dV: g.V,
    db,
    dc,
    dh0: carry,
    every: k,
    hT,
    checkpoints: nck,
    segmentRows: k + 1,
    storedBytes: (ck.length + seg.length) * 8,
    recomputedSteps: recomputed,
  };
}

/**
 * Hidden states held by checkpointing with every k on a sequence of τ steps: ⌈τ/k⌉ + 1 checkpoints and k + 1 segment
 * rows.
 */
export function checkpointStates(T: number, k: number): number {
  const kk = Math.min(checkEvery(k), T);
  return Math.ceil(T / kk) + 1 + kk + 1;
}
