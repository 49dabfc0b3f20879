// Exercises, as a notebook cell sees them: the list, the cases, and check().
//
//   bp.exercises.check('dW', gradW);        // prints the verdict; throws (short message) unless correct
//   bp.exercises.verdict('dW', gradW);      // the Verdict object, never throws for anything gradW does
//   bp.exercises.getCase('dW', 0).args;     // the inputs of the case a verdict names
//   bp.exercises.list();                    // every exercise: name, signature, equation
//
// The student's function runs here, in the kernel, and only hands back values: the verdict is computed by a separate
// judge process (grader.ts) from those values. Neither the solutions nor the mistake models are loaded here, and
// nothing here can be patched to change a verdict. A function whose source mentions bp, bpttlab, require or import(
// is refused (status 'uses-bpttlab'): the answer must be computed by the student's own code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { collect } from './collect';
import { SPECS, specOf } from './specs';
import type { Case, ExerciseSpec, Verdict } from './types';
import { describeRaw } from './values';

export type { GradSet } from './specs';
export type { Case, Entry, ExerciseSpec, MistakeRef, Outcome, Status, Value, Verdict } from './types';
export { NOT_IMPLEMENTED } from './types';

/** Every exercise (what it asks for, and its cases), in the order the notebooks pose them. */
export const EXERCISES: readonly ExerciseSpec[] = SPECS;

export function exerciseNames(): string[] {
  return SPECS.map((e) => e.name);
}

/** What exercise `name` asks for (its CLI name, e.g. 'dW', or its function name, e.g. 'gradW'). */
export function spec(name: string): ExerciseSpec {
  return specOf(name);
}

/** The cases of an exercise, as the checker passes them (fresh copies). */
export function cases(name: string): Case[] {
  return structuredClone(specOf(name).cases());
}

/** The inputs of case `index` of an exercise, as the checker passes them (fresh copies). */
export function getCase(name: string, index: number): Case {
  const cs = specOf(name).cases();
  if (!Number.isInteger(index) || index < 0 || index >= cs.length)
    throw new Error(`${name} has cases 0..${cs.length - 1}, got ${index}`);
  return structuredClone(cs[index]);
}

/** Words an answer's own source may not contain (whole words; `import(` as a call). */
export const REFUSED_WORDS = /\b(bp|bpttlab|require)\b|\bimport\s*\(/;

/**
 * Why a function's source may not be checked, or null: it mentions bpttlab (by `bp`, `bpttlab`, `require` or
 * `import(`), or its source cannot be seen (a bound function, a Proxy, a built-in).
 */
export function refusal(
  fn: (...a: unknown[]) => unknown,
): { status: 'uses-bpttlab' | 'not-a-function'; detail: string } | null {
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return { status: 'not-a-function', detail: 'a function whose source the checker cannot read' };
  }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
    return {
      status: 'not-a-function',
      detail: 'a bound, wrapped or built-in function: pass the function you wrote, whose source the checker can see',
    };
  }
  const m = REFUSED_WORDS.exec(src);
  return m ? { status: 'uses-bpttlab', detail: `its source mentions \`${m[0].replace(/\s+/g, '')}\`` } : null;
}

export interface CheckOptions {
  /** Only these cases (indices into cases()); default all. */
  cases?: readonly number[];
}

/** Asks the judge process for the verdict on what the function handed back. */
function askJudge(request: object): Verdict {
  const isTs = __filename.endsWith('.ts');
  const grader = path.join(__dirname, isTs ? 'grader.ts' : 'grader.js');
  const execArgv = isTs ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  const r = spawnSync(process.execPath, [...execArgv, grader], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let v: unknown;
  try {
    v = JSON.parse(r.stdout);
  } catch {
    v = null;
  }
  if (r.status !== 0 || v === null || typeof v !== 'object' || typeof (v as Verdict).text !== 'string') {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-2).join(' ');
    throw new Error(`the exercise checker's judge process failed (exit ${r.status ?? r.signal}): ${why}`);
  }
  return v as Verdict;
}

/** The verdict on a student function, never throwing for anything the function does. */
export function verdict(name: string, fn: unknown, opts: CheckOptions = {}): Verdict {
  const ex = specOf(name);
  if (typeof fn !== 'function')
    return askJudge({
      exercise: ex.name,
      refused: { status: 'not-a-function', detail: `expected a function ${ex.signature}, got ${describeRaw(fn)}` },
    });
  const refused = refusal(fn as (...a: unknown[]) => unknown);
  if (refused) return askJudge({ exercise: ex.name, refused });
  const all = ex.cases();
  const indices = opts.cases ?? all.map((_, i) => i);
  const run = indices.filter((i) => all[i] !== undefined).map((i) => ({ index: i, args: all[i].args }));
  const outcomes = collect(fn as (...a: unknown[]) => unknown, run, ex.params);
  return askJudge({ exercise: ex.name, cases: indices, outcomes });
}

/** Thrown by check() when a solution is not correct: a short message, no stack trace from inside the checker. */
export class ExerciseFailure extends Error {
  constructor(
    message: string,
    readonly verdict: Verdict,
  ) {
    super(message);
    Object.defineProperty(this, 'verdict', { enumerable: false });
    this.stack = `${this.name}: ${message}`;
  }
}
ExerciseFailure.prototype.name = 'ExerciseFailure';
// Shown as just "ExerciseFailure: <message>" by console.error / the kernel: no checker source line, no stack.
Object.defineProperty(ExerciseFailure.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: ExerciseFailure) {
    return `${this.name}: ${this.message}`;
  },
});

export interface NotebookCheckOptions extends CheckOptions {
  /**
   * Throw when not correct (default true), so the cell turns red and "Run all" stops at the first unsolved exercise.
   */
  throwIfWrong?: boolean;
}

/**
 * For a notebook cell: prints the verdict; unless it is correct, throws an ExerciseFailure whose message says what
 * happened in one line ("dW: not implemented yet" for an untouched stub), so the cell turns red. Returns nothing (a
 * returned value would be displayed under the verdict); use verdict() for the Verdict object.
 */
export function check(name: string, fn: unknown, opts: NotebookCheckOptions = {}): void {
  const v = verdict(name, fn, opts);
  if (v.correct) {
    console.log(v.text);
    return;
  }
  console.error(v.text);
  if (opts.throwIfWrong === false) return;
  const short =
    v.status === 'not-implemented'
      ? `${v.exercise}: not implemented yet`
      : `${v.exercise}: not correct yet (${v.status}${v.mistake ? `: ${v.mistake.id}` : ''}) — see the verdict above`;
  throw new ExerciseFailure(short, v);
}

/** A one-page overview: name, function, signature, equation. */
export function list(): string {
  return SPECS.map((e) => `${e.name.padEnd(19)} ${e.signature}\n${''.padEnd(19)} ${e.title} (${e.equation})`).join(
    '\n',
  );
}
