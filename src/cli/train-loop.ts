// The run of `bpttlab train` once set up: its settings printed, the iterations with the progress bar, samples (or
// task accuracy) and checkpoints, a stop on Ctrl-C, SIGTERM or a closed output (saving first), and the summary.
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { BpttError } from '../model/errors';
import { checkpointOf, saveCheckpoint } from '../train/checkpoint';
import type { CheckpointLock } from '../train/checkpoint-lock';
import type { IterationStats } from '../train/trainer';
import type { TrainIO, TrainOptions } from './train';
import { setUpRun } from './train-setup';

/**
 * A run stopped by Ctrl-C (SIGINT) or SIGTERM after saving its checkpoint: the CLI prints the message and exits 130 or
 * 143.
 */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A loss or accuracy as the command prints it: `digits` decimals, — when there is none yet. */
export function fmt(x: number | null, digits = 3): string {
  return x === null ? '—' : x.toFixed(digits);
}

/** Ctrl-C, SIGTERM or a closed output: the loop finishes its iteration, then the run saves and stops. */
export class StopFlag {
  reason: 'SIGINT' | 'SIGTERM' | 'output closed' | null = null;
  private readonly handlers: [string, () => void][] = [];

  constructor(
    private readonly signals: NodeJS.EventEmitter,
    onOutputClosed?: (stop: () => void) => void,
  ) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = (): void => {
        this.reason ??= sig;
      };
      signals.on(sig, h);
      this.handlers.push([sig, h]);
    }
    onOutputClosed?.(() => {
      this.reason ??= 'output closed';
    });
  }

  dispose(): void {
    for (const [sig, h] of this.handlers) this.signals.removeListener(sig, h);
    this.handlers.length = 0;
  }
}

export const defaultNote = (s: string): void => void process.stderr.write(`bpttlab: ${s}\n`);

