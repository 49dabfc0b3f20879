// Why over 300 lines: per-parameter and per-step checks, the noise floor and the report share the stencil and the
// truncated loss.
//
// Gradient check by central differences, compared with the backward pass:
//   stencil 2:  ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε                                   error O(ε²) + noise/ε
//   stencil 4:  ∂L/∂θ ≈ (L(θ − 2ε) − 8 L(θ − ε) + 8 L(θ + ε) − L(θ + 2ε)) / 12ε     error O(ε⁴) + noise/ε
// The default is the 4-point stencil with ε = 1e-4: its truncation error is negligible at a step ten times larger,
// so the rounding noise of L divided by ε is ten times smaller. Differences are taken step by step,
// Σ_t (L(t)(θ + ε) − L(t)(θ − ε)), so steps the change cannot reach contribute exactly zero noise.
// Where L is so curved that ε is too coarse (a large W with H = 1, say), a failing row is retried with ε/10 and
// ε/100 and the best is kept, its ε shown: a correct gradient agrees once ε is small enough, a wrong one never does.
//
// Pass rule, per parameter: the norm-wise relative error ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12) ≤ tol (1e-7).
// Diagnostic: CS231n's per-entry relative error |a − n| / max(|a|, |n|), with the worst entry named. The per-entry
// figure is not the rule because at long T the loss's rounding noise divided by 2ε swamps tiny entries.
//
// Per time step: the book's own device (§10.2.2). Think of copies W(t), U(t), b(t), V(t), c(t) of each parameter,
// each used only at step t; ∂L/∂W(t) is exactly the t-th summand of eq 10.26. Perturbing the copy at one step
// checks each summand separately, so a learner sees *which* step is wrong.

import {
  type BackwardOptions,
  backward,
  checkTruncate,
  type ForwardOptions,
  forward,
  type Grads,
} from '../model/engine';
import { BpttError } from '../model/errors';
import { type InputSpec, type Inputs, toInputs } from '../model/inputs';
import type { LossName, TargetInput } from '../model/losses';
import { checkParams, cloneParams, PARAM_NAMES, type ParamName, type Params, paramData } from '../model/params';
import { chunkStarts, forwardInPieces } from '../model/pieces';
import { rng } from '../model/rng';
import { stepContribution } from '../model/summands';
import { type Mat, row } from '../model/tensor';
import { fmtE, fmtN } from './report';

export type CheckedName = ParamName | 'h0';

export interface GradCheckOptions extends ForwardOptions, BackwardOptions {
  /** Central-difference stencil: 2 points (the textbook formula) or 4 points (default, ten times less noise). */
  stencil?: 2 | 4;
  /** Finite-difference step ε. Default 1e-4 with the 4-point stencil, 1e-5 with the 2-point one. */
  step?: number;
  /** Pass threshold for the norm-wise relative error. Default 1e-7. */
  tol?: number;
  /** Check at most this many entries per parameter (chosen at random with `seed`); default: all of them. */
  samples?: number;
  /** Seed for choosing the sampled entries. Default 1. */
  seed?: number;
  /** Also check each step's summand of eqs 10.22–10.28 separately. Default: true when T ≤ 50. */
  perStep?: boolean;
  /**
   * Use these gradients instead of running the engine's backward pass (to check a hand-written backward); per-step rows
   * need the full Grads.
   */
  grads?: Grads | Pick<Grads, 'dU' | 'dW' | 'dV' | 'db' | 'dc' | 'dh0'>;
  /** Called after each central difference: `done` of `total` entries (a retried row adds its entries to the total). */
  onProgress?: (done: number, total: number) => void;
}

export interface WorstEntry {
  index: number; // flat index into the parameter
  row: number;
  col: number;
  analytic: number;
  numeric: number;
  relError: number; // |a − n| / max(|a|, |n|), CS231n's per-entry figure
}

