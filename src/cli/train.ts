// Why over 300 lines: the `train` command's options, its run loop with checkpoints and signals, and its output are one
// command; the preflight checks live in train-preflight.ts.
//
// `bpttlab train`: train a character model on a text file (default: the shipped data/genesis.txt) or an RNN on a
// synthetic long-range task, with a progress bar on stderr, samples (or task accuracy) printed every N iterations,
// and optional checkpoints that --resume continues exactly. `--long-range` prints the full-vs-truncated table instead.
// Bad input throws BpttError (the CLI's main turns it into one line on stderr and exit 2).
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { FILE_LIMITS, formatBytes, MAX_STRING_LENGTH, MAX_VOCAB } from '../io/limits';
import { BpttError } from '../model/errors';
import { formatLongRangeTable, longRangeTable } from '../teach/long-range';
import {
  type Checkpoint,
  checkpointOf,
  loadCheckpoint,
  resumeTrainer,
  type SourceSpec,
  saveCheckpoint,
} from '../train/checkpoint';
import { type CheckpointLock, lockCheckpoint, newRunId, removeStaleTemps } from '../train/checkpoint-lock';
import type { ClipSpec } from '../train/clip';
import { resolveConfig, type Source, type TrainConfig } from '../train/config';
import { OPTIMIZERS, type OptimizerName } from '../train/optim';
import { checkTemperature } from '../train/sample';
import { makeTask, TASKS, type TaskOptions } from '../train/tasks';
import { corpusFromText, DEFAULT_CORPUS, loadCorpus, readText } from '../train/text';
import { type IterationStats, Trainer } from '../train/trainer';
import { describeTruncation, parseTruncation } from '../train/truncation';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed } from './args';
import { runLstm } from './train-lstm';
import { checkTarget, preflight } from './train-preflight';

export interface TrainOptions {
  data?: string;
  task?: string;
  lag?: number;
  symbols?: number;
  alphabet?: number;
  noise?: boolean;
  hidden: number;
  seqLength: number;
  batch: number;
  optimizer: OptimizerName;
  lr?: number;
  clip: number;
  clipMode: 'norm' | 'value';
  bptt: string;
  iterations: number;
  seed: number;
  sampleEvery: number;
  sampleLength: number;
  temperature: number;
  checkpoint?: string;
  checkpointEvery: number;
  resume?: boolean;
  overwrite?: boolean;
  progress: boolean;
  json?: boolean;
  longRange?: boolean;
  gradCheckpointEvery?: number;
  model: 'rnn' | 'lstm';
}

export interface TrainIO {
  /** Where results go (stdout by default). */
  out?: (s: string) => void;
  /** Where the progress bar goes (stderr by default; it only draws on a terminal). */
  progressStream?: NodeJS.WritableStream;
  /** Where notes go, one line each (stderr by default). */
  note?: (s: string) => void;
  /** Where SIGINT and SIGTERM arrive (default: the process); a test can emit them on an emitter of its own. */
  signals?: NodeJS.EventEmitter;
  /**
   * Registers `stop`, called when the output is closed (a pipe's reader left): the run stops and saves, as on Ctrl-C,
   * quietly.
   */
  onOutputClosed?: (stop: () => void) => void;
}

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

/** Settings a resumed run must share with its checkpoint (they shape the model or its data). */
const FIXED_ON_RESUME: [keyof TrainOptions, keyof TrainConfig][] = [
  ['hidden', 'hiddenSize'],
  ['seqLength', 'seqLength'],
  ['batch', 'batchSize'],
  ['optimizer', 'optimizer'],
  ['seed', 'seed'],
];

export function taskOptions(o: TrainOptions): Record<string, number | boolean> {
  const t: Record<string, number | boolean> = {};
  if (o.lag !== undefined) t.lag = o.lag;
  if (o.symbols !== undefined) t.symbols = o.symbols;
  if (o.alphabet !== undefined) t.alphabet = o.alphabet;
  if (o.noise) t.noise = true;
  return t;
}

