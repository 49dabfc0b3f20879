// Why over 300 lines: the format, its exact-round-trip writer and its validating reader must be read together (what one
// writes, the other checks).
//
// Checkpoints: the parameters, the optimiser's state, the trainer's state (iteration, smoothed loss, text streams),
// the vocabulary and the settings, as one JSON file with a format name and a version.
//
// Exact round trip: JS writes a double as the shortest decimal that reads back to the same double, so every
// number survives — except −0, which JSON.stringify writes as 0; our writer emits -0 (valid JSON, and
// JSON.parse('-0') is −0), so even the sign of a zero bias survives. NaN and ±Infinity have no JSON form: saving
// refuses them, loading reports the null that JSON.stringify would have left in their place.
//
// Safe writes: the text goes to a temporary file in the same directory, is flushed to disk, then renamed over the
// target; a rename within one file system is atomic, so an interrupted save leaves the old checkpoint intact.
// A save killed half-way leaves its temporary file (.NAME.PID.TIME.tmp); the next run on that checkpoint removes it.
// One run per checkpoint (the lock, the header, left-over temporary files): checkpoint-lock.ts.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { readBytes } from '../io/files';
import { BpttError } from '../model/errors';
import { checkParams, PARAM_NAMES, type Params } from '../model/params';
import { type Mat, mat } from '../model/tensor';
import { DEFAULTS, resolveConfig, type Source, type TrainConfig } from './config';
import { type Optimizer, type OptimizerState, restoreOptimizer } from './optim';
import { type Corpus, type Vocab, vocabFromChars } from './text';
import { Trainer, type TrainerState } from './trainer';

export const CHECKPOINT_FORMAT = 'bpttlab-checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * Where the training data came from, so a resumed run can find it again (shipped: the corpus in bpttlab's data/).
 * `relativeTo: 'checkpoint'`: `file` is relative to the checkpoint's folder (so a resume works from any folder);
 * without it, relative to the folder the run was started in (checkpoints written before that field existed).
 */
export type SourceSpec =
  | { kind: 'text'; file: string; shipped?: boolean; relativeTo?: 'checkpoint' }
  | { kind: 'task'; name: string; options: Record<string, number | boolean> };

export interface Checkpoint {
  /** The id of the run that wrote it (kept by --resume); absent in checkpoints written before runs had ids. */
  run?: string;
  iteration: number;
  config: TrainConfig;
  source: SourceSpec;
  vocab: Vocab | null; // character models only
  params: Params;
  optimizer: OptimizerState;
  trainer: TrainerState;
}

// --- writing ---

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON text with −0 kept, rows of numbers on one line each (readable, diff-able). */
function writeJson(v: Json, indent = ''): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BpttError(`cannot write ${v} to JSON`);
    return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  }
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) return `[${v.map((x) => writeJson(x)).join(', ')}]`;
    return `[\n${v.map((x) => inner + writeJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries
    .map(([k, x]) => `${inner}${JSON.stringify(k)}: ${writeJson(x, inner)}`)
    .join(',\n')}\n${indent}}`;
}

const rowsOf = (m: Mat): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

/** Checks for NaN/Infinity before anything is written, so a bad model never replaces a good checkpoint. */
function checkFiniteForSave(ck: Checkpoint): void {
  for (const name of PARAM_NAMES) {
    const v = ck.params[name];
    const d = v instanceof Float64Array ? v : v.data;
    const i = d.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) throw new BpttError(`cannot save the checkpoint: parameter ${name} has ${d[i]} at index ${i}`);
  }
}

export function checkpointToJson(ck: Checkpoint): string {
  checkFiniteForSave(ck);
  const p = ck.params;
  const doc: Json = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...(ck.run === undefined ? {} : { run: ck.run }),
    iteration: ck.iteration,
    config: ck.config as unknown as Json,
    source: ck.source as unknown as Json,
    vocab: ck.vocab === null ? null : [...ck.vocab.chars],
    params: { U: rowsOf(p.U), W: rowsOf(p.W), V: rowsOf(p.V), b: Array.from(p.b), c: Array.from(p.c) },
    optimizer: ck.optimizer as unknown as Json,
    trainer: ck.trainer as unknown as Json,
  };
  return `${writeJson(doc)}\n`;
}

