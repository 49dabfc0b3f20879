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
//
// One run per checkpoint: a run holds NAME.lock (its pid, host and a random token) while it may write NAME, so a
// second run on the same path is refused instead of flipping the file between two models; the lock of a process
// that died (kill -9) is taken over. Each checkpoint records the id of the run that wrote it, so a new run can tell
// "my checkpoint" from "another run's", which it replaces only when told to (--overwrite).
import { randomBytes } from 'node:crypto';
import { Stats, closeSync, fsyncSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileError, readBytes } from '../io/files';
import * as path from 'node:path';
import { Corpus, Vocab, vocabFromChars } from './text';
import { Optimizer, OptimizerState, restoreOptimizer } from './optim';
import { PARAM_NAMES, Params, checkParams } from '../model/params';
import { BpttError } from '../model/errors';
import { Mat, mat } from '../model/tensor';
import { DEFAULTS, Source, TrainConfig, Trainer, TrainerState, resolveConfig } from './trainer';

export const CHECKPOINT_FORMAT = 'bpttlab-checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * Where the training data came from, so a resumed run can find it again (shipped: the corpus in bpttlab's data/).
 * `relativeTo: 'checkpoint'`: `file` is relative to the checkpoint's folder (so a resume works from any folder);
 * without it, relative to the folder the run was started in (checkpoints written before that field existed).
 */
export type SourceSpec = { kind: 'text'; file: string; shipped?: boolean; relativeTo?: 'checkpoint' } | { kind: 'task'; name: string; options: Record<string, number | boolean> };

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
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${writeJson(x, inner)}`).join(',\n')}\n${indent}}`;
}

const rowsOf = (m: Mat): number[][] => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

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
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(`${path} must be an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(`${path} must be a finite number, got ${describe(v)}${v === null ? ' (NaN and ±Infinity are saved as null by JSON)' : ''}`);
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
    if (!Array.isArray(v) || v.length === 0) this.fail(`${path} must be a non-empty array of rows (${dims}), got ${describe(v)}`);
    const a = v as unknown[];
    if (rows !== null && a.length !== rows) this.fail(`${path} has ${a.length} rows, expected ${dims} = ${rows} rows`);
    const c = cols ?? (Array.isArray(a[0]) ? (a[0] as unknown[]).length : 0);
    const m = mat(a.length, c);
    a.forEach((r, i) => {
      if (!Array.isArray(r)) this.fail(`${path}[${i}] must be a row of ${c} numbers, got ${describe(r)}`);
      if ((r as unknown[]).length !== c) this.fail(`${path}[${i}] has ${(r as unknown[]).length} entries, expected ${dims} → ${c} columns`);
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
    rd.fail(`not valid JSON (${text.trim() === '' ? 'the file is empty' : 'truncated or not a checkpoint?'}): ${(e as Error).message}`);
  }
  const doc = rd.object(raw, 'the top level');
  if (doc.format !== CHECKPOINT_FORMAT) rd.fail(`format must be "${CHECKPOINT_FORMAT}", got ${describe(doc.format)} (not a bpttlab checkpoint?)`);
  const version = rd.field(doc, 'version', '');
  if (version !== CHECKPOINT_VERSION) rd.fail(`version ${describe(version)} is not supported: this bpttlab reads version ${CHECKPOINT_VERSION}`);
  const run = doc.run;
  if (run !== undefined && (typeof run !== 'string' || run === '')) rd.fail(`run must be a non-empty string (the run's id), got ${describe(run)}`);
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
  }
  else if (src.kind === 'task' && typeof src.name === 'string') source = { kind: 'task', name: src.name, options: rd.object(src.options ?? {}, 'source.options') as Record<string, number | boolean> };
  else rd.fail(`source must be { "kind": "text", "file": ... } or { "kind": "task", "name": ..., "options": ... }, got ${describe(src)}`);

  const vraw = rd.field(doc, 'vocab', '');
  let vocab: Vocab | null = null;
  if (vraw !== null) {
    if (!Array.isArray(vraw)) rd.fail(`vocab must be an array of characters or null, got ${describe(vraw)}`);
    try {
      vocab = vocabFromChars(vraw as string[]);
    } catch (e) {
      rd.fail(`vocab: ${(e as Error).message}`);
    }
    if (vocab.size !== U.cols || vocab.size !== V.rows) rd.fail(`vocab has ${vocab.size} characters but the model has D = ${U.cols} inputs and K = ${V.rows} outputs`);
  }
  if (source.kind === 'text' && vocab === null) rd.fail('vocab is null, but a character model (source kind "text") needs its vocabulary');

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
  if (trainer.iteration !== iteration) rd.fail(`trainer.iteration (${trainer.iteration}) differs from iteration (${iteration})`);
  const streams = rd.field(tr, 'streams', 'trainer.');
  if (!Array.isArray(streams)) rd.fail(`trainer.streams must be an array, got ${describe(streams)}`);
  (streams as unknown[]).forEach((s, i) => {
    const o = rd.object(s, `trainer.streams[${i}]`);
    const pos = rd.number(rd.field(o, 'pos', `trainer.streams[${i}].`), `trainer.streams[${i}].pos`);
    if (!Number.isInteger(pos) || pos < 0) rd.fail(`trainer.streams[${i}].pos must be an integer ≥ 0, got ${pos}`);
    trainer.streams.push({ pos, h: Array.from(rd.vector(rd.field(o, 'h', `trainer.streams[${i}].`), H, `trainer.streams[${i}].h`)) });
  });
  return { ...(run === undefined ? {} : { run: run as string }), iteration, config, source, vocab, params, optimizer, trainer };
}

