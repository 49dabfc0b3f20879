// Gradient clipping, the usual guard against exploding gradients (Deep Learning §10.11.1).
//   by global norm (Pascanu et al. 2013): if ‖g‖ > max, g ← g · max / ‖g‖, where ‖g‖ is the norm of all of
//     ∇U, ∇W, ∇V, ∇b, ∇c stacked into one vector — the direction is kept, only the step is shortened;
//   elementwise (min-char-rnn's np.clip(dparam, -5, 5, out=dparam)): each entry is cut to [−limit, limit] —
//     cheaper, but it changes the direction whenever some entries are cut.
// ∇h(0) is not clipped: h(0) is not a trained parameter. Both work in place and report what they did, so the
// training loop can count how often clipping happened.

import { BpttError } from '../model/errors';
import { PARAM_NAMES } from '../model/params';
import { gradData, type ParamGrads } from './optim';

export type ClipSpec = { kind: 'norm'; max: number } | { kind: 'value'; limit: number };

/** The clipping setting in words, for a run's one-line summary. */
export function describeClip(spec: ClipSpec | null): string {
  if (spec === null) return 'no clipping';
  return spec.kind === 'norm' ? `clip ‖g‖ ≤ ${spec.max}` : `clip to [−${spec.limit}, ${spec.limit}]`;
}

export interface ClipResult {
  /** Whether anything changed. */
  clipped: boolean;
  /** ‖g‖ over all parameters before clipping. */
  normBefore: number;
  /** ‖g‖ after clipping. */
  normAfter: number;
  /** Norm clipping: the factor max/‖g‖ applied (1 when not clipped). Elementwise: ‖after‖/‖before‖. */
  scale: number;
  /** How many entries changed (all of them for a norm clip, the cut ones for an elementwise clip). */
  entries: number;
}

/** The global norm ‖g‖ = √(Σ over U, W, V, b, c of Σ g²). */
export function gradNorm(g: ParamGrads): number {
  let s = 0;
  for (const name of PARAM_NAMES) {
    const d = gradData(g, name);
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  }
  return Math.sqrt(s);
}

/**
 * cos(a, b) of two gradients, each stacked into one vector (U, W, V, b, c): 1 when clipping kept the direction,
 * below 1 when it turned the gradient. 1 when both are zero, 0 when only one is.
 */
export function gradCosine(a: ParamGrads, b: ParamGrads): number {
  let ab = 0;
  for (const name of PARAM_NAMES) {
    const [x, y] = [gradData(a, name), gradData(b, name)];
    if (x.length !== y.length)
      throw new BpttError(
        `gradCosine: ∇${name} has ${x.length} entries in the first gradient and ${y.length} in the second`,
      );
    for (let i = 0; i < x.length; i++) ab += x[i] * y[i];
  }
  const [na, nb] = [gradNorm(a), gradNorm(b)];
  return na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : ab / (na * nb);
}

function totalEntries(g: ParamGrads): number {
  return PARAM_NAMES.reduce((n, name) => n + gradData(g, name).length, 0);
}

export function clipByGlobalNorm(g: ParamGrads, max: number): ClipResult {
  if (typeof max !== 'number' || !(max > 0) || !Number.isFinite(max))
    throw new BpttError(`clip by global norm: max must be a positive number, got ${String(max)}`);
  const before = gradNorm(g);
  if (!(before > max)) return { clipped: false, normBefore: before, normAfter: before, scale: 1, entries: 0 };
  const scale = max / before;
  for (const name of PARAM_NAMES) {
    const d = gradData(g, name);
    for (let i = 0; i < d.length; i++) d[i] *= scale;
  }
  return { clipped: true, normBefore: before, normAfter: gradNorm(g), scale, entries: totalEntries(g) };
}

export function clipElementwise(g: ParamGrads, limit = 5): ClipResult {
  if (typeof limit !== 'number' || !(limit > 0) || !Number.isFinite(limit))
    throw new BpttError(`clip elementwise: limit must be a positive number, got ${String(limit)}`);
  const before = gradNorm(g);
  let entries = 0;
  for (const name of PARAM_NAMES) {
    const d = gradData(g, name);
    for (let i = 0; i < d.length; i++) {
      if (d[i] > limit) {
        d[i] = limit;
        entries++;
      } else if (d[i] < -limit) {
        d[i] = -limit;
        entries++;
      }
    }
  }
  const after = entries === 0 ? before : gradNorm(g);
  return {
    clipped: entries > 0,
    normBefore: before,
    normAfter: after,
    scale: before === 0 ? 1 : after / before,
    entries,
  };
}

/** Applies a clip spec (or nothing, for null). */
export function clipGrads(g: ParamGrads, spec: ClipSpec | null): ClipResult {
  if (spec === null) {
    const n = gradNorm(g);
    return { clipped: false, normBefore: n, normAfter: n, scale: 1, entries: 0 };
  }
  if (spec.kind === 'norm') return clipByGlobalNorm(g, spec.max);
  if (spec.kind === 'value') return clipElementwise(g, spec.limit);
  throw new BpttError(`unknown clip kind "${String((spec as { kind: unknown }).kind)}": expected "norm" or "value"`);
}