/** The text file a source spec names, now: the shipped corpus, relative to the checkpoint's folder, or as given. */
function fileOf(spec: SourceSpec & { kind: 'text' }, checkpointDir: string | null): string {
  if (spec.shipped) return DEFAULT_CORPUS;
  if (spec.relativeTo !== 'checkpoint' || checkpointDir === null) return spec.file;
  const abs = path.resolve(checkpointDir, spec.file);
  const rel = path.relative(process.cwd(), abs); // shown in messages: the shorter of the two
  return rel !== '' && rel.length < abs.length ? rel : abs;
}

/**
 * The spec a checkpoint in `checkpointDir` stores for text `file`: relative to its own folder, so a resume works from
 * anywhere.
 */
function textSpec(file: string, checkpointDir: string | null): SourceSpec {
  if (checkpointDir === null) return { kind: 'text', file };
  return { kind: 'text', file: path.relative(checkpointDir, path.resolve(file)), relativeTo: 'checkpoint' };
}

function sourceOf(spec: SourceSpec, ck: Checkpoint | null, checkpointDir: string | null): Source {
  if (spec.kind === 'task') return { kind: 'task', task: makeTask(spec.name, spec.options as TaskOptions) };
  const file = fileOf(spec, checkpointDir);
  if (ck?.vocab) return { kind: 'text', corpus: corpusFromText(readText(file), file, { vocab: ck.vocab }) };
  return { kind: 'text', corpus: loadCorpus(file) };
}

function configOf(o: TrainOptions): Partial<TrainConfig> {
  const clip: ClipSpec | null =
    o.clip === 0 ? null : o.clipMode === 'norm' ? { kind: 'norm', max: o.clip } : { kind: 'value', limit: o.clip };
  return {
    hiddenSize: o.hidden,
    seqLength: o.seqLength,
    batchSize: o.batch,
    optimizer: o.optimizer,
    lr: o.lr,
    clip,
    truncation: parseTruncation(o.bptt),
    seed: o.seed,
  };
}

export function fmt(x: number | null, digits = 3): string {
  return x === null ? '—' : x.toFixed(digits);
}

/** The same file? (symbolic links followed; a path that does not exist yet is compared as written) */
function sameFile(a: string, b: string): boolean {
  const real = (f: string): string => {
    try {
      return realpathSync(f);
    } catch {
      return path.resolve(f);
    }
  };
  return real(a) === real(b);
}

/** Ctrl-C, SIGTERM or a closed output: the loop finishes its iteration, then the run saves and stops. */
class StopFlag {
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

export async function runTrain(o: TrainOptions, cmd: Command, io: TrainIO = {}): Promise<void> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  checkTemperature(o.temperature);
  if (o.longRange) {
    out(
      'copy task (1 symbol of 4, the wait filled with random symbols): held-out recall accuracy, mean of seeds 1 ' +
        'and 2, 600 iterations each\n',
    );
    const rows = longRangeTable({
      onRow: (r) =>
        process.stderr.write(`  lag ${r.lag}, ${r.variant}: ${r.accuracy.toFixed(2)} (${r.seconds.toFixed(1)} s)\n`),
    });
    out(`${formatLongRangeTable(rows)}\n`);
    return;
  }
  if (o.data !== undefined && o.task !== undefined)
    throw new BpttError('give either --data FILE or --task NAME, not both');
  if (o.model === 'lstm') {
    runLstm(o, cmd, out);
    return;
  }
  if (o.resume && o.checkpoint === undefined)
    throw new BpttError('--resume needs --checkpoint FILE (the checkpoint to continue)');
  if (o.overwrite && o.checkpoint === undefined)
    throw new BpttError('--overwrite needs --checkpoint FILE (the checkpoint to replace)');
  if (o.overwrite && o.resume)
    throw new BpttError('--resume continues the checkpoint and --overwrite replaces it: give one of them');
  if (o.checkpoint !== undefined && o.data !== undefined && sameFile(o.checkpoint, o.data)) {
    throw new BpttError(
      `--checkpoint ${o.checkpoint} is the training text --data ${o.data}: saving would overwrite it; choose ` +
        `another checkpoint path`,
    );
  }
  // Ctrl-C is heard from here on (a signal during the set-up stops the run before its first iteration)
  const stop = new StopFlag(io.signals ?? process, io.onOutputClosed);
  try {
    // the lock first: it checks the folder, and no other run can write the checkpoint while this one reads or writes it
    const lock = o.checkpoint === undefined ? null : lockCheckpoint(o.checkpoint);
    try {
      if (lock !== null) {
        const removed = removeStaleTemps(lock.file);
        if (removed.length > 0)
          (io.note ?? defaultNote)(
            `removed ${removed.join(', ')}: left beside the checkpoint by a save that was killed`,
          );
      }
      await trainLocked(o, cmd, io, out, lock, stop);
    } finally {
      lock?.release();
    }
  } finally {
    stop.dispose();
  }
}