/** Reads and checks a checkpoint file. */
export function loadCheckpoint(file: string): Checkpoint {
  return parseCheckpoint(readBytes(file, 'checkpoint').toString('utf8'), file);
}

// --- trainer ↔ checkpoint ---

/** A checkpoint of a trainer; `source` says where its data came from (a file path or a task and its options); `run`, its run's id. */
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
export function resumeTrainer(ck: Checkpoint, source: Source, overrides: Partial<Pick<TrainConfig, 'lr' | 'clip'>> = {}): Trainer {
  if (source.kind === 'text') {
    const corpus: Corpus = source.corpus;
    const mine = ck.vocab?.chars.join('') ?? '';
    if (corpus.vocab.chars.join('') !== mine) {
      throw new BpttError(`the text's vocabulary (${corpus.vocab.size} characters) is not the checkpoint's (${ck.vocab?.size ?? 0}): load the text with the checkpoint's vocabulary`);
    }
  }
  const optimizer: Optimizer = restoreOptimizer(ck.optimizer, ck.params);
  if (overrides.lr !== undefined) optimizer.lr = overrides.lr;
  const config: TrainConfig = { ...ck.config, ...overrides };
  return new Trainer(source, config, { params: ck.params, optimizer, state: ck.trainer });
}


// --- one run per checkpoint: the lock, the header, left-over temporary files ---

/** A new run's id: 8 hex digits, stored in its checkpoints. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** Is process `pid` alive (on this machine)? EPERM: it exists but belongs to someone else. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  started: string;
}

function readLock(lockFile: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(lockFile, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') return { pid: v.pid, host: v.host, token: v.token, started: String(v.started ?? '') };
  } catch {
    // missing, being written, or not ours: the caller decides
  }
  return null;
}

export interface CheckpointLock {
  readonly file: string;
  readonly lockFile: string;
  /** Does this run still hold the lock (is the lock file still the one it wrote)? */
  holds(): boolean;
  /** Removes the lock file if it is still this run's. */
  release(): void;
}

/**
 * Takes NAME.lock beside checkpoint `file`, so that no other run writes the same checkpoint while this one may.
 * Checks the folder first (it must exist and be writable: found now, not at the first save after hours of
 * training). A lock left by a dead process on this machine is taken over; a live one is a refusal naming its pid.
 */
