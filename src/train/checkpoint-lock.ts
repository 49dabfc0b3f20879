// One run per checkpoint: a run holds NAME.lock (its pid, host and a random token) while it may write NAME, so a
// second run on the same path is refused instead of flipping the file between two models; the lock of a process
// that died (kill -9) is taken over. Each checkpoint records the id of the run that wrote it, so a new run can tell
// "my checkpoint" from "another run's", which it replaces only when told to (--overwrite). A save killed half-way
// leaves its temporary file (.NAME.PID.TIME.tmp); removeStaleTemps removes it on the next run.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { fileError } from '../io/files';
import { BpttError } from '../model/errors';

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
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string')
      return { pid: v.pid, host: v.host, token: v.token, started: String(v.started ?? '') };
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
    throw new BpttError(
      `cannot use --checkpoint ${file}: its folder ${dir} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${fileError(e)})`}`,
    );
  }
  if (!st.isDirectory()) throw new BpttError(`cannot use --checkpoint ${file}: ${dir} is not a folder`);
  const lockFile = `${abs}.lock`;
  const mine: LockInfo = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    started: new Date().toISOString(),
  };
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
      if (code !== 'EEXIST')
        throw new BpttError(`cannot use --checkpoint ${file}: cannot write in its folder ${dir} (${fileError(e)})`);
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
      if (age < 10_000)
        throw new BpttError(
          `checkpoint ${file} is being locked by another run (${lockFile} was written ${Math.round(age)} ms ago); ` +
            `try again in a moment`,
        );
    } else if (held.host !== mine.host) {
      throw new BpttError(
        `checkpoint ${file} is locked by a run on another machine (pid ${held.pid} on ${held.host}, since ` +
          `${held.started}); if no run uses it, delete ${lockFile}`,
      );
    } else if (processAlive(held.pid)) {
      throw new BpttError(
        `checkpoint ${file} is in use by another run (pid ${held.pid}, since ${held.started}): two runs writing one ` +
          `checkpoint would overwrite each other; wait for it to finish or choose another --checkpoint`,
      );
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
  throw new BpttError(
    `cannot lock checkpoint ${file}: ${lockFile} keeps changing (other runs starting at the same time?)`,
  );
}

/**
 * What is at a checkpoint path before a run writes it: nothing, a bpttlab checkpoint (whose run?), or something else.
 */
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
  if (!st.isFile())
    throw new BpttError(`cannot use --checkpoint ${file}: it is not a regular file (a device, a FIFO or a socket)`);
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
  const head = buf
    .subarray(0, n)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
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
