// `bpttlab train`: train a character model on a text file (default: the shipped data/genesis.txt) or an RNN on a
// synthetic long-range task, with a progress bar on stderr, samples (or task accuracy) printed every N iterations,
// and optional checkpoints that --resume continues exactly. `--long-range` prints the full-vs-truncated table instead.
// Bad input throws BpttError (the CLI's main turns it into one line on stderr and exit 2).
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { Checkpoint, SourceSpec, checkpointOf, loadCheckpoint, resumeTrainer, saveCheckpoint } from '../checkpoint';
import { ClipSpec } from '../clip';
import { DEFAULT_CORPUS, TASKS, TaskOptions, corpusFromText, loadCorpus, makeTask, readText } from '../data';
import { OPTIMIZERS, OptimizerName } from '../optim';
import { checkTemperature } from '../sample';
import { BpttError } from '../tensor';
import { IterationStats, Source, TrainConfig, Trainer, formatLongRangeTable, longRangeTable } from '../train';
import { parseTruncation } from '../truncation';
import { integer, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './args';

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
  progress: boolean;
  json?: boolean;
  longRange?: boolean;
}

export interface TrainIO {
  /** Where results go (stdout by default). */
  out?: (s: string) => void;
  /** Where the progress bar goes (stderr by default; it only draws on a terminal). */
  progressStream?: NodeJS.WritableStream;
}

/** Settings a resumed run must share with its checkpoint (they shape the model or its data). */
const FIXED_ON_RESUME: [keyof TrainOptions, keyof TrainConfig][] = [
  ['hidden', 'hiddenSize'],
  ['seqLength', 'seqLength'],
  ['batch', 'batchSize'],
  ['optimizer', 'optimizer'],
  ['seed', 'seed'],
];

function taskOptions(o: TrainOptions): Record<string, number | boolean> {
  const t: Record<string, number | boolean> = {};
  if (o.lag !== undefined) t.lag = o.lag;
  if (o.symbols !== undefined) t.symbols = o.symbols;
  if (o.alphabet !== undefined) t.alphabet = o.alphabet;
  if (o.noise) t.noise = true;
  return t;
}

function sourceOf(spec: SourceSpec, ck: Checkpoint | null): Source {
  if (spec.kind === 'task') return { kind: 'task', task: makeTask(spec.name, spec.options as TaskOptions) };
  const file = spec.shipped ? DEFAULT_CORPUS : spec.file;
  if (ck?.vocab) return { kind: 'text', corpus: corpusFromText(readText(file), file, { vocab: ck.vocab }) };
  return { kind: 'text', corpus: loadCorpus(file) };
}

