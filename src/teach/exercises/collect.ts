// Running a student's function on the cases, and keeping only what it handed back: an outcome per case (its value,
// read once, or why there is none). This runs where the student's code runs (a notebook kernel, or the sandboxed
// child of `bpttlab check` / `bpttlab grade`), so it knows no expected value: the verdict is computed elsewhere,
// from these outcomes only (judge.ts). Imports only types.ts and values.ts, so the child can bundle it.
import { NOT_IMPLEMENTED, type Outcome } from './types';
import { encode, normalise } from './values';

export interface CollectOptions {
  /** When an error means the student's code tried to load bpttlab itself, the module it tried; else null. */
  refused?: (e: unknown) => string | null;
  /** Called before the student's function runs on case `index` (the child reports progress with it). */
  onCase?: (index: number) => void;
}

/** A thrown value as one short line, never running more of the student's code than reading name and message. */
export function errorMessage(e: unknown): string {
  try {
    const denied = e instanceof Error ? (e as Error & { code?: unknown; permission?: unknown }) : null;
    if (denied && denied.code === 'ERR_ACCESS_DENIED') {
      const what: Record<string, string> = {
        ChildProcess: 'start a process',
        WorkerThreads: 'start a worker',
        FileSystemRead: 'read a file',
        FileSystemWrite: 'write a file',
      };
      const tried = what[String(denied.permission)] ?? 'use an API';
      return (
        `it tried to ${tried}, which an answer may not do here (the check runs your code without access to ` +
        `files, processes or workers)`
      );
    }
    if (e instanceof Error) {
      const name = typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
      return oneLine(`${name}${String(e.message)}`);
    }
    if (typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean')
      return oneLine(`a thrown ${typeof e}: ${String(e)}`);
    return `a thrown ${e === null ? 'null' : typeof e}`;
  } catch {
    return 'a thrown value that cannot be read';
  }
}

/** Untrusted text as one line of at most 300 characters, without control characters. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** The student's code line where it threw, from the stack (frames of this file and of Node itself are dropped). */
function studentFrame(e: unknown): string | null {
  let stack: unknown;
  try {
    stack = e instanceof Error ? e.stack : undefined;
  } catch {
    return null;
  }
  if (typeof stack !== 'string') return null;
  for (const line of stack.split('\n').slice(1)) {
    const l = line.trim();
    if (!l.startsWith('at ')) continue;
    if (l.includes(__filename) || /node:internal|node_modules[\\/]/.test(l)) continue;
    return oneLine(l);
  }
  return null;
}

/** Where two argument values differ (for "your function changed its input"), or null. */
function changedAt(before: unknown, after: unknown, path: string): string | null {
  if (typeof before === 'number' || typeof after === 'number')
    return Object.is(before, after) || before === after ? null : path;
  if (Array.isArray(before) || ArrayBuffer.isView(before)) {
    const b = before as ArrayLike<unknown>;
    const a = after as ArrayLike<unknown> | null;
    if (a === null || typeof a !== 'object' || a.length !== b.length) return `${path} (its length changed)`;
    for (let i = 0; i < b.length; i++) {
      const d = changedAt(b[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (before !== null && typeof before === 'object') {
    if (after === null || typeof after !== 'object') return path;
    for (const k of Object.keys(before)) {
      const d = changedAt(
        (before as Record<string, unknown>)[k],
        (after as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return null;
  }
  return before === after ? null : path;
}

type Fn = (...args: unknown[]) => unknown;

/** Runs the function on one case's arguments (a fresh copy) and returns what it handed back. Never throws. */
export function runCase(
  fn: Fn,
  index: number,
  args: readonly unknown[],
  params: readonly string[],
  o: CollectOptions = {},
): Outcome {
  const pristine = structuredClone(args);
  const given = structuredClone(args) as unknown[];
  let raw: unknown;
  try {
    raw = fn(...given);
  } catch (e) {
    const module = o.refused?.(e) ?? null;
    if (module) return { index, ok: false, status: 'uses-bpttlab', detail: module };
    const msg = errorMessage(e);
    if (msg.includes(NOT_IMPLEMENTED)) return { index, ok: false, status: 'not-implemented', detail: msg };
    const frame = studentFrame(e);
    const outOfRange = /Cannot read propert(y|ies) of undefined|undefined is not an object|is not iterable/.test(msg)
      ? '\n  (an index out of range? e.g. h[t - 1] at t = 0 — h(0) is passed separately —, a loop bound of n_h ' +
        'where K or D belongs, or a transposed index)'
      : '';
    return {
      index,
      ok: false,
      status: 'threw',
      detail: `your function threw ${msg}${frame ? `\n    ${frame}` : ''}${outOfRange}`,
    };
  }
  try {
    if (raw !== null && typeof raw === 'object' && typeof (raw as { then?: unknown }).then === 'function') {
      return {
        index,
        ok: false,
        status: 'bad-output',
        detail: 'your function returned a Promise: make it a plain (not async) function',
      };
    }
    for (let i = 0; i < pristine.length; i++) {
      const where = changedAt(pristine[i], given[i], params[i] ?? `argument ${i + 1}`);
      if (where) {
        return {
          index,
          ok: false,
          status: 'mutated',
          detail:
            `your function changed its input ${where}: compute into new arrays and leave the arguments as ` +
            `they were (the caller still needs them)`,
        };
      }
    }
    const n = normalise(raw);
    if (typeof n === 'string') return { index, ok: false, status: 'bad-output', detail: `your function returned ${n}` };
    return { index, ok: true, value: encode(n) };
  } catch (e) {
    return {
      index,
      ok: false,
      status: 'bad-output',
      detail: `reading what your function returned threw ${errorMessage(e)}: return plain arrays of numbers`,
    };
  }
}

/** Runs the function on each case in turn, stopping after the first case without a value. */
export function collect(
  fn: Fn,
  cases: readonly { index: number; args: readonly unknown[] }[],
  params: readonly string[],
  o: CollectOptions = {},
): Outcome[] {
  const out: Outcome[] = [];
  for (const c of cases) {
    o.onCase?.(c.index);
    const r = runCase(fn, c.index, c.args, params, o);
    out.push(r);
    if (!r.ok) break;
  }
  return out;
}