export interface Check {
  name: CheckedName;
  /** The step t (1..T) whose copy was perturbed, or null for the whole parameter. */
  t: number | null;
  entries: number; // how many entries were compared
  step: number; // the ε this row was decided with
  analyticNorm: number;
  numericNorm: number;
  relError: number; // ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12), the pass rule
  /**
   * A generous bound on the rounding noise of the numeric gradient: 10 · 2^-52 · max(1, L) · √entries / ε. A
   * difference ‖a − n‖ below it cannot be told from noise, so the row passes as "within noise" even when the
   * ratio is above tol: a tiny gradient (a saturated tanh, ∇h(0) after many contracting steps) has a meaningless
   * ratio. A real mistake (a sign, a missing tanh', an off-by-one) moves entries by far more than this.
   */
  noiseFloor: number;
  pass: boolean;
  /** Why it passed: the ratio was ≤ tol, or the difference was within the noise floor. */
  passedBy: 'ratio' | 'noise' | null;
  worst: WorstEntry | null;
}

export interface GradCheckReport {
  loss: number;
  lossName: LossName;
  T: number;
  truncate: number;
  step: number;
  stencil: 2 | 4;
  tol: number;
  params: Check[]; // U, W, V, b, c, h0
  steps: Check[]; // one per (t, parameter), empty when perStep is off
  /**
   * 'pass' only when no row fails and at least one row carries information: a gradient (analytic or numeric) above
   * its noise floor, which the central differences could tell from zero. When every row is within noise — an ε
   * too small to change the parameters, a loss so large that its rounding swamps every difference — the numeric
   * side says nothing and the verdict is 'cannot judge', never 'pass'. A loss that cannot change (every target
   * null, or softmax with K = 1) passes only when the backward pass gives exactly 0.
   */
  verdict: 'pass' | 'fail' | 'cannot judge';
  /** Why the verdict is 'cannot judge' (or why a constant loss passed or failed); null otherwise. */
  why: string | null;
  /** verdict === 'pass'. */
  pass: boolean;
}

const EPS = 2.220446049250313e-16;

/** The stencil (2 or 4 points, default 4) and the step ε (default 1e-4 for 4 points, 1e-5 for 2), checked. */
function stencilOf(opts: { stencil?: number; step?: number }, who: string): { stencil: 2 | 4; h: number } {
  const stencil = opts.stencil ?? 4;
  if (stencil !== 2 && stencil !== 4) throw new BpttError(`${who}: stencil must be 2 or 4, got ${String(stencil)}`);
  const h = opts.step ?? (stencil === 4 ? 1e-4 : 1e-5);
  if (!(h > 0) || !Number.isFinite(h)) throw new BpttError(`${who}: step must be a positive number, got ${h}`);
  return { stencil, h };
}