function configOf(o: TrainOptions): Partial<TrainConfig> {
  const clip: ClipSpec | null = o.clip === 0 ? null : o.clipMode === 'norm' ? { kind: 'norm', max: o.clip } : { kind: 'value', limit: o.clip };
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

function fmt(x: number | null, digits = 3): string {
  return x === null ? '—' : x.toFixed(digits);
}

export function runTrain(o: TrainOptions, cmd: Command, io: TrainIO = {}): void {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  checkTemperature(o.temperature);
  if (o.longRange) {
    out('copy task (1 symbol of 4, the wait filled with random symbols): held-out recall accuracy, mean of seeds 1 and 2, 600 iterations each\n');
    const rows = longRangeTable({ onRow: (r) => process.stderr.write(`  lag ${r.lag}, ${r.variant}: ${r.accuracy.toFixed(2)} (${r.seconds.toFixed(1)} s)\n`) });
    out(`${formatLongRangeTable(rows)}\n`);
    return;
  }
  if (o.data !== undefined && o.task !== undefined) throw new BpttError('give either --data FILE or --task NAME, not both');
  if (o.resume && o.checkpoint === undefined) throw new BpttError('--resume needs --checkpoint FILE (the checkpoint to continue)');
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';

  let trainer: Trainer;
  let spec: SourceSpec;
  if (o.resume) {
    const ck = loadCheckpoint(o.checkpoint as string);
    for (const [opt, key] of FIXED_ON_RESUME) {
      const mine = configOf(o)[key];
      if (given(opt) && mine !== ck.config[key]) throw new BpttError(`--${opt.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${String(mine)} differs from the checkpoint's ${key} = ${String(ck.config[key])}; leave it out to resume`);
    }
    if (given('bptt') && o.bptt !== undefined && JSON.stringify(parseTruncation(o.bptt)) !== JSON.stringify(ck.config.truncation)) {
      throw new BpttError(`--bptt ${o.bptt} differs from the checkpoint's truncation ${JSON.stringify(ck.config.truncation)}`);
    }
    spec = ck.source;
    if (o.data !== undefined) spec = { kind: 'text', file: o.data };
    if (o.task !== undefined) throw new BpttError('--task cannot change on --resume: the checkpoint records its task');
    const overrides: Partial<Pick<TrainConfig, 'lr' | 'clip'>> = {};
    if (given('lr')) overrides.lr = o.lr;
    if (given('clip') || given('clipMode')) overrides.clip = configOf(o).clip;
    trainer = resumeTrainer(ck, sourceOf(spec, ck), overrides);
  } else {
    spec = o.task !== undefined ? { kind: 'task', name: o.task, options: taskOptions(o) } : o.data !== undefined ? { kind: 'text', file: o.data } : { kind: 'text', file: 'data/genesis.txt', shipped: true };
    trainer = new Trainer(sourceOf(spec, null), configOf(o));
  }

  const isText = trainer.source.kind === 'text';
  const remaining = o.iterations - trainer.iteration;
  out(`${trainer.describe()}\n`);
  if (isText) out(`uniform baseline log V = ${Math.log((trainer.source as { corpus: { vocab: { size: number } } }).corpus.vocab.size).toFixed(3)} nats per character\n`);
  if (trainer.iteration > 0) out(`resuming at iteration ${trainer.iteration} of ${o.iterations}\n`);
  if (remaining <= 0) {
    out(`nothing to do: the checkpoint is at iteration ${trainer.iteration} ≥ --iterations ${o.iterations}\n`);
    return;
  }

  const bar = o.progress
    ? new SingleBar({ format: 'train |{bar}| {value}/{total} | loss {loss} | clipped {clipped} | eta {eta_formatted}', stream: io.progressStream ?? process.stderr, hideCursor: true, clearOnComplete: true })
    : null;
  bar?.start(o.iterations, trainer.iteration, { loss: '—', clipped: '—' });
  const save = (): void => {
    if (o.checkpoint !== undefined) saveCheckpoint(o.checkpoint, checkpointOf(trainer, spec));
  };
  const t0 = performance.now();
  let first: IterationStats | null = null;
  let last: IterationStats | null = null;
  const report = (s: IterationStats): void => {
    bar?.stop();
    if (isText) {
      const text = trainer.sample({ length: o.sampleLength, temperature: o.temperature, seed: s.iteration });
      out(`--- iteration ${s.iteration}: loss ${fmt(s.smoothed)} per character (perplexity ${fmt(s.perplexity, 2)}); sample at temperature ${o.temperature}:\n${text}\n---\n`);
    } else {
      const ev = trainer.evaluate();
      out(`iteration ${s.iteration}: loss ${fmt(s.smoothed, 4)} per scored step; held-out accuracy ${fmt(ev.accuracy)} (chance ${fmt((trainer.source as { task: { chance: number } }).task.chance, 2)})\n`);
    }
    bar?.start(o.iterations, s.iteration, { loss: fmt(s.smoothed), clipped: `${(100 * s.clipFraction).toFixed(0)}%` });
  };
  try {
    trainer.run(remaining, (s) => {
      first ??= s;
      last = s;
      bar?.update(s.iteration, { loss: fmt(s.smoothed), clipped: `${(100 * s.clipFraction).toFixed(0)}%` });
      if (o.sampleEvery > 0 && s.iteration % o.sampleEvery === 0) report(s);
      if (o.checkpoint !== undefined && o.checkpointEvery > 0 && s.iteration % o.checkpointEvery === 0) save();
    });
  } finally {
    bar?.stop();
  }
  save();
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
  out(`done: ${summary.iterations} iterations in ${seconds.toFixed(1)} s; loss ${fmt(summary.firstLoss)} → ${fmt(summary.smoothedLoss)} ${unit} (smoothed)`);
  out(`; held out: loss ${fmt(ev.loss)}${ev.perplexity === null ? '' : `, perplexity ${fmt(ev.perplexity, 2)}`}, accuracy ${fmt(ev.accuracy)}; clipped ${(100 * (summary.clipFraction ?? 0)).toFixed(1)}% of iterations\n`);
  if (isText) out(`final sample:\n${trainer.sample({ length: o.sampleLength, temperature: o.temperature })}\n`);
  if (o.checkpoint !== undefined) out(`checkpoint: ${o.checkpoint}\n`);
}

/** The `train` command, for `program.addCommand(trainCommand())`. */
export function trainCommand(io: TrainIO = {}): Command {
  const cmd = new Command('train')
    .exitOverride() // usage errors throw CommanderError (the CLI's main exits 2) instead of calling process.exit(1)
    .description('train the RNN on a text file (a character model; default: the shipped Genesis text) or a synthetic long-range task')
    .option('--data <file>', 'text file for a character model (default: data/genesis.txt)')
    .addOption(new Option('--task <name>', 'a synthetic task instead of text').choices([...TASKS]))
    .option('--lag <n>', 'task lag: adding T (20), copy recall lag (10), sine warm-up (5)', positiveInt)
    .option('--symbols <n>', 'copy task: symbols to remember (1)', positiveInt)
    .option('--alphabet <n>', 'copy task: alphabet size (4)', positiveInt)
    .option('--noise', 'copy task: fill the wait with random symbols instead of blanks')
    .option('--hidden <n>', 'hidden size H', positiveInt, 64)
    .option('--seq-length <n>', 'characters per training sequence (text)', positiveInt, 25)
    .option('--batch <n>', 'sequences per iteration (gradients summed)', positiveInt, 1)
    .addOption(new Option('--optimizer <name>', 'optimiser').choices([...OPTIMIZERS]).default('adagrad'))
    .option('--lr <x>', 'learning rate (default: the optimiser\'s: adagrad 0.1, sgd 0.01, rmsprop 0.01, adam 0.001)', positiveNumber)
    .option('--clip <x>', 'clipping threshold; 0 turns clipping off', nonNegativeNumber, 5)
    .addOption(new Option('--clip-mode <mode>', 'clip each entry to [−x, x] (min-char-rnn) or the global norm to x').choices(['value', 'norm']).default('value'))
    .option('--bptt <spec>', 'full | chunked:K | random:K | stream:K1,K2 (truncation inside each sequence)', 'full')
    .option('--iterations <n>', 'total iterations (a resumed run continues up to this)', positiveInt, 10000)
    .option('--seed <n>', 'seed of the initial parameters and of every random draw', integer, 1)
    .option('--sample-every <n>', 'print a sample (text) or the held-out accuracy (task) every n iterations; 0: never', nonNegativeInt, 2000)
    .option('--sample-length <n>', 'characters per sample', positiveInt, 200)
    .option('--temperature <t>', 'sampling temperature (> 0; 0 = always the likeliest character)', nonNegativeNumber, 0.8)
    .option('--checkpoint <file>', 'save a checkpoint here (every --checkpoint-every iterations and at the end)')
    .option('--checkpoint-every <n>', 'iterations between checkpoints; 0: only at the end', nonNegativeInt, 1000)
    .option('--resume', 'continue the run saved in --checkpoint')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the final summary as JSON')
    .option('--long-range', 'print the full-vs-truncated BPTT accuracy table on the copy task (about 30 s) instead of training')
    .action((o: TrainOptions, c: Command) => runTrain(o, c, io));
  return cmd;
}

// Standalone: `npx tsx src/commands/train.ts --task copy --lag 10` (the same options as `bpttlab train`).
if (require.main === module) {
  const program = new Command('bpttlab').addCommand(trainCommand());
  try {
    program.parse(['train', ...process.argv.slice(2)], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    else if (e instanceof BpttError) {
      process.stderr.write(`bpttlab: ${e.message}\n`);
      process.exitCode = 2;
    } else throw e;
  }
}
