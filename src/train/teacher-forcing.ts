// Training the output-to-hidden model of §10.2.1 with teacher forcing (model/teacher-forcing.ts) beside a vanilla RNN
// trained by full BPTT on the same sequences, and running both free (each fed its own previous output) to measure
// exposure bias: how the free-running prediction drifts from the targets as the sequence goes on, while the
// teacher-forced one-step prediction does not.
//
// The data: points going round the unit circle, y(t) = (sin(2πt/P + φ), cos(2πt/P + φ)), a random phase φ per
// sequence and y(0) given. The next point is a fixed rotation of the previous one, so the output-to-hidden model can
// predict it from y(t−1) alone (its output carries everything it needs, the condition §10.2.1 states). The vanilla
// RNN reads the same y(t−1) as its input x(t).
import { backward, forward } from '../model/engine';
import { initParams, PARAM_NAMES, type Params, paramData } from '../model/params';
import { type Rng, rng } from '../model/rng';
import {
  initTf,
  TF_PARAM_NAMES,
  type TfParams,
  type TfSequence,
  tfBackward,
  tfForward,
  tfGradData,
  tfParamData,
} from '../model/teacher-forcing';
import { fromRows, mat } from '../model/tensor';
import { iterationSeed } from './config';
import { gradData } from './optim';

/** One sequence round the circle: x(t) = 1 (a constant input), y(0..T) the points. */
export function circleSequence(r: Rng, T: number, period: number): TfSequence {
  const phi = 2 * Math.PI * r.uniform();
  const y = Array.from({ length: T + 1 }, (_, t) => [
    Math.sin((2 * Math.PI * t) / period + phi),
    Math.cos((2 * Math.PI * t) / period + phi),
  ]);
  return {
    x: fromRows(
      Array.from({ length: T }, () => [1]),
      'x',
    ),
    y: fromRows(y, 'y'),
  };
}

/** Adam (Algorithm 8.7, ε = lr, ρ1 = 0.9, ρ2 = 0.999, δ = 1e-8) over a list of arrays; `t` counts from 1. */
function adam(
  params: Float64Array[],
  grads: Float64Array[],
  state: { s: Float64Array[]; r: Float64Array[] },
  lr: number,
  t: number,
): void {
  params.forEach((th, n) => {
    const g = grads[n],
      s = state.s[n],
      r = state.r[n];
    for (let i = 0; i < th.length; i++) {
      s[i] = 0.9 * s[i] + 0.1 * g[i];
      r[i] = 0.999 * r[i] + 0.001 * g[i] * g[i];
      th[i] -= (lr * (s[i] / (1 - 0.9 ** t))) / (Math.sqrt(r[i] / (1 - 0.999 ** t)) + 1e-8);
    }
  });
}

export interface CircleConfig {
  hiddenSize: number;
  T: number;
  period: number;
  batchSize: number;
  iterations: number;
  lr: number;
  seed: number;
}

export const CIRCLE_DEFAULTS: CircleConfig = {
  hiddenSize: 16,
  T: 30,
  period: 12,
  batchSize: 8,
  iterations: 300,
  lr: 0.01,
  seed: 1,
};

export interface CircleRun<P> {
  params: P;
  losses: number[]; // per iteration, per step: Σ L / (B·T)
}

/** The output-to-hidden model, trained with teacher forcing: no BPTT, each step's gradient on its own. */
export function trainTeacherForced(c: Partial<CircleConfig> = {}): CircleRun<TfParams> {
  const cfg = { ...CIRCLE_DEFAULTS, ...c };
  const p = initTf({ inputSize: 1, hiddenSize: cfg.hiddenSize, outputSize: 2, seed: cfg.seed });
  const arrays = TF_PARAM_NAMES.map((n) => tfParamData(p, n));
  const state = { s: arrays.map((a) => new Float64Array(a.length)), r: arrays.map((a) => new Float64Array(a.length)) };
  const losses: number[] = [];
  for (let it = 0; it < cfg.iterations; it++) {
    const r = rng(iterationSeed(cfg.seed, it));
    const sum = arrays.map((a) => new Float64Array(a.length));
    let loss = 0;
    for (let b = 0; b < cfg.batchSize; b++) {
      const s = circleSequence(r, cfg.T, cfg.period);
      const fw = tfForward(p, s, 'teacher');
      const g = tfBackward(p, s, fw);
      TF_PARAM_NAMES.forEach((n, i) => tfGradData(g, n).forEach((v, j) => (sum[i][j] += v)));
      loss += fw.loss;
    }
    adam(arrays, sum, state, cfg.lr, it + 1);
    losses.push(loss / (cfg.batchSize * cfg.T));
  }
  return { params: p, losses };
}

