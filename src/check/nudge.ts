// Finite differences on the chapter's own numbers: checks that know nothing about the formulas they check.
//
// Each backward equation of §10.2.2 says how L changes when one quantity of the forward pass changes. So nudge that
// quantity by ±ε, rerun the forward pass from there (eqs 10.8–10.14, the engine's own `forward`), and watch L:
//
//   ∇o(t) L   nudge o(t), recompute L(t)                                   (eq 10.18)
//   ∇h(t) L   nudge h(t), recompute o(t), L(t), then h(t+1), …, L(τ)       (eqs 10.19–10.21; t = 0 is ∇h(0) L)
//   ∇a(t) L   nudge a(t), then h(t) = tanh(a(t)) and on as for h(t)        (∇a(t) L = H(t) ∇h(t) L)
//   ∂h(t+1)/∂h(t)   nudge h(t), rerun one step (eqs 10.8–10.9)             (eq 10.20's Jacobian, diag(1 − h(t+1)²) W)
//
// Only the losses from step t on can change when h(t) or a(t) moves, so those are the ones summed; `from`/`to` pick
// fewer of them (L(t) alone is the path through o(t); L(t+1) … L(τ) the path through h(t+1)). The per-step copies
// W(t), U(t), b(t), V(t), c(t) of eqs 10.22–10.28 are nudged by `numericParamGrad` in gradcheck.ts.
//
// Central differences as in gradcheck.ts: the 4-point stencil with ε = 1e-4 by default (error O(ε⁴), rounding
// noise ~1e-16/ε), the textbook 2-point one (ε = 1e-5) as an option. Agreement is norm-wise,
// ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12) ≤ 1e-7 (the design notes' measure for finite differences).

import { type Forward, forward } from '../model/engine';
import { BpttError } from '../model/errors';
import { sliceInputs } from '../model/inputs';
import { lossForward, sliceTargets, type TargetInput, type Targets } from '../model/losses';
import { checkParams, type Params } from '../model/params';
import { expectLength, type Mat, mat, matVec, norm, row } from '../model/tensor';

export interface NudgeOptions {
  /** 2 points (the textbook formula) or 4 points (default). */
  stencil?: 2 | 4;
  /** The nudge ε. Default 1e-4 with the 4-point stencil, 1e-5 with the 2-point one. */
  step?: number;
}

/** Which losses L(s) to sum, from ≤ s ≤ to (1-based, inclusive). Defaults: every loss h(t) or a(t) can reach, t..τ. */
export interface LossRange {
  from?: number;
  to?: number;
}

function stencilOf(o: NudgeOptions): { stencil: 2 | 4; step: number } {
  const stencil = o.stencil ?? 4;
  if (stencil !== 2 && stencil !== 4)
    throw new BpttError(`finite differences: stencil must be 2 or 4, got ${String(stencil)}`);
  const step = o.step ?? (stencil === 4 ? 1e-4 : 1e-5);
  if (!(step > 0) || !Number.isFinite(step))
    throw new BpttError(`finite differences: step ε must be a positive number, got ${step}`);
  return { stencil, step };
}

/** f′(0) by central differences of f(δ): (f(ε) − f(−ε)) / 2ε, or (f(−2ε) − 8 f(−ε) + 8 f(ε) − f(2ε)) / 12ε. */
export function centralDifference(f: (delta: number) => number, o: NudgeOptions = {}): number {
  const { stencil, step: e } = stencilOf(o);
  if (stencil === 2) return (f(e) - f(-e)) / (2 * e);
  return (f(-2 * e) - 8 * f(-e) + 8 * f(e) - f(2 * e)) / (12 * e);
}

/** ∇f(x) of a scalar function, one central difference per entry of x. */
export function numericGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  o: NudgeOptions = {},
): Float64Array {
  const base = Float64Array.from(x);
  return Float64Array.from(base, (_, j) =>
    centralDifference((d) => {
      const moved = base.slice();
      moved[j] += d;
      return f(moved);
    }, o),
  );
}