export function gradCheck(p: Params, xs: InputSpec, ys: TargetInput, opts: GradCheckOptions = {}): GradCheckReport {
  const sizes = checkParams(p);
  const inputs = toInputs(xs, sizes.D);
  const T = inputs.T;
  const { stencil, h } = stencilOf(opts, 'gradCheck');
  const tol = opts.tol ?? 1e-7;
  if (opts.samples !== undefined && (!Number.isInteger(opts.samples) || opts.samples < 1)) {
    throw new BpttError(`gradCheck: samples must be an integer ≥ 1, got ${opts.samples}`);
  }
  const k = checkTruncate(opts.truncate, T);
  const fwOpts: ForwardOptions = { loss: opts.loss, h0: opts.h0 };
  const base = forward(p, xs, ys, fwOpts);
  const grads = opts.grads ?? backward(p, base, { truncate: k });
  const ysArr = Array.from(ys as ArrayLike<number | ArrayLike<number> | null>);
  const loss = new SegmentedLoss(inputs, ysArr, fwOpts, base.h, base.h0, k);
  const pick = sampler(opts.samples, opts.seed ?? 1);
  const analyticOf: Record<CheckedName, Float64Array> = {
    U: grads.dU.data,
    W: grads.dW.data,
    V: grads.dV.data,
    b: grads.db,
    c: grads.dc,
    h0: grads.dh0,
  };
  const valuesOf = (name: CheckedName): Float64Array => (name === 'h0' ? base.h0 : paramData(p, name));

  // Every row to check, planned first so that progress can say how far along the check is.
  interface Job {
    name: CheckedName;
    t: number | null;
    idx: number[];
    analytic: () => number[];
  }
  const jobs: Job[] = [];
  for (const name of [...PARAM_NAMES, 'h0'] as CheckedName[]) {
    const idx = pick(analyticOf[name].length);
    jobs.push({ name, t: null, idx, analytic: () => idx.map((i) => analyticOf[name][i]) });
  }
  const full = 'dO' in grads && 'dh' in grads; // per-step summands need the per-step ∇o(t), ∇h(t)
  if (full && (opts.perStep ?? T <= 50)) {
    for (let t = 1; t <= T; t++) {
      let contribution: Record<ParamName, Float64Array> | null = null;
      const perStep = (): Record<ParamName, Float64Array> => {
        if (contribution === null) {
          const c = stepContribution(p, base, grads as Grads, t);
          contribution = { U: c.dU.data, W: c.dW.data, V: c.dV.data, b: c.db, c: c.dc };
        }
        return contribution;
      };
      for (const name of PARAM_NAMES) {
        const idx = pick(paramData(p, name).length);
        jobs.push({ name, t, idx, analytic: () => idx.map((i) => perStep()[name][i]) });
      }
    }
  }
  let total = jobs.reduce((s, j) => s + j.idx.length, 0);
  let done = 0;
  opts.onProgress?.(0, total);

  /** Compares one parameter (or its copy at one step), refining ε on failure. */
  const row = (job: Job): Check => {
    const { name, t, idx } = job;
    const analytic = job.analytic();
    let best: Check | null = null;
    for (const step of [h, h / 10, h / 100]) {
      if (step !== h) total += idx.length;
      const numeric = idx.map((i) => {
        const n = numericDerivative(stencil, step, (d) => loss.value(p, name, i, d, t === null ? null : t - 1));
        opts.onProgress?.(++done, total);
        return n;
      });
      const noise = (10 * EPS * Math.max(1, Math.abs(base.loss)) * Math.sqrt(idx.length)) / step;
      const c = compare(name, t, step, idx, analytic, numeric, colsOf(p, name), noise, tol);
      if (best === null || c.relError < best.relError) best = c;
      if (c.pass) return c;
    }
    return best as Check;
  };
  const checks = jobs.map(row);
  const params = checks.filter((c) => c.t === null);
  const steps = checks.filter((c) => c.t !== null);

  // The verdict: see GradCheckReport.verdict.
  const scored = ysArr.filter((y) => y !== null && y !== undefined).length;
  const constant =
    scored === 0
      ? 'every target is null'
      : base.targets.loss === 'softmax-ce' && sizes.K === 1
        ? 'softmax over K = 1 class is always 1'
        : null;
  let verdict: GradCheckReport['verdict'];
  let why: string | null = null;
  if (constant !== null) {
    // L is 0 whatever θ is, so the exact gradient is 0: nothing numeric can add to that, and anything else is wrong
    for (const c of checks) {
      const exact = c.analyticNorm === 0;
      c.pass = exact;
      c.passedBy = exact ? 'ratio' : null;
    }
    verdict = checks.every((c) => c.pass) ? 'pass' : 'fail';
    why =
      `the loss cannot change (${constant}), so every gradient is exactly ` +
      `0${verdict === 'pass' ? ', as the backward pass says' : ', which the backward pass does not give'}`;
  } else if (checks.some((c) => !c.pass)) {
    verdict = 'fail';
  } else if (checks.some((c) => Math.max(c.analyticNorm, c.numericNorm) > c.noiseFloor)) {
    verdict = 'pass';
  } else {
    verdict = 'cannot judge';
    // θ ± ε = θ for every nonzero entry: the step is below the spacing of doubles there (zeros move, but alone say
    // little)
    const nonzero = jobs.flatMap((j) => j.idx.map((i) => valuesOf(j.name)[i])).filter((v) => v !== 0);
    const moves = nonzero.length === 0 || nonzero.some((v) => v + h !== v || v - h !== v);
    const top = checks.reduce((a, b) => (b.analyticNorm > a.analyticNorm ? b : a));
    why = !moves
      ? `ε = ${h} is too small to change the parameters in double precision (θ ± ε = θ), so every central ` +
        `difference is 0; use the default ε`
      : `every gradient is within the rounding noise of the central differences (L = ${fmtN(base.loss)}: e.g. ` +
        `‖∇${top.name}‖ = ${fmtE(top.analyticNorm)} but the noise floor is ${fmtE(top.noiseFloor)}), so they cannot ` +
        `tell a right gradient from a wrong one; use a case with a smaller loss, or the default ε`;
  }
  const pass = verdict === 'pass';
  return {
    loss: base.loss,
    lossName: base.targets.loss,
    T,
    truncate: k,
    step: h,
    stencil,
    tol,
    params,
    steps,
    verdict,
    why,
    pass,
  };
}

