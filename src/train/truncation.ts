// Why over 300 lines: the four truncation variants, their windows and the two measures of how far each lands from full
// BPTT belong together.
//
// Ways to cut the backward pass short, beside full BPTT, and how far each lands from it.
//
//   full         backward(p, fw): every L(s) sends gradient back to step 1.
//   chunked k    backward(p, fw, { truncate: k }): chunks 1..k, k+1..2k, ...; no gradient across a chunk boundary
//                (d2l's "regular truncation", PyTorch's detach() every k steps).
//   randomized k Tallec & Ollivier's unbiased truncation, as d2l §9.7 writes it: at each boundary between h(t−1) and
// step t (t = 2..T; like chunking, it never cuts between h(0) and step 1) draw ξ_t = 0 with probability 1 − π, or ξ_t =
// 1/π with probability π, and multiply the gradient
//                flowing back across that boundary by ξ_t. ξ = 0 stops the backward pass there (so runs have random
//                lengths, geometric with mean k when π = 1 − 1/k); ξ = 1/π overweights the runs that survive, and since
//                E[ξ_t] = 1 and the ξ's are independent, every path from L(s) back to step j keeps its expected weight
// Π E[ξ] = 1: the gradient is unbiased — right on average, with variance growing like π^−(s−j) on long paths.
//   streaming    Williams & Peng's BPTT(h; h′), written BPTT(k1, k2) as Sutskever (2013) does (k1 = h′, k2 = h): every
// k1 steps (at t = k1, 2k1, ..., and at T), backpropagate the losses of the last k1 steps through the last
// k2 steps (k2 ≥ k1, so every loss is used once): the newest loss reaches back k2 steps, the oldest k2 − k1 + 1.
//                Online learners update after each window; here the windows' gradients are summed at fixed
//                parameters, which is the gradient estimate such an update uses (equal to first order in ε).
//
// All of them run the engine's one backward pass: full, chunked and randomized are its factors ξ(t) on what flows
// from step t back into h(t−1) (1, or 0 at chunk starts, or drawn); streaming runs it once per window, on the
// window's slice with h(t−1) from the full forward pass as its h(0). Note ∇V and ∇c never change: they use only ∇o(t)
// L.

import { backward, type Forward, type ForwardOptions, forward, type Grads, hPrevOf } from '../model/engine';
import { BpttError } from '../model/errors';
import { type InputSpec, type Inputs, sliceInputs } from '../model/inputs';
import type { TargetInput } from '../model/losses';
import { PARAM_NAMES, type ParamName, type Params, zerosLike } from '../model/params';
import { type Rng, rng } from '../model/rng';
import type { Mat } from '../model/tensor';
import { gradData, type ParamGrads } from './optim';

export type Truncation =
  | { kind: 'full' }
  | { kind: 'chunked'; k: number }
  | { kind: 'randomized'; k: number }
  | { kind: 'streaming'; k1: number; k2: number };

export interface GradientEstimate extends ParamGrads {
  readonly dh0: Float64Array;
}

export interface EstimateResult {
  readonly fw: Forward; // the full forward pass (the state is always carried; only gradients are cut)
  readonly loss: number; // Σ_t L(t), the same for every variant
  readonly grads: GradientEstimate;
  /** Full and chunked BPTT: the engine's whole backward result (a loop can hand it back as `gradsInto`). */
  readonly backward?: Grads;
}

export interface TruncationOptions extends ForwardOptions {
  /** Random source for 'randomized'; default rng(seed). */
  rng?: Rng;
  /** Seed when no rng is given. Default 1. */
  seed?: number;
  /**
   * Full and chunked BPTT: a previous backward result of the same shapes whose arrays this call may overwrite
   * (with ForwardOptions.into for the forward pass), so a training loop does not allocate every sequence anew.
   */
  gradsInto?: Grads;
}

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Checks a variant's numbers; errors name the variant and the rule. */
export function checkTruncation(v: Truncation): Truncation {
  switch (v?.kind) {
    case 'full':
      return v;
    case 'chunked':
      if (!isInt(v.k, 1))
        throw new BpttError(`chunked truncation: k must be an integer ≥ 1 (chunk length), got ${String(v.k)}`);
      return v;
    case 'randomized':
      if (!(v.k === Infinity || isInt(v.k, 1)))
        throw new BpttError(
          `randomized truncation: k must be an integer ≥ 1 or Infinity (mean length; π = 1 − 1/k), got ${String(v.k)}`,
        );
      return v;
    case 'streaming':
      if (!isInt(v.k1, 1) || !isInt(v.k2, 1) || v.k2 < v.k1) {
        throw new BpttError(
          `streaming BPTT(k1, k2) needs integers 1 ≤ k1 ≤ k2 (every k1 steps, back k2 steps), got k1 = ` +
            `${String(v.k1)}, k2 = ${String(v.k2)}`,
        );
      }
      return v;
    default:
      throw new BpttError(
        `unknown truncation ${JSON.stringify(v)}: expected kind "full", "chunked", "randomized" or "streaming"`,
      );
  }
}

