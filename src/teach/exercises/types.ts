// The exercises' public vocabulary: what an exercise asks for (its spec and cases), what running a student's function
// on one case gave (an outcome: values, or why there are none), and the verdict. Nothing here knows an answer.

/** What a student function may return: numbers, vectors, matrices, or a record of those (clipping returns grads). */
export type Value = number | readonly number[] | readonly (readonly number[])[] | { readonly [k: string]: Value };

/** One input to the student's function, reproducible: `seed` (null for the hand-made tiny case) and the sizes. */
export interface Case {
  readonly label: string;
  readonly seed: number | null;
  readonly sizes: string;
  readonly args: readonly unknown[];
}

/** What an exercise asks for: everything a student sees, and the cases; never the answer. */
export interface ExerciseSpec {
  /** CLI / check() name, e.g. 'dW'. */
  readonly name: string;
  /** The function name the notebook and a student file use, e.g. 'gradW'. */
  readonly fn: string;
  readonly title: string;
  /** The equation(s) it implements, e.g. 'eqs 10.25–10.26'. */
  readonly equation: string;
  /** The TypeScript signature shown to students. */
  readonly signature: string;
  /** Argument names, in order (for "your function changed its argument X"). */
  readonly params: readonly string[];
  /** The output's shape in symbols, e.g. 'n_h×n_h'. */
  readonly shape: string;
  /** The output's name in "first wrong entry" lines, e.g. '∇W' (entries then read ∇W[1][2]). */
  readonly output?: string;
  /** When the output's rows are time steps (row r is t = r + 1), computed by a recursion from t = τ down. */
  readonly stepRows?: boolean;
  /** The name of row t in sentences, e.g. '∇h(t) L' (with stepRows). */
  readonly rowName?: string;
  readonly cases: () => Case[];
}

export type Status =
  | 'correct'
  | 'not-implemented'
  | 'mistake'
  | 'wrong'
  | 'threw'
  | 'bad-output'
  | 'mutated'
  | 'timeout'
  | 'not-a-function'
  | 'uses-bpttlab'
  | 'too-much-output'
  | 'out-of-memory';

/** What running the student's function on one case gave: the value it returned, or why there is none. */
export type Outcome =
  | { readonly index: number; readonly ok: true; readonly value: unknown /* encoded, see values.ts */ }
  | {
      readonly index: number;
      readonly ok: false;
      readonly status: 'threw' | 'not-implemented' | 'bad-output' | 'mutated' | 'uses-bpttlab';
      readonly detail: string;
    };

export interface Entry {
  /** Where, readably: "t = 2, entry 1", "[1][2]", "dW[0][1]". */
  readonly where: string;
  readonly expected: number;
  readonly got: number;
}

export interface MistakeRef {
  readonly id: string;
  readonly title: string;
  readonly hint: string;
}

export interface Verdict {
  readonly exercise: string;
  readonly status: Status;
  readonly correct: boolean;
  /** The mistake named (status 'mistake'). */
  readonly mistake?: MistakeRef;
  /** A second mistake made at the same time (the numbers fit the two together, neither alone). */
  readonly together?: MistakeRef;
  /** Other mistakes that fit the numbers as well. */
  readonly alsoMatches?: readonly string[];
  /** The case that shows it (index into cases(), label, seed). */
  readonly case?: {
    readonly index: number;
    readonly label: string;
    readonly seed: number | null;
    readonly sizes: string;
  };
  readonly firstWrong?: Entry;
  /** Which returned quantities (or time steps) agree and which do not, in one sentence. */
  readonly location?: string;
  /** Plain-language detail (the error message, the shape, the changed argument, the module refused). */
  readonly detail?: string;
  readonly casesPassed: number;
  readonly casesTotal: number;
  /** The verdict as text, ready to print. */
  readonly text: string;
}

/** The text every stub throws; a function that throws it is "not implemented", not wrong. */
export const NOT_IMPLEMENTED = 'not implemented yet';
