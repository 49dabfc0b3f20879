// An exercise as the checker knows it: its spec (types.ts, what the student sees) plus the answer: the solution and
// the known mistakes, each written as a function ("mistake model") that computes what that mistake would return on
// the same case. Only the grading side (judge.ts, `bpttlab check`, `bpttlab grade`, the notebook's judge process)
// imports this folder; the module the notebooks import (src/index.ts) never does.
import type { ExerciseSpec } from '../types';

/**
 * Any function of the exercise's arguments. Declared through a method so its parameters compare bivariantly:
 * `(h: number[][]) => number[][]` fits without `any` (the "bivariance hack" of React's typings).
 */
export type Model = { bivariant(...args: unknown[]): unknown }['bivariant'];

export interface Mistake {
  /** Stable id, e.g. 'uses-h-t'; tests and tools key on it. */
  readonly id: string;
  /** What the mistake is, in one line. */
  readonly title: string;
  /** What to fix, pointing to the book's equation. */
  readonly hint: string;
  /**
   * What a solution with this mistake returns (undefined when the mistake cannot happen on this case). Leave it out
   * when `opts` says it: the model is then the exercise's modelOf(opts), so the two can never disagree.
   */
  readonly model?: Model;
  /** The options that make the model from the exercise's modelOf (so two mistakes can be combined). */
  readonly opts?: object;
}

export interface Exercise extends ExerciseSpec {
  readonly solution: Model;
  /** Most specific first: when several models fit, the first one is named. */
  readonly mistakes: readonly Mistake[];
  /** The parametrised model behind the mistakes' `opts`: when no single mistake fits, pairs are tried. */
  modelOf?(opts: object): Model;
}

/** The function a mistake stands for: its own `model`, or the exercise's modelOf(opts). */
export function mistakeModel(ex: Exercise, m: Mistake): Model {
  if (m.model) return m.model;
  if (ex.modelOf && m.opts) return ex.modelOf(m.opts);
  throw new Error(`exercise ${ex.name}: mistake ${m.id} has neither a model nor opts for modelOf`);
}