/** A short label: "full", "chunked k=5", "randomized k=5", "BPTT(2, 5)". */
export function describeTruncation(v: Truncation): string {
  switch (v.kind) {
    case 'full':
      return 'full';
    case 'chunked':
      return `chunked k=${v.k}`;
    case 'randomized':
      return `randomized k=${v.k}`;
    case 'streaming':
      return `BPTT(${v.k1}, ${v.k2})`;
  }
}

/** Parses the command-line form: full | chunked:K | random:K | stream:K1,K2 (a bare integer K means chunked:K). */
export function parseTruncation(s: string): Truncation {
  const t = s.trim();
  const bad = (): never => {
    throw new BpttError(`bad truncation "${s}": expected full, chunked:K, random:K or stream:K1,K2 (K integers ≥ 1)`);
  };
  if (t === 'full') return { kind: 'full' };
  const m = /^(?:(chunked|random|randomized|stream|streaming):)?(\d+)(?:,(\d+))?$/.exec(t);
  if (!m) return bad();
  const [kind, a, b] = [m[1] ?? 'chunked', Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
  if (kind.startsWith('stream')) return checkTruncation({ kind: 'streaming', k1: a, k2: b ?? a });
  if (b !== undefined) return bad();
  return checkTruncation(kind.startsWith('random') ? { kind: 'randomized', k: a } : { kind: 'chunked', k: a });
}

function inputSpecOf(xs: Inputs): InputSpec {
  return xs.tokens ? { tokens: xs.tokens } : { x: xs.x as Mat };
}

function emptyGrads(p: Params): GradientEstimate {
  const z = zerosLike(p);
  return { dU: z.U, dW: z.W, dV: z.V, db: z.b, dc: z.c, dh0: new Float64Array(p.W.rows) };
}

function addInto(acc: GradientEstimate, g: ParamGrads, withH0: Float64Array | null): void {
  for (const name of PARAM_NAMES) {
    const a = gradData(acc, name);
    const b = gradData(g, name);
    for (let i = 0; i < a.length; i++) a[i] += b[i];
  }
  if (withH0) for (let i = 0; i < acc.dh0.length; i++) acc.dh0[i] += withH0[i];
}

/** The loss and the gradient estimate of one variant, on one sequence. */
export function estimateGradient(
  p: Params,
  xs: InputSpec,
  ys: TargetInput,
  variant: Truncation,
  opts: TruncationOptions = {},
): EstimateResult {
  const v = checkTruncation(variant);
  const fopts: ForwardOptions = { loss: opts.loss, h0: opts.h0 };
  const reusable = v.kind === 'full' || v.kind === 'chunked';
  const fw = forward(p, xs, ys, reusable ? { ...fopts, into: opts.into } : fopts);
  switch (v.kind) {
    case 'full':
    case 'chunked': {
      const g = backward(p, fw, { ...(v.kind === 'chunked' ? { truncate: v.k } : {}), gradsInto: opts.gradsInto });
      return {
        fw,
        loss: fw.loss,
        grads: { dU: g.dU, dW: g.dW, dV: g.dV, db: g.db, dc: g.dc, dh0: g.dh0 },
        backward: g,
      };
    }
    case 'streaming':
      return { fw, loss: fw.loss, grads: streamingGrads(p, fw, ys, v.k1, v.k2, fopts) };
    case 'randomized': {
      const r = opts.rng ?? rng(opts.seed ?? 1);
      const keep = 1 - 1 / v.k; // π: the probability that the backward pass crosses a boundary
      const xi = new Float64Array(fw.T);
      xi[0] = 1; // as in chunked truncation, ∇h(0) always gets the first run's gradient: cuts fall between steps
      for (let t = 1; t < fw.T; t++) xi[t] = keep > 0 && r.uniform() < keep ? 1 / keep : 0;
      return { fw, loss: fw.loss, grads: reweightedGrads(p, fw, xi) };
    }
  }
}

/**
 * One window of BPTT(k1, k2): the losses of steps scoreFrom..end are backpropagated through steps start..end (1-based,
 * inclusive).
 */
export interface StreamingWindow {
  start: number;
  scoreFrom: number;
  end: number;
}

/**
 * The windows of Williams & Peng's BPTT(h; h′), which Sutskever (2013) writes BPTT(k1, k2) with k1 = h′, k2 = h:
 * every k1 steps (at t = k1, 2k1, ..., and at T) a window ends; it scores the k1 steps since the previous end and
 * backpropagates through the last k2 of them (fewer near t = 1). So the window's newest loss reaches back k2 steps
 * (itself included) and its oldest only k2 − k1 + 1.
 */
export function streamingWindows(T: number, k1: number, k2: number): StreamingWindow[] {
  checkTruncation({ kind: 'streaming', k1, k2 });
  if (!isInt(T, 0)) throw new BpttError(`streamingWindows: T must be an integer ≥ 0, got ${String(T)}`);
  const out: StreamingWindow[] = [];
  for (let prev = 0; prev < T; prev += k1) {
    const end = Math.min(prev + k1, T);
    out.push({ start: Math.max(1, end - k2 + 1), scoreFrom: prev + 1, end });
  }
  return out;
}

/**
 * How many backward steps (one application of eq 10.21 each) a variant takes on a sequence of T steps: T for full
 * and chunked BPTT (every step once), T for randomized truncation too (a cut only stops what crosses it), and the
 * summed window lengths for BPTT(k1, k2), about k2/k1 times T.
 */
export function backwardSteps(variant: Truncation, T: number): number {
  const v = checkTruncation(variant);
  if (v.kind !== 'streaming') return T;
  return streamingWindows(T, v.k1, v.k2).reduce((n, w) => n + w.end - w.start + 1, 0);
}

/**
 * BPTT(k1, k2) at fixed parameters, window by window (streamingWindows): h before the window is taken from the full
 * forward pass and held constant. ∇h(0) gets a share only from windows that reach back to step 1.
 */
function streamingGrads(
  p: Params,
  fw: Forward,
  ys: TargetInput,
  k1: number,
  k2: number,
  fopts: ForwardOptions,
): GradientEstimate {
  const acc = emptyGrads(p);
  const targets = Array.from(ys as ArrayLike<number | ArrayLike<number> | null>);
  for (const w of streamingWindows(fw.T, k1, k2)) {
    // 0-based: backpropagate through [a, e), score [from, e)
    const [a, e, from] = [w.start - 1, w.end, w.scoreFrom - 1];
    const slice = sliceInputs(fw.inputs, a, e);
    const ysw = targets.slice(a, e).map((y, i) => (a + i < from ? null : y)) as TargetInput;
    const wfw = forward(p, inputSpecOf(slice), ysw, { ...fopts, h0: hPrevOf(fw, a) });
    const g = backward(p, wfw);
    addInto(acc, g, a === 0 ? g.dh0 : null);
  }
  return acc;
}

/**
 * The gradient when the gradient flowing back from step t into h(t−1) is multiplied by xi[t − 1] (t = 1..T; xi[0]
 * scales what reaches h(0)): the engine's own backward pass with factors ξ(t). With every xi = 1 this is full BPTT,
 * with xi = 0 at t = k+1, 2k+1, ... it is chunked truncation; randomized truncation draws xi. Exported so a notebook
 * (or a test) can choose the cuts itself.
 */
export function reweightedGrads(p: Params, fw: Forward, xi: ArrayLike<number>): GradientEstimate {
  if (xi.length !== fw.T)
    throw new BpttError(`reweightedGrads: xi needs one factor per step boundary, T = ${fw.T}, got ${xi.length}`);
  const g = backward(p, fw, { xi });
  return { dU: g.dU, dW: g.dW, dV: g.dV, db: g.db, dc: g.dc, dh0: g.dh0 };
}

// --- how far from full BPTT ---

export interface GapEntry {
  /** ‖g − g_full‖ / ‖g_full‖ (0: identical; 1: an error as large as the gradient itself); 0 when both are 0. */
  relError: number;
  /** cos(g, g_full) = g·g_full / (‖g‖ ‖g_full‖); 1 when both are 0, 0 when only one is. */
  cosine: number;
}

export interface GradientGap extends GapEntry {
  variant: string;
  /** Per parameter; the top-level figures stack U, W, V, b, c into one vector. */
  perParam: Record<ParamName, GapEntry>;
}

function gap(a: ArrayLike<number>[], b: ArrayLike<number>[]): GapEntry {
  let d2 = 0;
  let a2 = 0;
  let b2 = 0;
  let ab = 0;
  a.forEach((av, j) => {
    const bv = b[j];
    for (let i = 0; i < av.length; i++) {
      d2 += (av[i] - bv[i]) ** 2;
      a2 += av[i] * av[i];
      b2 += bv[i] * bv[i];
      ab += av[i] * bv[i];
    }
  });
  const relError = b2 === 0 ? (a2 === 0 ? 0 : Infinity) : Math.sqrt(d2 / b2);
  const cosine = a2 === 0 && b2 === 0 ? 1 : a2 === 0 || b2 === 0 ? 0 : ab / Math.sqrt(a2 * b2);
  return { relError, cosine };
}

export interface GapOptions extends TruncationOptions {
  /** For 'randomized': average this many independent draws first (more draws → closer, it is unbiased). Default 1. */
  draws?: number;
}

/** How far a variant's gradient is from full BPTT's on the same sequence and parameters. */
export function gradientGap(
  p: Params,
  xs: InputSpec,
  ys: TargetInput,
  variant: Truncation,
  opts: GapOptions = {},
): GradientGap {
  const v = checkTruncation(variant);
  const draws = opts.draws ?? 1;
  if (!isInt(draws, 1)) throw new BpttError(`gradientGap: draws must be an integer ≥ 1, got ${String(draws)}`);
  const full = estimateGradient(p, xs, ys, { kind: 'full' }, opts).grads;
  const r = opts.rng ?? rng(opts.seed ?? 1);
  const est = emptyGrads(p);
  const n = v.kind === 'randomized' ? draws : 1;
  for (let d = 0; d < n; d++) addInto(est, estimateGradient(p, xs, ys, v, { ...opts, rng: r }).grads, null);
  for (const name of PARAM_NAMES) gradData(est, name).forEach((x, i, arr) => (arr[i] = x / n));
  const perParam = {} as Record<ParamName, GapEntry>;
  for (const name of PARAM_NAMES) perParam[name] = gap([gradData(est, name)], [gradData(full, name)]);
  const all = gap(
    PARAM_NAMES.map((nm) => gradData(est, nm)),
    PARAM_NAMES.map((nm) => gradData(full, nm)),
  );
  return { variant: describeTruncation(v), ...all, perParam };
}

// --- right on average? the error of the mean of N draws ---

export interface DrawsErrorOptions extends TruncationOptions {
  /** The numbers of draws N to average, e.g. [1, 2, 4, ..., 256] (increasing). */
  counts: number[];
  /** Independent repetitions whose squared errors are averaged (the root-mean-square error). Default 16. */
  repeats?: number;
}

export interface DrawsError {
  variant: string;
  counts: number[];
  /** √(mean over the repeats of (‖mean of N draws − g_full‖ / ‖g_full‖)²), for each N in counts. */
  rmsRelError: number[];
}

/**
 * How far the average of N draws of a variant lands from full BPTT, for each N. For an unbiased estimator
 * (randomized truncation) E‖ḡ_N − g‖² = tr Cov / N, so the root-mean-square error falls like 1/√N toward 0;
 * for a biased one it levels off at ‖E ḡ − g‖, its bias. A deterministic variant (chunked, streaming) gives the
 * same gradient every draw, so its error does not depend on N at all: it is its bias.
 */
export function errorAgainstDraws(
  p: Params,
  xs: InputSpec,
  ys: TargetInput,
  variant: Truncation,
  opts: DrawsErrorOptions,
): DrawsError {
  const v = checkTruncation(variant);
  const counts = opts.counts;
  if (
    !Array.isArray(counts) ||
    counts.length === 0 ||
    !counts.every((n, i) => isInt(n, 1) && (i === 0 || n > counts[i - 1]))
  ) {
    throw new BpttError(`errorAgainstDraws: counts must be increasing integers ≥ 1, got ${JSON.stringify(counts)}`);
  }
  const repeats = opts.repeats ?? 16;
  if (!isInt(repeats, 1))
    throw new BpttError(`errorAgainstDraws: repeats must be an integer ≥ 1, got ${String(repeats)}`);
  const full = estimateGradient(p, xs, ys, { kind: 'full' }, opts).grads;
  const fullParts = PARAM_NAMES.map((nm) => gradData(full, nm));
  const r = opts.rng ?? rng(opts.seed ?? 1);
  const random = v.kind === 'randomized';
  const sq = new Float64Array(counts.length);
  const sum = emptyGrads(p);
  const mean = emptyGrads(p);
  for (let rep = 0; rep < (random ? repeats : 1); rep++) {
    PARAM_NAMES.forEach((nm) => gradData(sum, nm).fill(0));
    let drawn = 0;
    counts.forEach((n, i) => {
      for (; drawn < (random ? n : 1); drawn++)
        addInto(sum, estimateGradient(p, xs, ys, v, { ...opts, rng: r }).grads, null);
      for (const nm of PARAM_NAMES) {
        const s = gradData(sum, nm);
        gradData(mean, nm).forEach((_, j, arr) => (arr[j] = s[j] / drawn));
      }
      sq[i] +=
        gap(
          PARAM_NAMES.map((nm) => gradData(mean, nm)),
          fullParts,
        ).relError ** 2;
    });
  }
  const reps = random ? repeats : 1;
  return {
    variant: describeTruncation(v),
    counts: counts.slice(),
    rmsRelError: Array.from(sq, (s) => Math.sqrt(s / reps)),
  };
}
