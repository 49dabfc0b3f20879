// The LSTM's gradient check, per parameter and per step (as gradcheck.ts does for the vanilla RNN): the
// hand-written backward pass of model/lstm.ts against central differences of its forward pass.

import { checkTruncate } from '../model/engine';
import { type InputSpec, sliceInputs } from '../model/inputs';
import type { TargetInput } from '../model/losses';
import {
  cloneLstm,
  LSTM_PARAM_NAMES,
  type LstmForwardOptions,
  type LstmGrads,
  type LstmParamName,
  type LstmParams,
  lstmBackward,
  lstmForward,
  lstmGradData,
  lstmParamData,
  lstmStepContribution,
} from '../model/lstm';
import { type Mat, row } from '../model/tensor';

export interface LstmCheckRow {
  name: LstmParamName | 'h0' | 'c0';
  t: number | null; // the step whose copy was perturbed, or null for the whole parameter
  analyticNorm: number;
  numericNorm: number;
  relError: number; // ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12)
  noiseFloor: number; // 10 · 2^-52 · max(1, L) · √entries / ε, as gradcheck.ts
  pass: boolean;
}

export interface LstmCheckReport {
  loss: number;
  T: number;
  truncate: number;
  rows: LstmCheckRow[];
  pass: boolean;
}

export interface LstmCheckOptions extends LstmForwardOptions {
  truncate?: number;
  /** Also check each step's summand separately (copies θ(t) perturbed one step at a time). Default true. */
  perStep?: boolean;
  /** Pass threshold. Default 1e-7. */
  tol?: number;
  /** Check these gradients instead of running lstmBackward (a hand-written backward pass under test). */
  grads?: LstmGrads;
}

/**
 * Central differences (4-point stencil, ε = 1e-4) of the loss against the hand-written backward pass, per parameter
 * and, with the book's per-step copies θ(t), per step. With truncation the loss of a chunk is differentiated with the
 * state entering it held fixed (that is what truncated BPTT's gradient is), chunk by chunk.
 */
