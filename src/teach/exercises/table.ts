// An exercise as the book's pages judge it: every number the checker would compute, computed ahead of time, and no
// code that computes an answer. `npm run book` calls tableOf() on each exercise (with its solution and mistake
// models, on the build machine) and writes the tables into the page; the page calls fromTable(), which gives an
// Exercise whose "solution" and "mistake models" only look up those numbers, and hands it to the CLI's own judge().
// judge() calls the solution and the models only on the exercise's cases, and the pairs of mistakes only through
// modelOf({ ...a.opts, ...b.opts }) for pairs whose options do not overlap: the table holds exactly those outputs.
import { type Exercise, type Mistake, type Model, mistakeModel } from './answers/exercise';
import type { Case, ExerciseSpec } from './types';
import { decode, encode, type Norm, normalise } from './values';

/** A model's output on one case, encoded (values.ts); null when it threw, returned nothing or nothing readable. */
export type Cell = unknown;

export interface TableMistake {
  readonly id: string;
  readonly title: string;
  readonly hint: string;
  /** The option names of the mistake's opts (values are not kept: judge() only merges and compares the names). */
  readonly optKeys?: readonly string[];
  /** Its output per case. */
  readonly out: readonly Cell[];
}

export interface ExerciseTable {
  readonly spec: Omit<ExerciseSpec, 'cases'>;
  readonly cases: readonly Case[];
  /** The correct output per case. */
  readonly want: readonly Cell[];
  readonly mistakes: readonly TableMistake[];
  /** Whether the exercise combines mistakes' options (modelOf). */
  readonly pairs: boolean;
  /** The pairs judge() tries, keyed by pairKey(a, b): output per case. */
  readonly pairOut: Readonly<Record<string, readonly Cell[]>>;
}

/** The options a table mistake stands for: its option names, each set to its own id (values are never used). */
function tokens(m: { id: string }, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, m.id]));
}

/** The key of merged options, as judge() merges them ({ ...a.opts, ...b.opts }), from their tokens. */
const keyOf = (opts: object): string => JSON.stringify(opts);

const argsKey = (args: readonly unknown[]): string => JSON.stringify(args);

function cell(f: Model, args: readonly unknown[]): Cell {
  let v: unknown;
  try {
    v = f(...structuredClone(args));
  } catch {
    return null;
  }
  if (v === undefined) return null;
  let n: Norm | string;
  try {
    n = normalise(v);
  } catch {
    return null;
  }
  return typeof n === 'string' ? null : encode(n);
}

/** Build time: runs the solution, every mistake model and every pair judge() may try, on every case. */
export function tableOf(ex: Exercise): ExerciseTable {
  const { cases: casesFn, solution, mistakes, modelOf, ...spec } = ex;
  void casesFn;
  void solution;
  void mistakes;
  void modelOf;
  const cases = ex.cases();
  const run = (f: Model): Cell[] => cases.map((c) => cell(f, c.args));
  const keysOf = (m: Mistake): string[] | undefined => (m.opts === undefined ? undefined : Object.keys(m.opts));
  const pairOut: Record<string, Cell[]> = {};
  if (ex.modelOf) {
    const withOpts = ex.mistakes.filter((m) => m.opts !== undefined);
    for (let i = 0; i < withOpts.length; i++) {
      for (let j = i + 1; j < withOpts.length; j++) {
        const [a, b] = [withOpts[i], withOpts[j]];
        const ka = keysOf(a)!;
        const kb = keysOf(b)!;
        if (kb.some((k) => ka.includes(k))) continue;
        pairOut[keyOf({ ...tokens(a, ka), ...tokens(b, kb) })] = run(ex.modelOf({ ...a.opts, ...b.opts }));
      }
    }
  }
  return {
    spec: JSON.parse(JSON.stringify(spec)) as Omit<ExerciseSpec, 'cases'>,
    cases,
    want: run(ex.solution),
    mistakes: ex.mistakes.map((m) => ({
      id: m.id,
      title: m.title,
      hint: m.hint,
      optKeys: keysOf(m),
      out: run(mistakeModel(ex, m)),
    })),
    pairs: ex.modelOf !== undefined,
    pairOut,
  };
}

/** A decoded cell as the plain value a function would have returned (what normalise() reads back to the same Norm). */
function plain(n: Norm): unknown {
  switch (n.kind) {
    case 'num':
      return n.v;
    case 'vec':
      return [...n.v];
    case 'mat':
      return n.v.map((r) => [...r]);
    case 'rec':
      return Object.fromEntries(Object.keys(n.v).map((k) => [k, plain(n.v[k])]));
  }
}

/**
 * In the page: the exercise judge() needs, from a table. Its solution and models look the case up by its arguments
 * and return the stored value; they compute nothing.
 */
export function fromTable(t: ExerciseTable): Exercise {
  const index = new Map(t.cases.map((c, i) => [argsKey(c.args), i]));
  const lookup =
    (out: readonly Cell[]): Model =>
    (...args: unknown[]): unknown => {
      const i = index.get(argsKey(args));
      const c = i === undefined ? null : out[i];
      return c === null || c === undefined ? undefined : plain(decode(c));
    };
  const mistakes: Mistake[] = t.mistakes.map((m) => ({
    id: m.id,
    title: m.title,
    hint: m.hint,
    model: lookup(m.out),
    ...(m.optKeys ? { opts: tokens(m, m.optKeys) } : {}),
  }));
  const none: readonly Cell[] = [];
  return {
    ...t.spec,
    cases: () => structuredClone(t.cases) as Case[],
    solution: lookup(t.want),
    mistakes,
    ...(t.pairs ? { modelOf: (opts: object): Model => lookup(t.pairOut[keyOf(opts)] ?? none) } : {}),
  };
}