const defaultNote = (s: string): void => void process.stderr.write(`bpttlab: ${s}\n`);

async function trainLocked(
  o: TrainOptions,
  cmd: Command,
  io: TrainIO,
  out: (s: string) => void,
  lock: CheckpointLock | null,
  stop: StopFlag,
): Promise<void> {
  const note = io.note ?? defaultNote;
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  const ckDir = o.checkpoint === undefined ? null : path.dirname(path.resolve(o.checkpoint));

  let trainer: Trainer;
  let spec: SourceSpec;
  let run: string;
  if (o.resume) {
    const ck = loadCheckpoint(o.checkpoint as string);
    for (const [opt, key] of FIXED_ON_RESUME) {
      const mine = configOf(o)[key];
      if (given(opt) && mine !== ck.config[key])
        throw new BpttError(
          `--${opt.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${String(mine)} differs from the checkpoint's ${key} = ${String(ck.config[key])}; leave it out to resume`,
        );
    }
    if (
      given('bptt') &&
      o.bptt !== undefined &&
      JSON.stringify(parseTruncation(o.bptt)) !== JSON.stringify(ck.config.truncation)
    ) {
      throw new BpttError(
        `--bptt ${o.bptt} differs from the checkpoint's truncation ${JSON.stringify(ck.config.truncation)}`,
      );
    }
    if (o.task !== undefined) throw new BpttError('--task cannot change on --resume: the checkpoint records its task');
    spec = ck.source;
    if (o.data !== undefined) spec = textSpec(o.data, ckDir);
    const source = sourceOf(spec, ck, ckDir);
    // an old checkpoint's path was relative to the folder it was started in: store it relative to the checkpoint from
    // now on
    if (spec.kind === 'text' && !spec.shipped && spec.relativeTo === undefined)
      spec = textSpec(fileOf(spec, ckDir), ckDir);
    const overrides: Partial<Pick<TrainConfig, 'lr' | 'clip'>> = {};
    if (given('lr')) overrides.lr = o.lr;
    if (given('clip') || given('clipMode')) overrides.clip = configOf(o).clip;
    preflight(source, resolveConfig({ ...ck.config, ...overrides }, source), o);
    trainer = resumeTrainer(ck, source, overrides);
    run = ck.run ?? newRunId();
  } else {
    if (o.checkpoint !== undefined) checkTarget(o.checkpoint, o.overwrite === true);
    spec =
      o.task !== undefined
        ? { kind: 'task', name: o.task, options: taskOptions(o) }
        : o.data !== undefined
          ? textSpec(o.data, ckDir)
          : { kind: 'text', file: 'data/genesis.txt', shipped: true };
    const source = sourceOf(spec, null, ckDir);
    preflight(source, resolveConfig(configOf(o), source), o);
    trainer = new Trainer(source, configOf(o));
    run = newRunId();
  }

  if (o.gradCheckpointEvery !== undefined) {
    if (trainer.config.truncation.kind !== 'full')
      throw new BpttError(
        `--grad-checkpoint-every computes full BPTT's gradient with less memory; it cannot be combined with ` +
          `${describeTruncation(trainer.config.truncation)} truncation (--bptt)`,
      );
    trainer.gradCheckpointEvery = o.gradCheckpointEvery;
  }
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

/** The `train` command, for `program.addCommand(trainCommand())`. */
export function trainCommand(io: TrainIO = {}): Command {
  const cmd = new Command('train')
    .exitOverride() // usage errors throw CommanderError (the CLI's main exits 2) instead of calling process.exit(1)
    .description(
      'train the RNN on a text file (a character model; default: the shipped Genesis text) or a synthetic ' +
        'long-range task',
    )
    .option('--data <file>', 'text file for a character model (default: data/genesis.txt)')
    .addOption(new Option('--task <name>', 'a synthetic task instead of text').choices([...TASKS]))
    .option('--lag <n>', 'task lag: adding T (20), copy recall lag (10), sine warm-up (5)', positiveInt)
    .option('--symbols <n>', 'copy task: symbols to remember (1)', positiveInt)
    .option('--alphabet <n>', 'copy task: alphabet size (4)', positiveInt)
    .option('--noise', 'copy task: fill the wait with random symbols instead of blanks')
    .addOption(
      new Option('--model <name>', 'the recurrent network: the vanilla RNN, or an LSTM (tasks only)')
        .choices(['rnn', 'lstm'])
        .default('rnn'),
    )
    .option('--hidden <n>', 'hidden size H', positiveInt, 64)
    .option('--seq-length <n>', 'characters per training sequence (text)', positiveInt, 25)
    .option('--batch <n>', 'sequences per iteration (gradients summed)', positiveInt, 1)
    .addOption(new Option('--optimizer <name>', 'optimiser').choices([...OPTIMIZERS]).default('adagrad'))
    .option(
      '--lr <x>',
      "learning rate (default: the optimiser's: adagrad 0.1, sgd 0.01, rmsprop 0.01, adam 0.001)",
      positiveNumber,
    )
    .option('--clip <x>', 'clipping threshold; 0 turns clipping off', nonNegativeNumber, 5)
    .addOption(
      new Option('--clip-mode <mode>', 'clip each entry to [−x, x] (min-char-rnn) or the global norm to x')
        .choices(['value', 'norm'])
        .default('value'),
    )
    .option('--bptt <spec>', 'full | chunked:K | random:K | stream:K1,K2 (truncation inside each sequence)', 'full')
    .option('--iterations <n>', 'total iterations (a resumed run continues up to this)', positiveInt, 10000)
    .option('--seed <n>', 'seed of the initial parameters and of every random draw (0..4294967295)', seed, 1)
    .option(
      '--sample-every <n>',
      'print a sample (text) or the held-out accuracy (task) every n iterations; 0: never',
      nonNegativeInt,
      2000,
    )
    .option('--sample-length <n>', 'characters per sample', positiveInt, 200)
    .option(
      '--temperature <t>',
      'sampling temperature (> 0; 0 = always the likeliest character)',
      nonNegativeNumber,
      0.8,
    )
    .option('--checkpoint <file>', 'save a checkpoint here (every --checkpoint-every iterations and at the end)')
    .option('--checkpoint-every <n>', 'iterations between checkpoints; 0: only at the end', nonNegativeInt, 1000)
    .option('--resume', 'continue the run saved in --checkpoint')
    .option(
      '--grad-checkpoint-every <k>',
      'gradient checkpointing (not the saved --checkpoint): full BPTT keeping every k-th hidden state and ' +
        'recomputing the rest in the backward pass; k ≈ √τ holds the fewest states',
      positiveInt,
    )
    .option('--overwrite', 'replace the checkpoint of another run at --checkpoint (without it, that is refused)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the final summary as JSON')
    .option(
      '--long-range',
      'print the full-vs-truncated BPTT accuracy table on the copy task (about 30 s) instead of training',
    )
    .action((o: TrainOptions, c: Command) => runTrain(o, c, io));
  cmd.addHelpText(
    'after',
    `\nLimits: a text file of at most ${formatBytes(FILE_LIMITS['text file'])} and ${MAX_VOCAB} distinct ` +
      `characters; a run that needs more memory than this machine allows, or a checkpoint larger than ` +
      `${formatBytes(Math.min(MAX_STRING_LENGTH, FILE_LIMITS.checkpoint))}, is refused before it starts.\nCtrl-C ` +
      `stops at the end of the iteration, saves the checkpoint (when --checkpoint is given) and exits 130.`,
  );
  return cmd;
}

// Standalone: `npx tsx src/commands/train.ts --task copy --lag 10` (the same options as `bpttlab train`).
if (require.main === module) {
  const program = new Command('bpttlab').addCommand(trainCommand());
  program.parseAsync(['train', ...process.argv.slice(2)], { from: 'user' }).catch((e: unknown) => {
    if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof BpttError || e instanceof Interrupted) {
      process.stderr.write(`bpttlab: ${e.message}\n`);
      process.exitCode = e instanceof Interrupted ? e.exitCode : 2;
    } else throw e;
  });
}