export interface NumericParamGradOptions extends ForwardOptions {
  /** Nudge only the book's copy of the parameter used at step t (1..T): the t-th summand of eqs 10.22–10.28. */
  at?: number;
  /** Truncated BPTT's chunk length: the state is held constant at chunk starts, as in gradCheck. */
  truncate?: number;
  stencil?: 2 | 4;
  /** ε; default 1e-4 (4-point stencil) or 1e-5 (2-point). */
  step?: number;
}

/**
 * ∇θ L by central differences for one whole parameter θ (U, W, V, b, c or h0), every entry, with the same
 * machinery as gradCheck: or, with `at: t`, the gradient for the copy θ(t) used only at step t — the book's device,
 * whose exact value is step t's summand of eqs 10.22–10.28 (`stepContribution`). Knows nothing of the backward pass.
 */
export function numericParamGrad(
  p: Params,
  xs: InputSpec,
  ys: TargetInput,
  name: CheckedName,
  opts: NumericParamGradOptions = {},
): Float64Array {
  const sizes = checkParams(p);
  const inputs = toInputs(xs, sizes.D);
  const T = inputs.T;
  const { stencil, h } = stencilOf(opts, 'numericParamGrad');
  if (!(name === 'h0' || (PARAM_NAMES as readonly string[]).includes(name))) {
    throw new BpttError(`numericParamGrad: name must be one of U, W, V, b, c, h0, got ${String(name)}`);
  }
  const at = opts.at;
  if (at !== undefined) {
    if (!Number.isInteger(at) || at < 1 || at > T)
      throw new BpttError(`numericParamGrad: at (the step t of the copy) must be an integer in 1..${T}, got ${at}`);
    if (name === 'h0')
      throw new BpttError('numericParamGrad: h(0) is not a parameter used at every step: it has no per-step copies');
  }
  const k = checkTruncate(opts.truncate, T);
  const fwOpts: ForwardOptions = { loss: opts.loss, h0: opts.h0 };
  const base = forward(p, xs, ys, fwOpts);
  const ysArr = Array.from(ys as ArrayLike<number | ArrayLike<number> | null>);
  const loss = new SegmentedLoss(inputs, ysArr, fwOpts, base.h, base.h0, k);
  const n = name === 'h0' ? sizes.H : paramData(p, name).length;
  return Float64Array.from({ length: n }, (_, i) =>
    numericDerivative(stencil, h, (d) => loss.value(p, name, i, d, at === undefined ? null : at - 1)),
  );
}

/** The central difference of L = Σ_t L(t), summed step by step; `f(δ)` returns every L(t) at θ + δ. */
function numericDerivative(stencil: 2 | 4, h: number, f: (delta: number) => Float64Array): number {
  const [p1, m1] = [f(h), f(-h)];
  let s = 0;
  if (stencil === 2) {
    for (let t = 0; t < p1.length; t++) s += p1[t] - m1[t];
    return s / (2 * h);
  }
  const [p2, m2] = [f(2 * h), f(-2 * h)];
  for (let t = 0; t < p1.length; t++) s += m2[t] - p2[t] + 8 * (p1[t] - m1[t]);
  return s / (12 * h);
}