/** The Jacobian ∂f/∂x of f: R^n → R^m as an m×n matrix, entry (i, j) = ∂f_i/∂x_j (the book's convention). */
export function numericJacobian(
  f: (x: Float64Array) => ArrayLike<number>,
  x: ArrayLike<number>,
  o: NudgeOptions = {},
): Mat {
  const { stencil, step: e } = stencilOf(o);
  const base = Float64Array.from(x);
  const m = f(base.slice()).length;
  const J = mat(m, base.length);
  for (let j = 0; j < base.length; j++) {
    const at = (d: number): Float64Array => {
      const moved = base.slice();
      moved[j] += d;
      const y = f(moved);
      if (y.length !== m)
        throw new BpttError(`numericJacobian: f returned ${y.length} values at a nudged x, ${m} at x`);
      return Float64Array.from(y);
    };
    // every output at once: the same stencil as centralDifference, applied entrywise
    const [p1, m1] = [at(e), at(-e)];
    const [p2, m2] = stencil === 4 ? [at(2 * e), at(-2 * e)] : [p1, m1];
    for (let i = 0; i < m; i++) {
      J.data[i * base.length + j] =
        stencil === 2 ? (p1[i] - m1[i]) / (2 * e) : (m2[i] - 8 * m1[i] + 8 * p1[i] - p2[i]) / (12 * e);
    }
  }
  return J;
}

// --- the RNN's forward pass rerun from a nudged quantity ---

function checkOne(fw: Forward, t: number, min: number, what: string): void {
  if (fw.B !== 1) throw new BpttError(`${what}: needs the forward pass of one sequence (B = 1), got B = ${fw.B}`);
  if (!Number.isInteger(t) || t < min || t > fw.T)
    throw new BpttError(`${what}: step t must be an integer in ${min}..${fw.T} (τ = ${fw.T}), got ${t}`);
}

/** Targets of steps [from, to) (0-based) back in the form `forward` takes. */
function targetList(ys: Targets, from: number, to: number): TargetInput {
  const K = ys.vectors.cols;
  const out: (number | Float64Array | null)[] = [];
  for (let s = from; s < to; s++) {
    if (ys.scored[s] !== 1) out.push(null);
    else out.push(ys.loss === 'softmax-ce' ? ys.classes[s] : ys.vectors.data.slice(s * K, (s + 1) * K));
  }
  return out as TargetInput;
}

/** L(t) when o(t) is `o` (eqs 10.11–10.14 at one step). */
function lossAtO(fw: Forward, t: number, o: Float64Array): number {
  return lossForward(sliceTargets(fw.targets, t - 1, t), 0, o, new Float64Array(o.length));
}

/**
 * Every L(s), s = 1..τ (index s − 1), after h(t) is set to `h` and the forward pass is rerun from there:
 * o(t) = c + V h(t) and L(t) (eq 10.10, the loss), then steps t + 1 … τ from h(t) (eqs 10.8–10.14).
 * The losses before step t cannot see h(t) and are those of `fw`. t = 0 sets h(0) and reruns everything.
 */
export function lossesAfterH(p: Params, fw: Forward, t: number, h: ArrayLike<number>): Float64Array {
  checkOne(fw, t, 0, 'lossesAfterH');
  const { H } = checkParams(p);
  expectLength(h, H, `h(${t}) in lossesAfterH`, 'n_h');
  const losses = fw.losses.slice();
  const hv = Float64Array.from(h);
  if (t >= 1) {
    const o = matVec(p.V, hv);
    for (let k = 0; k < o.length; k++) o[k] += p.c[k];
    losses[t - 1] = lossAtO(fw, t, o);
  }
  if (t < fw.T) {
    const seg = sliceInputs(fw.inputs, t, fw.T);
    const xs = seg.tokens ? { tokens: seg.tokens } : { x: seg.x as Mat };
    const rest = forward(p, xs, targetList(fw.targets, t, fw.T), { loss: fw.targets.loss, h0: hv });
    losses.set(rest.losses, t);
  }
  return losses;
}

function sumRange(losses: Float64Array, r: LossRange, t: number, T: number): number {
  const from = r.from ?? Math.max(t, 1);
  const to = r.to ?? T;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to > T || from > to) {
    throw new BpttError(`losses from ${from} to ${to}: need integers with 1 ≤ from ≤ to ≤ τ = ${T}`);
  }
  let s = 0;
  for (let i = from; i <= to; i++) s += losses[i - 1];
  return s;
}

