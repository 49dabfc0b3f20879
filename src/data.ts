// Data for training: a character corpus read from a file (data/genesis.txt ships with the lab), and seeded
// synthetic tasks whose answer depends on inputs many steps back, scored only at the steps that matter
// (the engine skips steps whose target is null). Sources and licences: data/README.md.
import { readBytes } from './files';
import { MAX_VOCAB } from './limits';
import * as path from 'node:path';
import { LossName, TargetInput } from './losses';
import { InputSpec } from './rnn';
import { BpttError, Mat, Rng, mat, row } from './tensor';

/** The corpus that ships with the lab: Genesis from the King James Version (public domain), one verse per line. */
export const DEFAULT_CORPUS = path.join(__dirname, '..', 'data', 'genesis.txt');

// --- characters ---

/** The characters a model knows: token i is chars[i]. Characters are Unicode code points, not UTF-16 units. */
export interface Vocab {
  readonly chars: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly size: number;
}

/** A vocabulary from a list of distinct single characters (as a checkpoint stores it). */
export function vocabFromChars(chars: readonly string[]): Vocab {
  if (chars.length > MAX_VOCAB) throw new BpttError(`a vocabulary of ${chars.length} characters is more than a character model here handles (${MAX_VOCAB}): D = K = ${chars.length} would make U and V ${chars.length} wide`);
  const index = new Map<string, number>();
  chars.forEach((c, i) => {
    if (typeof c !== 'string' || Array.from(c).length !== 1) throw new BpttError(`vocabulary entry ${i} must be a single character, got ${JSON.stringify(c)}`);
    if (index.has(c)) throw new BpttError(`vocabulary has ${showChar(c)} twice (entries ${index.get(c)} and ${i})`);
    index.set(c, i);
  });
  if (chars.length === 0) throw new BpttError('the vocabulary is empty');
  return { chars: [...chars], index, size: chars.length };
}

/** Every distinct character of the text, sorted by code point (so the same text always gives the same tokens). */
export function buildVocab(text: string, source = 'the text'): Vocab {
  const set = new Set(Array.from(text));
  if (set.size > MAX_VOCAB) throw new BpttError(`${source} has ${set.size} distinct characters, more than a character model here handles (${MAX_VOCAB}): D = K = ${set.size} would make U and V ${set.size} wide; is it text?`);
  return vocabFromChars([...set].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number)));
}

/** "e", "\n", "é (U+00E9)": how an error message names a character. */
export function showChar(c: string): string {
  const cp = (c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `${JSON.stringify(c)} (U+${cp})`;
}

/** Text → token indices. An unknown character is an error naming it and its line, column and offset. */
export function encode(text: string, vocab: Vocab, source = 'the text'): Int32Array {
  const chars = Array.from(text);
  const out = new Int32Array(chars.length);
  let line = 1;
  let col = 1;
  for (let i = 0; i < chars.length; i++) {
    const j = vocab.index.get(chars[i]);
    if (j === undefined) {
      throw new BpttError(`unknown character ${showChar(chars[i])} at line ${line}, column ${col} (offset ${i}, counting from 0) of ${source}: not among the model's ${vocab.size} characters`);
    }
    out[i] = j;
    if (chars[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return out;
}

/** Token indices → text. */
export function decode(tokens: ArrayLike<number>, vocab: Vocab): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const c = vocab.chars[tokens[i]];
    if (c === undefined) throw new BpttError(`token ${tokens[i]} at position ${i} is not in the vocabulary (0..${vocab.size - 1})`);
    s += c;
  }
  return s;
}

/** Reads a UTF-8 text file; missing, unreadable, empty or non-UTF-8 files are errors that say which. */
export function readText(file: string): string {
  const buf = readBytes(file, 'text file');
  if (buf.length === 0) throw new BpttError(`text file ${file} is empty: a character model needs at least 2 characters`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new BpttError(`text file ${file} is not valid UTF-8`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not part of the text
  if (Array.from(text).length < 2) throw new BpttError(`text file ${file} has ${Array.from(text).length} character(s): a character model needs at least 2 (an input and the next one)`);
  return text;
}

export interface Corpus {
  readonly source: string;
  readonly text: string;
  readonly vocab: Vocab;
  readonly tokens: Int32Array; // the whole text
  readonly train: Int32Array; // the first (1 − validFraction) of it
  readonly valid: Int32Array; // the rest, held out to measure the loss on text the model never trained on
}

export interface CorpusOptions {
  /** Use this vocabulary (e.g. a checkpoint's) instead of the text's own; unknown characters are then errors. */
  vocab?: Vocab;
  /** Fraction held out at the end for validation. Default 0.1; 0 keeps everything for training. */
  validFraction?: number;
}

/** Reads and encodes a text file (default: the shipped corpus). */
export function loadCorpus(file: string = DEFAULT_CORPUS, o: CorpusOptions = {}): Corpus {
  return corpusFromText(readText(file), file, o);
}

export function corpusFromText(text: string, source = 'text', o: CorpusOptions = {}): Corpus {
  const f = o.validFraction ?? 0.1;
  if (typeof f !== 'number' || !(f >= 0 && f < 1)) throw new BpttError(`validFraction must be in [0, 1), got ${String(f)}`);
  const vocab = o.vocab ?? buildVocab(text, source);
  const tokens = encode(text, vocab, source);
  if (tokens.length < 2) throw new BpttError(`${source} has ${tokens.length} character(s): a character model needs at least 2`);
  const cut = Math.max(2, Math.round(tokens.length * (1 - f)));
  return { source, text, vocab, tokens, train: tokens.subarray(0, cut), valid: tokens.subarray(cut) };
}

// --- synthetic long-range tasks ---

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
  /** How far back the answer lies: for adding and copy the steps between the first needed input and the scored output. */
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
  /** adding: sequence length T (default 20); copy: steps between a symbol and its recall (default 10); sine: steps of warm-up before scoring (default 5). */
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
  [['T', 2], ['P', 3]], // 1 (after B)
  [['S', 2], ['X', 4]], // 2
  [['T', 3], ['V', 5]], // 3
  [['X', 3], ['S', 6]], // 4
  [['P', 4], ['V', 6]], // 5
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
    description: 'embedded Reber grammar: predict the next symbol; accuracy at the step that must recall the 2nd symbol',
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
export function isCorrect(loss: LossName, yhat: Mat, t: number, y: number | ArrayLike<number>, tolerance: number): boolean {
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