export function lockCheckpoint(file: string): CheckpointLock {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new BpttError(`cannot use --checkpoint ${file}: its folder ${dir} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${fileError(e)})`}`);
  }
  if (!st.isDirectory()) throw new BpttError(`cannot use --checkpoint ${file}: ${dir} is not a folder`);
  const lockFile = `${abs}.lock`;
  const mine: LockInfo = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), started: new Date().toISOString() };
  const lock: CheckpointLock = {
    file: abs,
    lockFile,
    holds: () => readLock(lockFile)?.token === mine.token,
    release: () => {
      if (lock.holds()) {
        try {
          unlinkSync(lockFile);
        } catch {
          // gone already
        }
      }
    },
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx'); // fails if it exists: creating it is the atomic test-and-set
      try {
        writeSync(fd, `${JSON.stringify(mine)}\n`);
      } finally {
        closeSync(fd);
      }
      return lock;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new BpttError(`cannot use --checkpoint ${file}: cannot write in its folder ${dir} (${fileError(e)})`);
    }
    const held = readLock(lockFile);
    if (held === null) {
      // a lock being written this instant, or garbage: a fresh one is a live run's, an old one is stale
      let age = Infinity;
      try {
        age = Date.now() - statSync(lockFile).mtimeMs;
      } catch {
        continue; // removed meanwhile: try again
      }
      if (age < 10_000) throw new BpttError(`checkpoint ${file} is being locked by another run (${lockFile} was written ${Math.round(age)} ms ago); try again in a moment`);
    } else if (held.host !== mine.host) {
      throw new BpttError(`checkpoint ${file} is locked by a run on another machine (pid ${held.pid} on ${held.host}, since ${held.started}); if no run uses it, delete ${lockFile}`);
    } else if (processAlive(held.pid)) {
      throw new BpttError(`checkpoint ${file} is in use by another run (pid ${held.pid}, since ${held.started}): two runs writing one checkpoint would overwrite each other; wait for it to finish or choose another --checkpoint`);
    }
    // stale: move it aside under a name only this process uses, and delete it if it is still the stale one
    const aside = `${lockFile}.${process.pid}.stale`;
    try {
      renameSync(lockFile, aside);
    } catch {
      continue; // someone else took it over first: look again
    }
    const moved = readLock(aside);
    if (held !== null && moved?.token !== held.token) {
      renameSync(aside, lockFile); // a fresh lock replaced the stale one meanwhile: put it back and look again
      continue;
    }
    unlinkSync(aside);
  }
  throw new BpttError(`cannot lock checkpoint ${file}: ${lockFile} keeps changing (other runs starting at the same time?)`);
}

/** What is at a checkpoint path before a run writes it: nothing, a bpttlab checkpoint (whose run?), or something else. */
export type CheckpointHeader =
  | { kind: 'none' }
  | { kind: 'empty' }
  | { kind: 'checkpoint'; run: string | null; iteration: number | null }
  | { kind: 'other'; start: string };

/** Reads only the first 4 KB: a checkpoint starts with its format, version, run id and iteration (checkpointToJson). */
export function checkpointHeader(file: string): CheckpointHeader {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw new BpttError(`cannot use --checkpoint ${file}: ${fileError(e)}`);
  }
  if (st.isDirectory()) throw new BpttError(`cannot use --checkpoint ${file}: it is a directory`);
  if (!st.isFile()) throw new BpttError(`cannot use --checkpoint ${file}: it is not a regular file (a device, a FIFO or a socket)`);
  if (st.size === 0) return { kind: 'empty' };
  const buf = Buffer.alloc(Math.min(4096, st.size));
  let n = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new BpttError(`cannot use --checkpoint ${file}: ${fileError(e)}`);
  }
  const head = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*\{\s*"format"\s*:\s*"bpttlab-checkpoint"/.test(head)) {
    const run = /"run"\s*:\s*"([0-9A-Za-z_-]{1,64})"/.exec(head);
    const it = /"iteration"\s*:\s*(\d+)/.exec(head);
    return { kind: 'checkpoint', run: run ? run[1] : null, iteration: it ? Number(it[1]) : null };
  }
  const start = head.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
  return { kind: 'other', start };
}

/** Removes the temporary files that saves of `file` killed half-way (kill -9, a crash) left; returns their names. */
export function removeStaleTemps(file: string): string[] {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const escaped = path.basename(abs).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${escaped}\\.(\\d+)\\.\\d+\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null || processAlive(Number(m[1]))) continue; // a live process's save is still running
    try {
      unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}
