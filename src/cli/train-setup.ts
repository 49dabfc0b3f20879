// What a `bpttlab train` run trains on, new or resumed: its source (a text or a task) and how a checkpoint names it,
// its settings (the flags, or the checkpoint's, which the flags may not contradict), checked by the preflight, and
// the Trainer that holds them.
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { BpttError } from '../model/errors';
import { type Checkpoint, loadCheckpoint, resumeTrainer, type SourceSpec } from '../train/checkpoint';
import { newRunId } from '../train/checkpoint-lock';
import type { ClipSpec } from '../train/clip';
import { resolveConfig, type Source, type TrainConfig } from '../train/config';
import { makeTask, type TaskOptions } from '../train/tasks';
import { corpusFromText, DEFAULT_CORPUS, loadCorpus, readText } from '../train/text';
import { Trainer } from '../train/trainer';
import { describeTruncation, parseTruncation } from '../train/truncation';
import type { TrainOptions } from './train';
import { checkTarget, preflight } from './train-preflight';

/** The command-line flag of an option: gradCheckpointEvery → --grad-checkpoint-every. */
export const flagOf = (opt: string): string => `--${opt.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

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

/** The same file? (symbolic links followed; a path that does not exist yet is compared as written) */
export function sameFile(a: string, b: string): boolean {
  const real = (f: string): string => {
    try {
      return realpathSync(f);
    } catch {
      return path.resolve(f);
    }
  };
  return real(a) === real(b);
}

/**
 * The run's Trainer, the source spec its checkpoints store and the run's id: a new run from the flags, or the run
 * saved in --checkpoint (--resume), whose model-shaping settings the flags may not change. Refused before any large
 * allocation when the preflight finds what would stop it later.
 */
export function setUpRun(
  o: TrainOptions,
  cmd: Command,
  ckDir: string | null,
): { trainer: Trainer; spec: SourceSpec; run: string } {
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  let trainer: Trainer;
  let spec: SourceSpec;
  let run: string;
  if (o.resume) {
    const ck = loadCheckpoint(o.checkpoint as string);
    for (const [opt, key] of FIXED_ON_RESUME) {
      const mine = configOf(o)[key];
      if (given(opt) && mine !== ck.config[key])
        throw new BpttError(
          `${flagOf(opt)} ${String(mine)} differs from the checkpoint's ${key} = ${String(ck.config[key])}; leave it ` +
            `out to resume`,
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
  return { trainer, spec, run };
}