export function lstmGradCheck(
  p: LstmParams,
  xs: InputSpec,
  ys: TargetInput,
  o: LstmCheckOptions = {},
): LstmCheckReport {
  const fw = lstmForward(p, xs, ys, o);
  const k = checkTruncate(o.truncate, fw.T);
  const g = o.grads ?? lstmBackward(p, fw, { truncate: k });
  const eps = 1e-4;
  const tol = o.tol ?? 1e-7;
  const T = fw.T;
  // The loss as truncation sees it: each chunk's losses, run from the state (h, c) that entered the chunk in the
  // unperturbed pass, so a change reaches only the losses of its own chunk, as in truncated BPTT.
  const lossOf = (at: (t: number) => LstmParams, h0 = o.h0, c0 = o.c0): number => {
    if (k >= T) return lstmForward(p, xs, ys, { loss: o.loss, h0, c0, paramsAt: at }).loss;
    let L = 0;
    for (let s = 0; s < T; s += k) {
      const e = Math.min(s + k, T);
      const seg = sliceInputs(fw.inputs, s, e);
      const f = lstmForward(
        p,
        seg.tokens !== null ? { tokens: seg.tokens } : { x: seg.x as Mat },
        ys.slice(s, e) as TargetInput,
        {
          loss: o.loss,
          h0: s === 0 ? h0 : row(fw.hAll, s),
          c0: s === 0 ? c0 : row(fw.cAll, s),
          paramsAt: (t) => at(s + t), // local step t is step s + t of the sequence
        },
      );
      L += f.loss;
    }
    return L;
  };
  const diff = (f: (d: number) => number): number => (f(-2 * eps) - 8 * f(-eps) + 8 * f(eps) - f(2 * eps)) / (12 * eps);
  const moved = (name: LstmParamName, idx: number, d: number): LstmParams => {
    const c = cloneLstm(p);
    lstmParamData(c, name)[idx] += d;
    return c;
  };
  const rows: LstmCheckRow[] = [];
  const add = (name: LstmCheckRow['name'], t: number | null, a: ArrayLike<number>, n: ArrayLike<number>): void => {
    let dd = 0,
      an = 0,
      nn = 0;
    for (let i = 0; i < a.length; i++) {
      dd += (a[i] - n[i]) ** 2;
      an += a[i] ** 2;
      nn += n[i] ** 2;
    }
    const [d, A, N] = [Math.sqrt(dd), Math.sqrt(an), Math.sqrt(nn)];
    const relError = d / Math.max(A + N, 1e-12);
    const noiseFloor = (10 * 2 ** -52 * Math.max(1, Math.abs(fw.loss)) * Math.sqrt(a.length)) / eps;
    rows.push({
      name,
      t,
      analyticNorm: A,
      numericNorm: N,
      relError,
      noiseFloor,
      pass: relError <= tol || d <= noiseFloor,
    });
  };
  for (const name of LSTM_PARAM_NAMES) {
    const n = lstmParamData(p, name).length;
    const num = Float64Array.from({ length: n }, (_, i) =>
      diff((d) => {
        const c = moved(name, i, d);
        return lossOf(() => c);
      }),
    );
    add(name, null, lstmGradData(g, name), num);
    if (o.perStep ?? true) {
      for (let t = 1; t <= T; t++) {
        const a = lstmStepContribution(p, fw, g, t)[name];
        const numT = Float64Array.from({ length: n }, (_, i) =>
          diff((d) => {
            const c = moved(name, i, d);
            return lossOf((s) => (s === t ? c : p));
          }),
        );
        add(name, t, a, numT);
      }
    }
  }
  const H = fw.sizes.H;
  const base = (v: ArrayLike<number> | undefined): Float64Array =>
    v === undefined ? new Float64Array(H) : Float64Array.from(v);
  for (const which of ['h0', 'c0'] as const) {
    const num = Float64Array.from({ length: H }, (_, i) =>
      diff((d) => {
        const v = base(which === 'h0' ? o.h0 : o.c0);
        v[i] += d;
        return which === 'h0' ? lossOf(() => p, v, o.c0) : lossOf(() => p, o.h0, v);
      }),
    );
    add(which, null, which === 'h0' ? g.dh0 : g.dc0, num);
  }
  return { loss: fw.loss, T, truncate: k, rows, pass: rows.every((r) => r.pass) };
}

/** The report as a table: per parameter, then the worst step of each parameter. */
export function formatLstmReport(r: LstmCheckReport): string {
  const line = (x: LstmCheckRow): string =>
    `${`${x.name}${x.t === null ? '' : `(${x.t})`}`.padEnd(8)} ${x.analyticNorm.toExponential(3).padStart(10)} ${x.numericNorm.toExponential(3).padStart(10)} ${x.relError.toExponential(1).padStart(8)}  ${x.pass ? 'ok' : 'FAIL'}`;
  const whole = r.rows.filter((x) => x.t === null);
  const steps = r.rows.filter((x) => x.t !== null);
  const out = [
    `LSTM gradient check, τ = ${r.T}${
      r.truncate < r.T ? `, truncated every ${r.truncate}` : ''
    }: ${r.pass ? 'pass' : 'FAIL'}`,
    `${'quantity'.padEnd(8)} ${'‖formula‖'.padStart(10)} ${'‖numeric‖'.padStart(10)} ${'rel err'.padStart(8)}`,
    ...whole.map(line),
  ];
  if (steps.length > 0) {
    out.push(`per step: ${steps.length} rows, ${steps.filter((x) => !x.pass).length} failing; worst:`);
    const worst = [...steps].sort((a, b) => b.relError - a.relError).slice(0, 3);
    out.push(...worst.map(line));
  }
  return out.join('\n');
}
