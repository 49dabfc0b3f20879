// Seeded synthetic tasks whose answer depends on inputs many steps back, scored only at the steps that matter (the
// engine skips steps whose target is null): adding, copy, the embedded Reber grammar and sine waves.

import { BpttError } from '../model/errors';
import type { InputSpec } from '../model/inputs';
import type { LossName, TargetInput } from '../model/losses';
import type { Rng } from '../model/rng';
import { type Mat, mat, row } from '../model/tensor';

/** One sequence of a task: inputs, targets (null = not scored), and the steps where accuracy is measured. */
export interface Example {
  readonly xs: InputSpec; // { tokens } or { x } (T×D)
  readonly ys: TargetInput; // class indices (softmax-ce) or K-vectors (squared); null where unscored
  /** 0-based steps whose prediction counts for accuracy (the steps that need the long-range memory). */
  readonly keySteps: readonly number[];
}

export type TaskName = 'adding' | 'copy' | 'reber' | 'sine';
export const TASKS: readonly TaskName[] = ['adding', 'copy', 'reber', 'sine'];

export interface Task {
  readonly name: TaskName;
  readonly description: string;
  readonly inputSize: number; // D
  readonly outputSize: number; // K
  readonly loss: LossName;
  /**
   * How far back the answer lies: for adding and copy the steps between the first needed input and the scored output.
   */
  readonly lag: number;
  /** Steps T of an example (reber: its strings vary; 64 is more than any of 2 million draws took). */
  readonly steps: number;
  /** Squared-loss tasks: a prediction is correct when every |o(t)_k − y(t)_k| ≤ tolerance. */
  readonly tolerance: number;
  /** Accuracy of the best guess that ignores the long-range input (what truncation leaves), for comparison. */
  readonly chance: number;
  /** One example, drawn from r (the same r state gives the same example). */
  sample(r: Rng): Example;
}

export interface TaskOptions {
  /**
   * adding: sequence length T (default 20); copy: steps between a symbol and its recall (default 10); sine: steps of
   * warm-up before scoring (default 5).
   */
  lag?: number;
  /** copy: symbols to remember (default 1); reber: ignored. */
  symbols?: number;
  /** copy: alphabet size (default 4). */
  alphabet?: number;
  /** copy: fill the wait with random symbols instead of blanks (default false). */
  noise?: boolean;
  /** sine: sequence length (default 40). */
  length?: number;
}

