// Exercise clip-norm: gradient clipping by the global norm (Pascanu et al. 2013; Deep Learning §10.11.1):
//   ‖g‖ = √(Σ over ∇U, ∇W, ∇V, ∇b, ∇c of Σ entries²);  if ‖g‖ > maxNorm, every gradient is multiplied by maxNorm/‖g‖.

import type { GradSet } from '../specs';
import * as specs from '../specs';
import type { Exercise } from './exercise';

const MATS = ['dU', 'dW', 'dV'] as const;
const VECS = ['db', 'dc'] as const;

const sq = (g: GradSet, names: readonly (keyof GradSet)[]): number =>
  names.reduce((s, n) => s + (g[n] as (number | number[])[]).flat().reduce((a: number, v: number) => a + v * v, 0), 0);
const mapAll = (g: GradSet, f: (v: number, name: keyof GradSet) => number): GradSet => ({
  dU: g.dU.map((r) => r.map((v) => f(v, 'dU'))),
  dW: g.dW.map((r) => r.map((v) => f(v, 'dW'))),
  dV: g.dV.map((r) => r.map((v) => f(v, 'dV'))),
  db: g.db.map((v) => f(v, 'db')),
  dc: g.dc.map((v) => f(v, 'dc')),
});

interface Opts {
  never?: boolean;
  reversed?: boolean;
  perParam?: boolean;
  byValue?: boolean;
  always?: boolean;
  inverted?: boolean;
  squared?: boolean;
  matricesOnly?: boolean;
}
function model(o: Opts) {
  return (g: GradSet, maxNorm: number): GradSet => {
    if (o.byValue) return mapAll(g, (v) => Math.max(-maxNorm, Math.min(maxNorm, v)));
    if (o.perParam) {
      const f: Record<string, number> = {};
      for (const n of [...MATS, ...VECS]) {
        const nn = Math.sqrt(sq(g, [n]));
        f[n] = nn > maxNorm ? maxNorm / nn : 1;
      }
      return mapAll(g, (v, n) => v * f[n]);
    }
    const s = sq(g, o.matricesOnly ? MATS : [...MATS, ...VECS]);
    const norm = o.squared ? s : Math.sqrt(s);
    if (o.never) return mapAll(g, (v) => v);
    const f =
      (o.reversed ? norm < maxNorm : norm > maxNorm) || o.always ? (o.inverted ? norm / maxNorm : maxNorm / norm) : 1;
    return mapAll(g, (v) => v * f);
  };
}

export const clipNorm: Exercise = {
  ...specs.clipNorm,
  solution: model({}),
  modelOf: (o) => model(o),
  mistakes: [
    {
      id: 'per-parameter',
      title: 'each gradient clipped by its own norm instead of the global norm of all of them',
      hint:
        'take ‖g‖ over ∇U, ∇W, ∇V, ∇b, ∇c together and scale all of them by the same maxNorm/‖g‖, so the ' +
        'direction of the whole step is kept.',
      opts: { perParam: true },
    },
    {
      id: 'by-value',
      title: 'clipping by value (each entry cut to [−maxNorm, maxNorm]) instead of by norm',
      hint:
        'norm clipping rescales the whole gradient: g ← g · maxNorm/‖g‖ when ‖g‖ > maxNorm; entrywise cutting ' +
        'changes its direction.',
      opts: { byValue: true },
    },
    {
      id: 'always-rescales',
      title: 'it rescales even when ‖g‖ ≤ maxNorm (blowing small gradients up to maxNorm)',
      hint: 'clip only when ‖g‖ > maxNorm; otherwise return the gradient unchanged.',
      opts: { always: true },
    },
    {
      id: 'inverted-scale',
      title: 'the factor is inverted: ‖g‖/maxNorm instead of maxNorm/‖g‖',
      hint: 'after clipping the norm must be maxNorm: multiply by maxNorm/‖g‖ (< 1).',
      opts: { inverted: true },
    },
    {
      id: 'squared-norm',
      title: 'the squared norm Σ g² is used instead of ‖g‖ = √(Σ g²)',
      hint: 'take the square root of the sum of squares.',
      opts: { squared: true },
    },
    {
      id: 'comparison-reversed',
      title: 'the test is reversed: it rescales when ‖g‖ < maxNorm and leaves large gradients alone',
      hint: 'clip when ‖g‖ > maxNorm: only too-long gradients are shortened.',
      opts: { reversed: true },
    },
    {
      id: 'never-clips',
      title: 'nothing is ever clipped: the gradient comes back unchanged although ‖g‖ > maxNorm',
      hint: 'compute ‖g‖ over all five gradients and, when it exceeds maxNorm, multiply every entry by maxNorm/‖g‖.',
      opts: { never: true },
    },
    {
      id: 'matrices-only-norm',
      title: 'the norm leaves out the biases ∇b, ∇c',
      hint: 'the global norm runs over every trained parameter: ∇U, ∇W, ∇V, ∇b and ∇c.',
      opts: { matricesOnly: true },
    },
  ],
};
