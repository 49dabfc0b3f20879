// The child process behind `bpttlab check`: loads the student's file, runs the checker, and writes the verdict as
// one marked JSON line on stdout. The parent kills it after a time limit, so a function that never returns cannot
// hang the command. Usage: node child.js EXERCISE FILE EXPORT|'' CASES|'' LIMIT_MS
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { getExercise, runExercise } from './index';

import { CASE_MARK, MARK_TEXT as MARK } from './mark';

function send(msg: object): void {
  process.stdout.write(`\n${MARK}${JSON.stringify(msg)}\n`);
}

function load(file: string): Record<string, unknown> {
  let tsx: { require: (id: string, from: string) => unknown } | null = null;
  try {
    tsx = require('tsx/cjs/api');
  } catch {
    tsx = null;
  }
  if (/\.[cm]?tsx?$/.test(file) && !tsx) {
    throw Object.assign(new Error(`cannot load ${file}: loading TypeScript needs the tsx package (npm install tsx), or compile it to .js`), { usage: true });
  }
  const mod = tsx ? tsx.require(file, __filename) : require(file);
  return (mod ?? {}) as Record<string, unknown>;
}

/**
 * Kills this process after `ms`: a watchdog thread, because a synchronous endless loop in the student's function
 * never gives the event loop (and so any timer of ours) a chance. Started after our own start-up, so the limit is
 * the student's code's alone (loading the file included).
 */
function watchdog(ms: number): void {
  const code = `const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);`;
  new Worker(code, { eval: true, workerData: { pid: process.pid, ms } }).unref();
}

function main(): void {
  const [name, file, exportName, cases, limit] = process.argv.slice(2);
  const ex = getExercise(name);
  if (Number(limit) > 0) watchdog(Number(limit));
  let mod: Record<string, unknown>;
  try {
    mod = load(path.resolve(file));
  } catch (e) {
    const err = e as Error & { usage?: boolean };
    send({ kind: 'usage', message: err.usage ? err.message : `cannot load ${file}: ${err.name}: ${err.message.split('\n')[0]}` });
    return;
  }
  const wanted = exportName || ex.fn;
  const fallback = typeof mod.default === 'function' ? mod.default : typeof mod === 'function' ? mod : undefined;
  const fn = mod[wanted] ?? (exportName ? undefined : fallback);
  if (typeof fn !== 'function') {
    const have = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    send({ kind: 'usage', message: `${file} exports no function "${wanted}"${have.length ? ` (it exports: ${have.join(', ')}; choose one with --export NAME)` : ' (export it: `export function ' + ex.fn + '(...)`)'}` });
    return;
  }
  // Progress on stderr, written synchronously so that it is there even when the parent kills us mid-case.
  const onCase = (i: number): void => void fs.writeSync(2, `${CASE_MARK}${i}\n`);
  const v = runExercise(ex, fn, cases ? { cases: cases.split(',').map(Number), onCase } : { onCase });
  send({ kind: 'verdict', verdict: v });
}

main();