function intOption(what: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new BpttError(`${what} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015). Input x(t) = (value, marker): values
 * uniform in [0, 1], the marker is 1 at two steps (one in each half) and 0 elsewhere. Target: the sum of the two
 * marked values, scored at the last step only (squared error). Correct when off by ≤ 0.04 (Hochreiter's threshold).
 */
export function addingTask(T = 20): Task {
  intOption('adding problem: length T', T, 2);
  const tolerance = 0.04;
  return {
    name: 'adding',
    description: `adding problem, T = ${T}: output the sum of the two marked values at step ${T}`,
    inputSize: 2,
    outputSize: 1,
    loss: 'squared',
    lag: T,
    steps: T,
    tolerance,
    // Ignoring the first marker, the best guess is x2 + 0.5; it is within 0.04 when |x1 − 0.5| ≤ 0.04.
    chance: 2 * tolerance,
    sample(r) {
      const x = mat(T, 2);
      for (let t = 0; t < T; t++) x.data[2 * t] = r.uniform();
      const half = Math.floor(T / 2);
      const i = r.int(half);
      const j = half + r.int(T - half);
      x.data[2 * i + 1] = 1;
      x.data[2 * j + 1] = 1;
      const ys: (number[] | null)[] = new Array(T).fill(null);
      ys[T - 1] = [x.data[2 * i] + x.data[2 * j]];
      return { xs: { x }, ys, keySteps: [T - 1] };
    },
  };
}

/**
 * The copy task (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016), with a fixed lag: S symbols from an alphabet
 * of A, then blanks, then a delimiter; from the delimiter on, the model must output the S symbols in order, each
 * exactly `lag` steps after it was shown. Tokens 0..A−1 are symbols, A the blank, A+1 the delimiter. T = S + lag.
 * Only the S recall steps are scored.
 */
export function copyTask(lag = 10, symbols = 1, alphabet = 4, noise = false): Task {
  intOption('copy task: symbols S', symbols, 1);
  intOption('copy task: alphabet A', alphabet, 2);
  intOption(`copy task: lag (must be ≥ S = ${symbols}, the delimiter comes after the symbols)`, lag, symbols);
  const S = symbols;
  const A = alphabet;
  const T = S + lag;
  return {
    name: 'copy',
    description: `copy task: remember ${S} symbol(s) of ${A} for ${lag} steps (T = ${T})`,
    inputSize: A + 2,
    outputSize: A,
    loss: 'softmax-ce',
    lag,
    steps: T,
    tolerance: 0,
    chance: 1 / A,
    sample(r) {
      const tokens = new Int32Array(T).fill(A);
      if (noise) for (let t = S; t < lag; t++) tokens[t] = r.int(A);
      const ys: (number | null)[] = new Array(T).fill(null);
      const keySteps: number[] = [];
      for (let i = 0; i < S; i++) {
        const s = r.int(A);
        tokens[i] = s;
        ys[i + lag] = s;
        keySteps.push(i + lag);
      }
      tokens[lag] = A + 1; // the delimiter: "start recalling now"
      return { xs: { tokens }, ys, keySteps };
    },
  };
}

// The Reber grammar (Reber 1967, as used by Fahlman and by Hochreiter & Schmidhuber 1997): from each state,
// two equally likely (symbol, next state) choices; state 6 ends with E.
const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'];
const REBER: readonly (readonly [string, number])[][] = [
  [
    ['T', 2],
    ['P', 3],
  ], // 1 (after B)
  [
    ['S', 2],
    ['X', 4],
  ], // 2
  [
    ['T', 3],
    ['V', 5],
  ], // 3
  [
    ['X', 3],
    ['S', 6],
  ], // 4
  [
    ['P', 4],
    ['V', 6],
  ], // 5
];

function reberString(r: Rng): string {
  let s = 'B';
  let state = 1;
  while (state !== 6) {
    const [sym, next] = REBER[state - 1][r.int(2)];
    s += sym;
    state = next;
  }
  return `${s}E`;
}

/**
 * The embedded Reber grammar: B, then T or P, then a Reber string, then the same T or P again, then E. Trained as
 * next-symbol prediction at every step; accuracy is measured where the second T/P must be predicted — it depends
 * only on the symbol at step 2, a whole Reber string earlier (lag 6 or more; the string length varies).
 */
export function reberTask(): Task {
  return {
    name: 'reber',
    description:
      'embedded Reber grammar: predict the next symbol; accuracy at the step that must recall the 2nd symbol',
    inputSize: 7,
    outputSize: 7,
    loss: 'softmax-ce',
    lag: 6,
    steps: 64,
    tolerance: 0,
    chance: 0.5,
    sample(r) {
      const c = r.int(2) === 0 ? 'T' : 'P';
      const s = `B${c}${reberString(r)}${c}E`;
      const tok = Array.from(s, (ch) => REBER_SYMBOLS.indexOf(ch));
      const tokens = Int32Array.from(tok.slice(0, -1));
      const ys = tok.slice(1);
      return { xs: { tokens }, ys, keySteps: [ys.length - 2] }; // target of step n−2 is the repeated T/P
    },
  };
}

export const REBER_ALPHABET: readonly string[] = REBER_SYMBOLS;

/**
 * Sine waves: x(t) = sin(ω t + φ) with ω uniform in [0.1, 0.6] and φ in [0, 2π) per sequence; predict x(t + 1).
 * The first `warmup` steps are not scored (the model needs a few values to tell the frequency). Correct within 0.05.
 */
export function sineTask(warmup = 5, length = 40): Task {
  intOption('sine task: length', length, 2);
  intOption(`sine task: warm-up (must be < length ${length})`, warmup, 0);
  if (warmup >= length) throw new BpttError(`sine task: warm-up ${warmup} must be < length ${length}`);
  const tolerance = 0.05;
  return {
    name: 'sine',
    description: `sine waves of random frequency: predict the next value (T = ${length}, scored after ${warmup} steps)`,
    inputSize: 1,
    outputSize: 1,
    loss: 'squared',
    lag: warmup,
    steps: length,
    tolerance,
    chance: 0, // no useful guess without the history
    sample(r) {
      const omega = 0.1 + 0.5 * r.uniform();
      const phi = 2 * Math.PI * r.uniform();
      const x = mat(length, 1);
      const ys: (number[] | null)[] = [];
      const keySteps: number[] = [];
      for (let t = 0; t < length; t++) {
        x.data[t] = Math.sin(omega * t + phi);
        const scored = t >= warmup;
        ys.push(scored ? [Math.sin(omega * (t + 1) + phi)] : null);
        if (scored) keySteps.push(t);
      }
      return { xs: { x }, ys, keySteps };
    },
  };
}

/** A task by name (the command line's --task). */
export function makeTask(name: string, o: TaskOptions = {}): Task {
  switch (name) {
    case 'adding':
      return addingTask(o.lag ?? 20);
    case 'copy':
      return copyTask(o.lag ?? 10, o.symbols ?? 1, o.alphabet ?? 4, o.noise ?? false);
    case 'reber':
      return reberTask();
    case 'sine':
      return sineTask(o.lag ?? 5, o.length ?? 40);
    default:
      throw new BpttError(`unknown task "${name}": expected one of ${TASKS.join(', ')}`);
  }
}

/** Is the prediction at step t right? argmax for softmax-ce; |o − y| ≤ tolerance for squared. */
export function isCorrect(
  loss: LossName,
  yhat: Mat,
  t: number,
  y: number | ArrayLike<number>,
  tolerance: number,
): boolean {
  const p = row(yhat, t);
  if (loss === 'softmax-ce') {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return best === y;
  }
  const v = y as ArrayLike<number>;
  for (let k = 0; k < p.length; k++) if (!(Math.abs(p[k] - v[k]) <= tolerance)) return false;
  return true;
}
