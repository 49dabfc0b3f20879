// `bpttlab train --model lstm`: the LSTM (model/lstm.ts) on a synthetic task, beside the vanilla RNN's `train`.
import type { Command } from 'commander';
import { BpttError } from '../model/errors';
import { LstmTrainer } from '../train/lstm-trainer';
import { makeTask, type TaskOptions } from '../train/tasks';
import { parseTruncation } from '../train/truncation';
import type { TrainOptions } from './train';
import { fmt } from './train-loop';
import { flagOf, taskOptions } from './train-setup';

/**
 * `--model lstm`: the LSTM (model/lstm.ts) on a synthetic task, with the same examples a vanilla run of the same flags
 * sees.
 */
export function runLstm(o: TrainOptions, cmd: Command, out: (s: string) => void): void {
  if (o.task === undefined)
    throw new BpttError(
      '--model lstm trains on a synthetic task: give --task (adding, copy, reber, sine); character models are ' +
        'vanilla RNNs',
    );
  for (const flag of ['checkpoint', 'resume', 'gradCheckpointEvery', 'longRange'] as const) {
    if (o[flag] !== undefined && o[flag] !== false)
      throw new BpttError(`--model lstm does not support ${flagOf(flag)} (only the vanilla RNN has it)`);
  }
  const bptt = parseTruncation(o.bptt);
  if (bptt.kind !== 'full' && bptt.kind !== 'chunked')
    throw new BpttError(`--model lstm supports --bptt full or chunked:K, got ${o.bptt}`);
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  const task = makeTask(o.task, taskOptions(o) as TaskOptions);
  const trainer = new LstmTrainer(task, {
    hiddenSize: o.hidden,
    batchSize: o.batch,
    optimizer: o.optimizer,
    lr: o.lr,
    clip:
      o.clip === 0 ? null : o.clipMode === 'norm' ? { kind: 'norm', max: o.clip } : { kind: 'value', limit: o.clip },
    truncate: bptt.kind === 'chunked' ? bptt.k : null,
    seed: o.seed,
  });
  if (!given('optimizer') || !given('clip')) {
    // the vanilla defaults (adagrad, clip each entry to ±5) are min-char-rnn's; say what this run uses
    out(
      `note: --model lstm uses the flags as given: ${o.optimizer}${given('optimizer') ? '' : ' (default)'}, clip ` +
        `${o.clipMode} ${o.clip}${given('clip') ? '' : ' (default)'}\n`,
    );
  }
  out(`${trainer.describe()}\n`);
  const t0 = performance.now();
  let first: number | null = null;
  let lastLoss: number | null = null;
  while (trainer.iteration < o.iterations) {
    const s = trainer.step();
    first ??= s.loss;
    lastLoss = s.loss;
    if (o.sampleEvery > 0 && s.iteration % o.sampleEvery === 0)
      out(
        `iteration ${s.iteration}: loss ${fmt(s.loss, 4)} per scored step; held-out accuracy ` +
          `${fmt(trainer.evaluate().accuracy)} (chance ${fmt(task.chance, 2)})\n`,
      );
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = trainer.evaluate();
  const summary = {
    model: 'lstm',
    iterations: trainer.iteration,
    seconds: Number(seconds.toFixed(2)),
    firstLoss: first,
    lastLoss,
    heldOutLoss: ev.loss,
    heldOutAccuracy: ev.accuracy,
    chance: task.chance,
  };
  if (o.json) {
    out(`${JSON.stringify(summary)}\n`);
    return;
  }
  out(
    `done: ${trainer.iteration} iterations in ${seconds.toFixed(1)} s; loss ${fmt(first)} → ${fmt(lastLoss)} per ` +
      `scored step; held out: loss ${fmt(ev.loss)}, accuracy ${fmt(ev.accuracy)} (chance ${fmt(task.chance, 2)})\n`,
  );
}
