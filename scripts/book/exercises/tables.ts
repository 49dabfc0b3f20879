// Build time only (Node): the tables the book's pages judge with (src/teach/exercises/table.ts), from the exercises
// with
// their answers. Bundled and run by scripts/book/exercises.mjs; never part of a page.
import { EXERCISES, getExercise } from '../../../src/teach/exercises/answers';
import { type ExerciseTable, tableOf } from '../../../src/teach/exercises/table';

/** Every exercise in the registry, by name, with its function name. */
export const registry = (): { name: string; fn: string }[] => EXERCISES.map((e) => ({ name: e.name, fn: e.fn }));

export function tables(names: readonly string[]): Record<string, ExerciseTable> {
  return Object.fromEntries(names.map((n) => [getExercise(n).name, tableOf(getExercise(n))]));
}
