// Exercises: the registry, and the two ways in — check() from a notebook cell, runExercise() from code and the CLI.
//
//   bp.exercises.check('dW', gradW);        // prints the verdict; throws (short message) unless correct
//   bp.exercises.verdict('dW', gradW);      // the Verdict object, never throws
//   bp.exercises.getCase('dW', 0).args;     // the inputs of the case a verdict names
import { Case, CheckOptions, Exercise, Verdict, runExercise } from './core';
import { forwardStep } from './forward-step';
import { softmaxGrad } from './softmax-grad';
import { squaredGrad } from './squared-grad';
import { dhStep } from './dh-step';
import { backwardLoop } from './backward-loop';
import { gradW } from './dW';
import { gradU } from './dU';
import { gradV } from './dV';
import { gradB } from './db';
import { gradC } from './dc';
import { truncatedBackward } from './truncated';
import { fullBackward } from './full-backward';
import { clipNorm } from './clip';

export * from './core';
export type { GradSet } from './clip';

/** Every exercise, in the order the notebooks pose them. */
export const EXERCISES: readonly Exercise[] = [
  forwardStep, softmaxGrad, squaredGrad, dhStep, backwardLoop, gradV, gradC, gradW, gradU, gradB, fullBackward, truncatedBackward, clipNorm,
];

export function exerciseNames(): string[] {
  return EXERCISES.map((e) => e.name);
}

/** The exercise called `name` (its CLI name, e.g. 'dW', or its function name, e.g. 'gradW'); throws for an unknown name. */
export function getExercise(name: string): Exercise {
  const ex = EXERCISES.find((e) => e.name === name || e.fn === name);
  if (!ex) throw new Error(`unknown exercise "${name}": expected one of ${exerciseNames().join(', ')}`);
  return ex;
}

/** The inputs of case `index` of an exercise, as the checker passes them (fresh copies). */
export function getCase(name: string, index: number): Case {
  const cs = getExercise(name).cases();
  if (!Number.isInteger(index) || index < 0 || index >= cs.length) throw new Error(`${name} has cases 0..${cs.length - 1}, got ${index}`);
  return structuredClone(cs[index]);
}

/** The verdict on a student function, never throwing for anything the function does. */
export function verdict(name: string, fn: unknown, opts: CheckOptions = {}): Verdict {
  return runExercise(getExercise(name), fn, opts);
}

/** Thrown by check() when a solution is not correct: a short message, no stack trace from inside the checker. */
export class ExerciseFailure extends Error {
  constructor(message: string, readonly verdict: Verdict) {
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
  /** Throw when not correct (default true), so the cell turns red and "Run all" stops at the first unsolved exercise. */
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
  const short = v.status === 'not-implemented' ? `${v.exercise}: not implemented yet` : `${v.exercise}: not correct yet (${v.status}${v.mistake ? `: ${v.mistake.id}` : ''}) — see the verdict above`;
  throw new ExerciseFailure(short, v);
}

/** A one-page overview: name, function, signature, equation. */
export function list(): string {
  return EXERCISES.map((e) => `${e.name.padEnd(19)} ${e.signature}\n${''.padEnd(19)} ${e.title} (${e.equation})`).join('\n');
}