/** The temporary file a save of `file` by process `pid` writes before renaming it over `file`. */
export function tempPathFor(file: string, pid = process.pid, time = Date.now()): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${pid}.${time}.tmp`);
}

/** Writes the checkpoint atomically: temp file in the same directory, fsync, rename. */
export function saveCheckpoint(file: string, ck: Checkpoint): void {
  const text = checkpointToJson(ck);
  const tmp = tempPathFor(file);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, text);
    fsyncSync(fd); // the bytes are on disk before the name points at them
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e instanceof BpttError) throw e;
    throw new BpttError(`cannot save checkpoint ${file}: ${(e as Error).message}`);
  }
}

// --- reading and validating ---

class Reader {
  constructor(private readonly where: string) {}

  fail(msg: string): never {
    throw new BpttError(`checkpoint ${this.where}: ${msg}`);
  }

  field(o: Record<string, unknown>, key: string, path: string): unknown {
    if (!(key in o) || o[key] === undefined) this.fail(`${path}${key} is missing`);
    return o[key];
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      this.fail(`${path} must be an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(
        `${path} must be a finite number, got ` +
          `${describe(v)}${v === null ? ' (NaN and ±Infinity are saved as null by JSON)' : ''}`,
      );
    }
    return v as number;
  }

  vector(v: unknown, n: number | null, path: string): Float64Array {
    if (!Array.isArray(v)) this.fail(`${path} must be an array of numbers, got ${describe(v)}`);
    const a = v as unknown[];
    if (n !== null && a.length !== n) this.fail(`${path} has ${a.length} entries, expected ${n}`);
    const out = new Float64Array(a.length);
    a.forEach((x, i) => (out[i] = this.number(x, `${path}[${i}]`)));
    return out;
  }

  matrix(v: unknown, rows: number | null, cols: number | null, path: string, dims: string): Mat {
    if (!Array.isArray(v) || v.length === 0)
      this.fail(`${path} must be a non-empty array of rows (${dims}), got ${describe(v)}`);
    const a = v as unknown[];
    if (rows !== null && a.length !== rows) this.fail(`${path} has ${a.length} rows, expected ${dims} = ${rows} rows`);
    const c = cols ?? (Array.isArray(a[0]) ? (a[0] as unknown[]).length : 0);
    const m = mat(a.length, c);
    a.forEach((r, i) => {
      if (!Array.isArray(r)) this.fail(`${path}[${i}] must be a row of ${c} numbers, got ${describe(r)}`);
      if ((r as unknown[]).length !== c)
        this.fail(`${path}[${i}] has ${(r as unknown[]).length} entries, expected ${dims} → ${c} columns`);
      m.data.set(this.vector(r, c, `${path}[${i}]`), i * c);
    });
    return m;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Parses and checks a checkpoint's text; every problem is a BpttError naming the field. */
export function parseCheckpoint(text: string, where = 'checkpoint'): Checkpoint {
  const rd: Reader = new Reader(where); // the explicit type lets TypeScript see that rd.fail() never returns
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    rd.fail(
      `not valid JSON (${text.trim() === '' ? 'the file is empty' : 'truncated or not a checkpoint?'}): ` +
        `${(e as Error).message}`,
    );
  }
  const doc = rd.object(raw, 'the top level');
  if (doc.format !== CHECKPOINT_FORMAT)
    rd.fail(`format must be "${CHECKPOINT_FORMAT}", got ${describe(doc.format)} (not a bpttlab checkpoint?)`);
  const version = rd.field(doc, 'version', '');
  if (version !== CHECKPOINT_VERSION)
    rd.fail(`version ${describe(version)} is not supported: this bpttlab reads version ${CHECKPOINT_VERSION}`);
  const run = doc.run;
  if (run !== undefined && (typeof run !== 'string' || run === ''))
    rd.fail(`run must be a non-empty string (the run's id), got ${describe(run)}`);
  const iteration = rd.number(rd.field(doc, 'iteration', ''), 'iteration');
  if (!Number.isInteger(iteration) || iteration < 0) rd.fail(`iteration must be an integer ≥ 0, got ${iteration}`);

  // params: shapes must fit together (U H×D, W H×H, V K×H, b H, c K)
  const ps = rd.object(rd.field(doc, 'params', ''), 'params');
  const W = rd.matrix(rd.field(ps, 'W', 'params.'), null, null, 'params.W', 'H×H');
  const H = W.rows;
  if (W.cols !== H) rd.fail(`params.W must be H×H, got ${W.rows}×${W.cols}`);
  const U = rd.matrix(rd.field(ps, 'U', 'params.'), H, null, 'params.U', `H×D (H = ${H})`);
  const V = rd.matrix(rd.field(ps, 'V', 'params.'), null, H, 'params.V', `K×H (H = ${H})`);
  const b = rd.vector(rd.field(ps, 'b', 'params.'), H, 'params.b');
  const c = rd.vector(rd.field(ps, 'c', 'params.'), V.rows, 'params.c');
  const params: Params = { U, W, V, b, c };
  try {
    checkParams(params);
  } catch (e) {
    rd.fail(`params: ${(e as Error).message}`);
  }

  // config: every field present, then the same checks a fresh run gets
  const cfgRaw = rd.object(rd.field(doc, 'config', ''), 'config');
  for (const k of Object.keys(DEFAULTS)) rd.field(cfgRaw, k, 'config.');
  let config: TrainConfig;
  try {
    config = resolveConfig(cfgRaw as unknown as TrainConfig);
  } catch (e) {
    rd.fail(`config: ${(e as Error).message}`);
  }
  if (config.hiddenSize !== H) rd.fail(`config.hiddenSize is ${config.hiddenSize} but params.W is ${H}×${H}`);

  const src = rd.object(rd.field(doc, 'source', ''), 'source');
  let source: SourceSpec;
  if (src.kind === 'text' && typeof src.file === 'string') {
    source = { kind: 'text', file: src.file };
    if (src.shipped === true) source.shipped = true;
    if (src.relativeTo === 'checkpoint') source.relativeTo = 'checkpoint';
  } else if (src.kind === 'task' && typeof src.name === 'string')
    source = {
      kind: 'task',
      name: src.name,
      options: rd.object(src.options ?? {}, 'source.options') as Record<string, number | boolean>,
    };
  else
    rd.fail(
      `source must be { "kind": "text", "file": ... } or { "kind": "task", "name": ..., "options": ... }, got ` +
        `${describe(src)}`,
    );

  const vraw = rd.field(doc, 'vocab', '');
  let vocab: Vocab | null = null;
  if (vraw !== null) {
    if (!Array.isArray(vraw)) rd.fail(`vocab must be an array of characters or null, got ${describe(vraw)}`);
    try {
      vocab = vocabFromChars(vraw as string[]);
    } catch (e) {
      rd.fail(`vocab: ${(e as Error).message}`);
    }
    if (vocab.size !== U.cols || vocab.size !== V.rows)
      rd.fail(`vocab has ${vocab.size} characters but the model has D = ${U.cols} inputs and K = ${V.rows} outputs`);
  }
  if (source.kind === 'text' && vocab === null)
    rd.fail('vocab is null, but a character model (source kind "text") needs its vocabulary');

  const optRaw = rd.object(rd.field(doc, 'optimizer', ''), 'optimizer');
  let optimizer: OptimizerState;
  try {
    optimizer = restoreOptimizer(optRaw as unknown as OptimizerState, params, 'optimizer').state();
  } catch (e) {
    rd.fail((e as Error).message);
  }

  const tr = rd.object(rd.field(doc, 'trainer', ''), 'trainer');
  const trainer: TrainerState = {
    iteration: rd.number(rd.field(tr, 'iteration', 'trainer.'), 'trainer.iteration'),
    ema: rd.number(rd.field(tr, 'ema', 'trainer.'), 'trainer.ema'),
    clippedCount: rd.number(rd.field(tr, 'clippedCount', 'trainer.'), 'trainer.clippedCount'),
    streams: [],
  };
  if (trainer.iteration !== iteration)
    rd.fail(`trainer.iteration (${trainer.iteration}) differs from iteration (${iteration})`);
  const streams = rd.field(tr, 'streams', 'trainer.');
  if (!Array.isArray(streams)) rd.fail(`trainer.streams must be an array, got ${describe(streams)}`);
  (streams as unknown[]).forEach((s, i) => {
    const o = rd.object(s, `trainer.streams[${i}]`);
    const pos = rd.number(rd.field(o, 'pos', `trainer.streams[${i}].`), `trainer.streams[${i}].pos`);
    if (!Number.isInteger(pos) || pos < 0) rd.fail(`trainer.streams[${i}].pos must be an integer ≥ 0, got ${pos}`);
    trainer.streams.push({
      pos,
      h: Array.from(rd.vector(rd.field(o, 'h', `trainer.streams[${i}].`), H, `trainer.streams[${i}].h`)),
    });
  });
  return {
    ...(run === undefined ? {} : { run: run as string }),
    iteration,
    config,
    source,
    vocab,
    params,
    optimizer,
    trainer,
  };
}