/** The vanilla RNN on the same sequences (x(t) = y(t−1), squared loss), full BPTT. */
export function trainVanillaOnCircle(c: Partial<CircleConfig> = {}): CircleRun<Params> {
  const cfg = { ...CIRCLE_DEFAULTS, ...c };
  const p = initParams({ inputSize: 2, hiddenSize: cfg.hiddenSize, outputSize: 2, seed: cfg.seed });
  const arrays = PARAM_NAMES.map((n) => paramData(p, n));
  const state = { s: arrays.map((a) => new Float64Array(a.length)), r: arrays.map((a) => new Float64Array(a.length)) };
  const losses: number[] = [];
  for (let it = 0; it < cfg.iterations; it++) {
    const r = rng(iterationSeed(cfg.seed, it));
    const sum = arrays.map((a) => new Float64Array(a.length));
    let loss = 0;
    for (let b = 0; b < cfg.batchSize; b++) {
      const s = circleSequence(r, cfg.T, cfg.period);
      const fw = forward(p, { x: mat(cfg.T, 2, s.y.data.slice(0, cfg.T * 2)) }, rowsOf(s.y, 1), { loss: 'squared' });
      const grads = backward(p, fw);
      PARAM_NAMES.forEach((n, i) => gradData(grads, n).forEach((v, j) => (sum[i][j] += v)));
      loss += fw.loss;
    }
    adam(arrays, sum, state, cfg.lr, it + 1);
    losses.push(loss / (cfg.batchSize * cfg.T));
  }
  return { params: p, losses };
}

function rowsOf(m: { rows: number; cols: number; data: Float64Array }, from: number): number[][] {
  return Array.from({ length: m.rows - from }, (_, i) =>
    Array.from(m.data.subarray((from + i) * m.cols, (from + i + 1) * m.cols)),
  );
}

/** The vanilla RNN run free: x(1) = y(0), then x(t) = o(t−1), the state carried; returns o(1..T) as T×2. */
export function vanillaFreeRun(p: Params, s: TfSequence): Float64Array {
  const T = s.x.rows;
  const out = new Float64Array(T * 2);
  let xin = [s.y.data[0], s.y.data[1]];
  let h: Float64Array | undefined;
  for (let t = 0; t < T; t++) {
    const fw = forward(p, { x: [xin] }, [null], { loss: 'squared', h0: h });
    out.set(fw.o.data, t * 2);
    xin = [fw.o.data[0], fw.o.data[1]];
    h = fw.h.data.slice();
  }
  return out;
}

export interface DriftCurves {
  teacherForced: number[]; // per step t: mean ‖o(t) − y(t)‖ with the targets fed (one-step prediction)
  freeRunning: number[]; // per step t: mean ‖o(t) − y(t)‖ with its own outputs fed
  vanillaTeacherForced: number[]; // the vanilla RNN with the true y(t−1) as input
  vanillaFreeRunning: number[]; // the vanilla RNN fed its own outputs
}

/**
 * Mean distance from the targets per step, on `n` held-out sequences (a fixed evaluation seed), for both models run
 * both ways.
 */
export function driftCurves(
  tf: TfParams,
  vanilla: Params,
  c: Partial<CircleConfig> & { n?: number } = {},
): DriftCurves {
  const cfg = { ...CIRCLE_DEFAULTS, ...c };
  const n = c.n ?? 100;
  const r = rng(iterationSeed(cfg.seed ^ 0x5eed, 1 << 30));
  const T = cfg.T;
  const acc = {
    teacherForced: new Array(T).fill(0),
    freeRunning: new Array(T).fill(0),
    vanillaTeacherForced: new Array(T).fill(0),
    vanillaFreeRunning: new Array(T).fill(0),
  };
  const dist = (o: ArrayLike<number>, s: TfSequence, t: number): number =>
    Math.hypot(o[t * 2] - s.y.data[(t + 1) * 2], o[t * 2 + 1] - s.y.data[(t + 1) * 2 + 1]);
  for (let i = 0; i < n; i++) {
    const s = circleSequence(r, T, cfg.period);
    const tfo = tfForward(tf, s, 'teacher').o.data;
    const fro = tfForward(tf, s, 'free').o.data;
    const vto = forward(vanilla, { x: mat(T, 2, s.y.data.slice(0, T * 2)) }, new Array(T).fill(null), {
      loss: 'squared',
    }).o.data;
    const vfo = vanillaFreeRun(vanilla, s);
    for (let t = 0; t < T; t++) {
      acc.teacherForced[t] += dist(tfo, s, t) / n;
      acc.freeRunning[t] += dist(fro, s, t) / n;
      acc.vanillaTeacherForced[t] += dist(vto, s, t) / n;
      acc.vanillaFreeRunning[t] += dist(vfo, s, t) / n;
    }
  }
  return acc;
}
