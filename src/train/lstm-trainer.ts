// Training the LSTM (model/lstm.ts) on the synthetic long-range tasks, the way train.ts trains the vanilla RNN on
// them: each iteration draws B fresh examples from rng(iterationSeed(seed, i)), sums their gradients (full or chunked
// BPTT), clips, and steps an optimiser; held-out accuracy on examples from a fixed evaluation seed, at the key steps
// only. So `bpttlab train --task copy --model lstm` and the vanilla run of the same flags see the same examples.
//
// The optimisers are the update rules of optim.ts, written again over the LSTM's parameter names (optim.ts is typed
// for U, W, V, b, c): sgd with momentum, adagrad (δ inside the root, as min-char-rnn), rmsprop, adam.

import { BpttError } from '../model/errors';
import {
  initLstm,
  LSTM_PARAM_NAMES,
  type LstmParamName,
  type LstmParams,
  lstmBackward,
  lstmForward,
  lstmGradData,
  lstmParamData,
} from '../model/lstm';
import { rng } from '../model/rng';
import { describeClip } from './clip';
import { iterationSeed } from './config';
import { DEFAULT_LR, type OptimizerName } from './optim';
import { type Example, isCorrect, type Task } from './tasks';

export interface LstmTrainConfig {
  hiddenSize: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  /** Clip the summed gradient: by global norm, by value, or not at all. */
  clip: { kind: 'norm'; max: number } | { kind: 'value'; limit: number } | null;
  /** Chunked truncation length, or null for full BPTT. */
  truncate: number | null;
  seed: number;
}

export const LSTM_DEFAULTS: LstmTrainConfig = {
  hiddenSize: 32,
  batchSize: 8,
  optimizer: 'adam',
  lr: 0.01,
  clip: { kind: 'norm', max: 1 },
  truncate: null,
  seed: 1,
};

export interface LstmIteration {
  iteration: number;
  loss: number; // per scored step
  accuracy: number | null; // at the key steps of this iteration's examples
  gradNorm: number; // before clipping
  clipped: boolean;
}

export class LstmTrainer {
  readonly config: LstmTrainConfig;
  readonly params: LstmParams;
  iteration = 0;
  private readonly slots: Record<string, Float64Array>[] = [{}, {}]; // per parameter: v / r, and adam's s

  constructor(
    readonly task: Task,
    config: Partial<LstmTrainConfig> = {},
  ) {
    const given = Object.fromEntries(
      Object.entries(config).filter(([, v]) => v !== undefined),
    ) as Partial<LstmTrainConfig>;
    const opt = given.optimizer ?? LSTM_DEFAULTS.optimizer;
    this.config = { ...LSTM_DEFAULTS, lr: DEFAULT_LR[opt], ...given };
    const c = this.config;
    const posInt = (k: string, v: number): void => {
      if (!Number.isInteger(v) || v < 1)
        throw new BpttError(`LSTM training: ${k} must be an integer ≥ 1, got ${String(v)}`);
    };
    posInt('hiddenSize', c.hiddenSize);
    posInt('batchSize', c.batchSize);
    if (c.truncate !== null) posInt('truncate', c.truncate);
    if (!(c.lr > 0 && Number.isFinite(c.lr)))
      throw new BpttError(`LSTM training: lr must be a positive number, got ${String(c.lr)}`);
    if (!['sgd', 'adagrad', 'rmsprop', 'adam'].includes(c.optimizer))
      throw new BpttError(`LSTM training: unknown optimiser "${String(c.optimizer)}"`);
    this.params = initLstm({
      inputSize: task.inputSize,
      hiddenSize: c.hiddenSize,
      outputSize: task.outputSize,
      seed: c.seed,
    });
    for (const n of LSTM_PARAM_NAMES)
      for (const s of this.slots) s[n] = new Float64Array(lstmParamData(this.params, n).length);
  }

