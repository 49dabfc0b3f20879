// `bpttlab train`: train a character model on a text file (default: the shipped data/genesis.txt) or an RNN on a
// synthetic long-range task, with a progress bar on stderr, samples (or task accuracy) printed every N iterations,
// and optional checkpoints that --resume continues exactly. `--long-range` prints the full-vs-truncated table instead.
// Bad input throws BpttError (the CLI's main turns it into one line on stderr and exit 2). This file holds the
// command's flags and its checks before the run; train-setup.ts sets the run up (new or resumed), train-preflight.ts
// finds what would stop it later, train-loop.ts runs it.
import { Command, CommanderError, Option } from 'commander';
import { FILE_LIMITS, formatBytes, MAX_STRING_LENGTH, MAX_VOCAB } from '../io/limits';
import { BpttError } from '../model/errors';
import { formatLongRangeTable, longRangeTable } from '../teach/long-range';
import { lockCheckpoint, removeStaleTemps } from '../train/checkpoint-lock';
import { OPTIMIZERS, type OptimizerName } from '../train/optim';
import { checkTemperature } from '../train/sample';
import { TASKS } from '../train/tasks';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed } from './args';
import { defaultNote, Interrupted, StopFlag, trainLocked } from './train-loop';
import { runLstm } from './train-lstm';
import { sameFile } from './train-setup';

export { Interrupted } from './train-loop';

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

// Standalone: `npx tsx src/cli/train.ts --task copy --lag 10` (the same options as `bpttlab train`).
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