/** Σ L(s) over the range (default: t..τ, every loss h(t) reaches) with h(t) set to `h`. */
export function lossAfterH(p: Params, fw: Forward, t: number, h: ArrayLike<number>, range: LossRange = {}): number {
  return sumRange(lossesAfterH(p, fw, t, h), range, t, fw.T);
}

/** Σ L(s) over the range (default: t..τ) with a(t) set to `a`: h(t) = tanh(a(t)) (eq 10.9), then as lossAfterH. */
export function lossAfterA(p: Params, fw: Forward, t: number, a: ArrayLike<number>, range: LossRange = {}): number {
  checkOne(fw, t, 1, 'lossAfterA');
  return lossAfterH(p, fw, t, Array.from(a, Math.tanh), range);
}

/** h(t + 1) from a given h(t): one step of eqs 10.8–10.9 with the input x(t + 1) of `fw` (t = 0..τ − 1). */
export function nextState(p: Params, fw: Forward, t: number, h: ArrayLike<number>): Float64Array {
  checkOne(fw, t, 0, 'nextState');
  if (t === fw.T) throw new BpttError(`nextState: there is no h(${t + 1}) after the last step τ = ${fw.T}`);
  const seg = sliceInputs(fw.inputs, t, t + 1);
  const one = forward(p, seg.tokens ? { tokens: seg.tokens } : { x: seg.x as Mat }, [null], {
    loss: fw.targets.loss,
    h0: h,
  });
  return row(one.h, 0).slice();
}

/** ∇o(t) L by central differences: nudge each entry of o(t) and recompute L(t) (the only loss o(t) reaches). */
export function numericGradO(fw: Forward, t: number, o: NudgeOptions = {}): Float64Array {
  checkOne(fw, t, 1, 'numericGradO');
  return numericGradient((ov) => lossAtO(fw, t, ov), row(fw.o, t - 1), o);
}

/** ∇h(t) L by central differences (t = 0..τ; t = 0 is ∇h(0) L), over the losses in `range` (default t..τ). */
export function numericGradH(p: Params, fw: Forward, t: number, o: NudgeOptions & LossRange = {}): Float64Array {
  checkOne(fw, t, 0, 'numericGradH');
  return numericGradient((h) => lossAfterH(p, fw, t, h, o), row(fw.hAll, t), o);
}

/** ∇a(t) L by central differences (t = 1..τ), over the losses in `range` (default t..τ). */
export function numericGradA(p: Params, fw: Forward, t: number, o: NudgeOptions & LossRange = {}): Float64Array {
  checkOne(fw, t, 1, 'numericGradA');
  return numericGradient((a) => lossAfterA(p, fw, t, a, o), row(fw.a, t - 1), o);
}

/** ∂h(t+1)/∂h(t) (n_h×n_h, entry (i, j) = ∂h_i(t+1)/∂h_j(t)) by central differences, t = 0..τ − 1. */
export function numericStepJacobian(p: Params, fw: Forward, t: number, o: NudgeOptions = {}): Mat {
  checkOne(fw, t, 0, 'numericStepJacobian');
  return numericJacobian((h) => nextState(p, fw, t, h), row(fw.hAll, t), o);
}

// --- agreement ---

export interface NumericComparison {
  /** ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12): the pass rule for finite differences. */
  relError: number;
  analyticNorm: number;
  numericNorm: number;
  /** The largest |a_i − n_i|. */
  maxAbsDiff: number;
  tol: number;
  pass: boolean;
}

/** Compares a formula's values with central differences, norm-wise (pass when relError ≤ tol, default 1e-7). */
export function compareNumeric(analytic: ArrayLike<number>, numeric: ArrayLike<number>, tol = 1e-7): NumericComparison {
  if (analytic.length !== numeric.length) {
    throw new BpttError(
      `compareNumeric: the formula gives ${analytic.length} numbers, the differences ${numeric.length}`,
    );
  }
  const d = Float64Array.from(analytic, (v, i) => v - numeric[i]);
  const [an, nn] = [norm(analytic), norm(numeric)];
  const relError = norm(d) / Math.max(an + nn, 1e-12);
  const maxAbsDiff = d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { relError, analyticNorm: an, numericNorm: nn, maxAbsDiff, tol, pass: relError <= tol };
}