  /** One update on B fresh examples. */
  step(): LstmIteration {
    const c = this.config;
    const r = rng(iterationSeed(c.seed, this.iteration));
    const sum: Record<LstmParamName, Float64Array> = Object.fromEntries(
      LSTM_PARAM_NAMES.map((n) => [n, new Float64Array(lstmParamData(this.params, n).length)]),
    ) as Record<LstmParamName, Float64Array>;
    let loss = 0,
      scored = 0,
      right = 0,
      keys = 0;
    for (let b = 0; b < c.batchSize; b++) {
      const ex = this.task.sample(r);
      const fw = lstmForward(this.params, ex.xs, ex.ys, { loss: this.task.loss });
      const g = lstmBackward(this.params, fw, { truncate: c.truncate ?? undefined });
      for (const n of LSTM_PARAM_NAMES) {
        const d = lstmGradData(g, n);
        for (let i = 0; i < d.length; i++) sum[n][i] += d[i];
      }
      loss += fw.loss;
      scored += countScored(ex.ys);
      for (const t of ex.keySteps) {
        const y = ex.ys[t];
        if (y === null) continue;
        keys++;
        if (isCorrect(this.task.loss, fw.yhat, t, y, this.task.tolerance)) right++;
      }
    }
    let sq = 0;
    for (const n of LSTM_PARAM_NAMES) for (const v of sum[n]) sq += v * v;
    const gradNorm = Math.sqrt(sq);
    let clipped = false;
    if (c.clip?.kind === 'norm' && gradNorm > c.clip.max) {
      const s = c.clip.max / gradNorm;
      for (const n of LSTM_PARAM_NAMES) sum[n].forEach((v, i, a) => (a[i] = v * s));
      clipped = true;
    } else if (c.clip?.kind === 'value') {
      const lim = c.clip.limit;
      for (const n of LSTM_PARAM_NAMES)
        sum[n].forEach((v, i, a) => {
          if (Math.abs(v) > lim) {
            a[i] = Math.sign(v) * lim;
            clipped = true;
          }
        });
    }
    this.iteration += 1;
    this.update(sum);
    return {
      iteration: this.iteration,
      loss: loss / Math.max(scored, 1),
      accuracy: keys === 0 ? null : right / keys,
      gradNorm,
      clipped,
    };
  }

  private update(g: Record<LstmParamName, Float64Array>): void {
    const { optimizer, lr } = this.config;
    const t = this.iteration;
    for (const n of LSTM_PARAM_NAMES) {
      const th = lstmParamData(this.params, n);
      const gn = g[n];
      const [r, s] = [this.slots[0][n], this.slots[1][n]];
      for (let i = 0; i < th.length; i++) {
        const gi = gn[i];
        if (optimizer === 'sgd') {
          r[i] = 0.9 * r[i] - lr * gi; // v ← μ v − ε g
          th[i] += r[i];
        } else if (optimizer === 'adagrad') {
          r[i] += gi * gi;
          th[i] -= (lr * gi) / Math.sqrt(r[i] + 1e-8);
        } else if (optimizer === 'rmsprop') {
          r[i] = 0.999 * r[i] + 0.001 * gi * gi;
          th[i] -= (lr * gi) / Math.sqrt(r[i] + 1e-8);
        } else {
          s[i] = 0.9 * s[i] + 0.1 * gi;
          r[i] = 0.999 * r[i] + 0.001 * gi * gi;
          th[i] -= (lr * (s[i] / (1 - 0.9 ** t))) / (Math.sqrt(r[i] / (1 - 0.999 ** t)) + 1e-8);
        }
      }
    }
  }

  run(n: number, onIteration?: (s: LstmIteration) => void): LstmIteration[] {
    const out: LstmIteration[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.step();
      out.push(s);
      onIteration?.(s);
    }
    return out;
  }

  /**
   * Loss per scored step and accuracy at the key steps on `examples` examples from a fixed evaluation seed (the same as
   * Trainer.evaluate's).
   */
  evaluate(examples = 200): { loss: number; accuracy: number } {
    const r = rng(iterationSeed(this.config.seed ^ 0x5eed, 1 << 30));
    let loss = 0,
      scored = 0,
      right = 0,
      keys = 0;
    for (let i = 0; i < examples; i++) {
      const ex = this.task.sample(r);
      const fw = lstmForward(this.params, ex.xs, ex.ys, { loss: this.task.loss });
      loss += fw.loss;
      scored += countScored(ex.ys);
      for (const t of ex.keySteps) {
        const y = ex.ys[t];
        if (y === null) continue;
        keys++;
        if (isCorrect(this.task.loss, fw.yhat, t, y, this.task.tolerance)) right++;
      }
    }
    return { loss: loss / Math.max(scored, 1), accuracy: keys === 0 ? 0 : right / keys };
  }

  describe(): string {
    const c = this.config;
    const clip = describeClip(c.clip);
    return `${this.task.description}; LSTM n_h = ${c.hiddenSize}, B = ${c.batchSize}, ${c.optimizer} lr ${c.lr}, ${clip}, ${c.truncate === null ? 'full' : `chunked k=${c.truncate}`} BPTT, seed ${c.seed}`;
  }
}

function countScored(ys: Example['ys']): number {
  let n = 0;
  for (let t = 0; t < ys.length; t++) if (ys[t] !== null && ys[t] !== undefined) n++;
  return n;
}