function colsOf(p: Params, name: CheckedName): number {
  return name === 'U' || name === 'W' || name === 'V' ? (p[name] as Mat).cols : 1;
}

function compare(
  name: CheckedName,
  t: number | null,
  step: number,
  idx: number[],
  a: number[],
  n: number[],
  cols: number,
  noiseFloor: number,
  tol: number,
): Check {
  let diff2 = 0;
  let a2 = 0;
  let n2 = 0;
  let worst: WorstEntry | null = null;
  for (let j = 0; j < idx.length; j++) {
    const d = a[j] - n[j];
    diff2 += d * d;
    a2 += a[j] * a[j];
    n2 += n[j] * n[j];
    const scale = Math.max(Math.abs(a[j]), Math.abs(n[j]));
    const rel = scale === 0 ? 0 : Math.abs(d) / scale;
    if (worst === null || rel > worst.relError) {
      worst = {
        index: idx[j],
        row: Math.floor(idx[j] / cols),
        col: idx[j] % cols,
        analytic: a[j],
        numeric: n[j],
        relError: rel,
      };
    }
  }
  const [an, nn, dn] = [Math.sqrt(a2), Math.sqrt(n2), Math.sqrt(diff2)];
  const relError = dn / Math.max(an + nn, 1e-12);
  const passedBy = relError <= tol ? 'ratio' : dn <= noiseFloor ? 'noise' : null;
  return {
    name,
    t,
    entries: idx.length,
    step,
    analyticNorm: an,
    numericNorm: nn,
    relError,
    noiseFloor,
    pass: passedBy !== null,
    passedBy,
    worst,
  };
}

/** All indices, or `samples` distinct ones chosen at random (seeded), in increasing order. */
function sampler(samples: number | undefined, seed: number): (n: number) => number[] {
  const r = rng(seed);
  return (n) => {
    const all = Array.from({ length: n }, (_, i) => i);
    if (samples === undefined || samples >= n) return all;
    for (let i = 0; i < samples; i++) {
      const j = i + r.int(n - i);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, samples).sort((x, y) => x - y);
  };
}

/**
 * L as a function of one entry of one parameter, optionally of its copy at one step only, honouring truncation:
 * the sequence runs in segments (truncation chunks, and the perturbed step alone); at a chunk start the state
 * h(s−1) comes from the unperturbed forward pass — held constant, as detach() holds it — so no change flows
 * across a chunk boundary, exactly the gradient that truncated BPTT computes.
 */
class SegmentedLoss {
  constructor(
    private readonly inputs: Inputs,
    private readonly ys: (number | ArrayLike<number> | null)[],
    private readonly opts: ForwardOptions,
    private readonly baseH: Mat,
    private readonly h0: Float64Array,
    private readonly k: number,
  ) {}

  /** Every L(t), t = 1..T, with one entry moved by delta. */
  value(p: Params, name: CheckedName, i: number, delta: number, onlyAt: number | null): Float64Array {
    const T = this.inputs.T;
    const moved = cloneParams(p);
    const h0 = this.h0.slice();
    if (name === 'h0') h0[i] += delta;
    else paramData(moved, name)[i] += delta;
    const cuts = new Set<number>(chunkStarts(T, this.k));
    if (onlyAt !== null) [onlyAt, onlyAt + 1].forEach((s) => s < T && cuts.add(s));
    const losses = new Float64Array(T);
    forwardInPieces(
      p,
      this.inputs,
      this.ys,
      [...cuts].sort((x, y) => x - y),
      {
        ...this.opts,
        h0,
        // detached: the unperturbed state
        stateAt: (s) => (s > 0 && s % this.k === 0 ? row(this.baseH, s - 1) : undefined),
        paramsAt: (s) => (onlyAt === null || onlyAt === s ? moved : p),
      },
      (fw, s) => losses.set(fw.losses, s),
    );
    return losses;
  }
}

export { formatReport } from './report';
