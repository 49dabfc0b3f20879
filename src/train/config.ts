// A training run's settings: what to train on, every setting with its default (min-char-rnn's recipe), the checks
// that name the field and the rule, and the model's sizes for a source.

import { BpttError } from '../model/errors';
import type { LossName } from '../model/losses';
import type { ClipSpec } from './clip';
import { DEFAULT_LR, OPTIMIZERS, type OptimizerName, type OptimizerOptions } from './optim';
import type { Task } from './tasks';
import type { Corpus } from './text';
import { checkTruncation, type Truncation } from './truncation';
/** What to train on: a character corpus or a synthetic task. */
export type Source = { kind: 'text'; corpus: Corpus } | { kind: 'task'; task: Task };

/** Every setting of a run; plain JSON, so a checkpoint can store it. Defaults in DEFAULTS. */
export interface TrainConfig {
  hiddenSize: number; // H
  seqLength: number; // T of each text sequence (tasks set their own T)
  batchSize: number; // B sequences per iteration; their gradients are summed (the loss is a sum too)
  optimizer: OptimizerName;
  lr: number;
  optimizerOptions: OptimizerOptions; // momentum, decay, beta1, beta2, eps
  clip: ClipSpec | null;
  truncation: Truncation; // applied inside each sequence
  seed: number;
  initScale: number; // multiplies initParams' default std 1/√fan_in
  smoothing: number; // β of the smoothed loss (an exponential moving average, bias-corrected)
}

/** min-char-rnn's recipe (H = 100 → 64 to fit a minute, T = 25, Adagrad with ε = 0.1, clip to [−5, 5]). */
export const DEFAULTS: TrainConfig = {
  hiddenSize: 64,
  seqLength: 25,
  batchSize: 1,
  optimizer: 'adagrad',
  lr: 0.1, // each optimiser's own default (optim.ts DEFAULT_LR) when another optimiser is chosen
  optimizerOptions: {},
  clip: { kind: 'value', limit: 5 },
  truncation: { kind: 'full' },
  seed: 1,
  initScale: 1,
  smoothing: 0.99,
};

export function check(cond: boolean, msg: string): void {
  if (!cond) throw new BpttError(msg);
}

/** Fills in defaults and checks every field, with a message naming the field and the rule. */
export function resolveConfig(c: Partial<TrainConfig> = {}, source?: Source): TrainConfig {
  const opt = c.optimizer ?? DEFAULTS.optimizer;
  check(OPTIMIZERS.includes(opt), `unknown optimiser "${String(opt)}": expected one of ${OPTIMIZERS.join(', ')}`);
  const given = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  const cfg: TrainConfig = {
    ...DEFAULTS,
    ...given,
    optimizer: opt,
    lr: c.lr ?? DEFAULT_LR[opt],
    optimizerOptions: { ...(c.optimizerOptions ?? {}) },
  };
  const posInt = (k: keyof TrainConfig): void =>
    check(Number.isInteger(cfg[k]) && (cfg[k] as number) >= 1, `${k} must be an integer ≥ 1, got ${String(cfg[k])}`);
  posInt('hiddenSize');
  posInt('seqLength');
  posInt('batchSize');
  check(
    Number.isInteger(cfg.seed) && cfg.seed >= 0 && cfg.seed <= 0xffffffff,
    `seed must be an integer in 0..4294967295 (the generators keep 32 bits), got ${String(cfg.seed)}`,
  );
  check(cfg.lr > 0 && Number.isFinite(cfg.lr), `lr must be a positive number, got ${String(cfg.lr)}`);
  check(
    cfg.initScale > 0 && Number.isFinite(cfg.initScale),
    `initScale must be a positive number, got ${String(cfg.initScale)}`,
  );
  check(cfg.smoothing >= 0 && cfg.smoothing < 1, `smoothing must be in [0, 1), got ${String(cfg.smoothing)}`);
  if (cfg.clip !== null) {
    const ok = (cfg.clip.kind === 'norm' && cfg.clip.max > 0) || (cfg.clip.kind === 'value' && cfg.clip.limit > 0);
    check(
      ok,
      `clip must be null, { kind: 'norm', max > 0 } or { kind: 'value', limit > 0 }, got ${JSON.stringify(cfg.clip)}`,
    );
  }
  checkTruncation(cfg.truncation);
  if (source?.kind === 'text') {
    const n = source.corpus.train.length;
    check(
      n >= cfg.seqLength + 1,
      `the training text has ${n} characters, fewer than seqLength + 1 = ${cfg.seqLength + 1}`,
    );
    check(
      Math.floor((n - 1) / cfg.batchSize) >= cfg.seqLength,
      `the training text (${n} characters) is too short for ${cfg.batchSize} streams of ${cfg.seqLength}`,
    );
  }
  return cfg;
}

/** The model's sizes for a source: D = K = vocabulary size for text, the task's D and K otherwise. */
export function modelSizesOf(source: Source): { D: number; K: number; loss: LossName } {
  return source.kind === 'text'
    ? { D: source.corpus.vocab.size, K: source.corpus.vocab.size, loss: 'softmax-ce' }
    : { D: source.task.inputSize, K: source.task.outputSize, loss: source.task.loss };
}

/**
 * A 32-bit seed for iteration i of a run with seed s (splitmix-style mixing, so nearby (s, i) give unrelated streams).
 */
export function iterationSeed(seed: number, i: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