/** The run, with the --checkpoint lock held (or no checkpoint): set up, trained, saved, summed up. */
export async function trainLocked(
  o: TrainOptions,
  cmd: Command,
  io: TrainIO,
  out: (s: string) => void,
  lock: CheckpointLock | null,
  stop: StopFlag,
): Promise<void> {
  const note = io.note ?? defaultNote;
  const ckDir = o.checkpoint === undefined ? null : path.dirname(path.resolve(o.checkpoint));
  const { trainer, spec, run } = setUpRun(o, cmd, ckDir);
  const isText = trainer.source.kind === 'text';
  const remaining = o.iterations - trainer.iteration;
  out(`${trainer.describe()}\n`);
  if (isText)
    out(
      `uniform baseline log V = ` +
        `${Math.log((trainer.source as { corpus: { vocab: { size: number } } }).corpus.vocab.size).toFixed(3)} nats ` +
        `per character\n`,
    );
  if (trainer.iteration > 0) out(`resuming at iteration ${trainer.iteration} of ${o.iterations}\n`);
  if (remaining <= 0) {
    out(`nothing to do: the checkpoint is at iteration ${trainer.iteration} ≥ --iterations ${o.iterations}\n`);
    return;
  }

  const save = (): void => {
    if (o.checkpoint === undefined) return;
    if (lock !== null && !lock.holds()) {
      throw new BpttError(
        `not saving checkpoint ${o.checkpoint}: its lock ${lock.lockFile} is no longer this run's (deleted, or ` +
          `taken by another run); the model of iteration ${trainer.iteration} is not saved`,
      );
    }
    saveCheckpoint(o.checkpoint, checkpointOf(trainer, spec, run));
  };
  const bar = o.progress
    ? new SingleBar({
        format: 'train |{bar}| {value}/{total} | loss {loss} | clipped {clipped} | eta {eta_formatted}',
        stream: io.progressStream ?? process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : null;
  const t0 = performance.now();
  let first: IterationStats | null = null;
  let last: IterationStats | null = null;
  const report = (s: IterationStats): void => {
    bar?.stop();
    if (isText) {
      const text = trainer.sample({ length: o.sampleLength, temperature: o.temperature, seed: s.iteration });
      out(
        `--- iteration ${s.iteration}: loss ${fmt(s.smoothed)} per character (perplexity ${fmt(s.perplexity, 2)}); ` +
          `sample at temperature ${o.temperature}:\n${text}\n---\n`,
      );
    } else {
      const ev = trainer.evaluate();
      out(
        `iteration ${s.iteration}: loss ${fmt(s.smoothed, 4)} per scored step; held-out accuracy ` +
          `${fmt(ev.accuracy)} (chance ${fmt((trainer.source as { task: { chance: number } }).task.chance, 2)})\n`,
      );
    }
    bar?.start(o.iterations, s.iteration, { loss: fmt(s.smoothed), clipped: `${(100 * s.clipFraction).toFixed(0)}%` });
  };
  try {
    bar?.start(o.iterations, trainer.iteration, { loss: '—', clipped: '—' });
    // step by step, handing control back to the event loop every 50 ms so that Ctrl-C (a signal) is heard
    let yielded = performance.now();
    while (trainer.iteration < o.iterations && stop.reason === null) {
      const s = trainer.step();
      trainer.history.length = 0; // the command keeps only the first and last statistics: a long run must not grow
      first ??= s;
      last = s;
      bar?.update(s.iteration, { loss: fmt(s.smoothed), clipped: `${(100 * s.clipFraction).toFixed(0)}%` });
      if (o.sampleEvery > 0 && s.iteration % o.sampleEvery === 0) report(s);
      if (o.checkpointEvery > 0 && s.iteration % o.checkpointEvery === 0) save();
      if (performance.now() - yielded > 50) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    }
    bar?.stop(); // restores the cursor before anything else is printed
    save();
  } finally {
    bar?.stop();
  }
  // saved: the checkpoint is free for the next run, and from here on Ctrl-C ends the process at once
  lock?.release();
  stop.dispose();
  if (stop.reason !== null) {
    const where = `at iteration ${trainer.iteration} of ${o.iterations}`;
    const saved =
      o.checkpoint === undefined
        ? 'nothing saved (no --checkpoint)'
        : `checkpoint saved: ${o.checkpoint} (continue with --resume --checkpoint ${o.checkpoint})`;
    if (stop.reason === 'output closed') {
      if (o.checkpoint !== undefined) note(`the output was closed ${where}; ${saved}`);
      return;
    }
    throw new Interrupted(`interrupted (${stop.reason}) ${where}; ${saved}`, stop.reason === 'SIGINT' ? 130 : 143);
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = trainer.evaluate();
  const end = last as IterationStats | null;
  const summary = {
    iterations: trainer.iteration,
    seconds: Number(seconds.toFixed(2)),
    firstLoss: (first as IterationStats | null)?.loss ?? null,
    smoothedLoss: end?.smoothed ?? null,
    heldOutLoss: ev.loss,
    heldOutPerplexity: ev.perplexity,
    heldOutAccuracy: ev.accuracy,
    clipFraction: end?.clipFraction ?? null,
    uniformBaseline: isText ? Math.log(trainer.params.V.rows) : null,
    checkpoint: o.checkpoint ?? null,
  };
  if (o.json) {
    out(`${JSON.stringify(summary)}\n`);
    return;
  }
  const unit = isText ? 'per character' : 'per scored step';
  out(
    `done: ${summary.iterations} iterations in ${seconds.toFixed(1)} s; loss ${fmt(summary.firstLoss)} → ` +
      `${fmt(summary.smoothedLoss)} ${unit} (smoothed)`,
  );
  out(
    `; held out: loss ${fmt(ev.loss)}${
      ev.perplexity === null ? '' : `, perplexity ${fmt(ev.perplexity, 2)}`
    }, accuracy ${fmt(ev.accuracy)}; clipped ${(100 * (summary.clipFraction ?? 0)).toFixed(1)}% of iterations\n`,
  );
  if (isText) out(`final sample:\n${trainer.sample({ length: o.sampleLength, temperature: o.temperature })}\n`);
  if (o.checkpoint !== undefined) out(`checkpoint: ${o.checkpoint}\n`);
}