/** Reads and checks a checkpoint file. */
export function loadCheckpoint(file: string): Checkpoint {
  return parseCheckpoint(readBytes(file, 'checkpoint').toString('utf8'), file);
}

// --- trainer ↔ checkpoint ---

/**
 * A checkpoint of a trainer; `source` says where its data came from (a file path or a task and its options); `run`, its
 * run's id.
 */
export function checkpointOf(t: Trainer, source: SourceSpec, run?: string): Checkpoint {
  const state = t.state();
  return {
    ...(run === undefined ? {} : { run }),
    iteration: t.iteration,
    config: t.config,
    source,
    vocab: t.source.kind === 'text' ? t.source.corpus.vocab : null,
    params: t.params,
    optimizer: t.optimizer.state(),
    trainer: state,
  };
}

/** A trainer that continues a checkpointed run exactly; `source` must be the same data (same vocabulary for text). */
export function resumeTrainer(
  ck: Checkpoint,
  source: Source,
  overrides: Partial<Pick<TrainConfig, 'lr' | 'clip'>> = {},
): Trainer {
  if (source.kind === 'text') {
    const corpus: Corpus = source.corpus;
    const mine = ck.vocab?.chars.join('') ?? '';
    if (corpus.vocab.chars.join('') !== mine) {
      throw new BpttError(
        `the text's vocabulary (${corpus.vocab.size} characters) is not the checkpoint's (${ck.vocab?.size ?? 0}): ` +
          `load the text with the checkpoint's vocabulary`,
      );
    }
  }
  const optimizer: Optimizer = restoreOptimizer(ck.optimizer, ck.params);
  if (overrides.lr !== undefined) optimizer.lr = overrides.lr;
  const config: TrainConfig = { ...ck.config, ...overrides };
  return new Trainer(source, config, { params: ck.params, optimizer, state: ck.trainer });
}
