// Text for training a character model: the vocabulary, encoding and decoding, and a corpus read from a file
// (data/genesis.txt ships with the lab) split into training and held-out text. Sources and licences: data/README.md.

import * as path from 'node:path';
import { readBytes } from '../io/files';
import { MAX_VOCAB } from '../io/limits';
import { BpttError } from '../model/errors';

/** The corpus that ships with the lab: Genesis from the King James Version (public domain), one verse per line. */
export const DEFAULT_CORPUS = path.join(__dirname, '..', '..', 'data', 'genesis.txt');

/** The characters a model knows: token i is chars[i]. Characters are Unicode code points, not UTF-16 units. */
export interface Vocab {
  readonly chars: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly size: number;
}

/** A vocabulary from a list of distinct single characters (as a checkpoint stores it). */
export function vocabFromChars(chars: readonly string[]): Vocab {
  if (chars.length > MAX_VOCAB)
    throw new BpttError(
      `a vocabulary of ${chars.length} characters is more than a character model here handles (${MAX_VOCAB}): D = K ` +
        `= ${chars.length} would make U and V ${chars.length} wide`,
    );
  const index = new Map<string, number>();
  chars.forEach((c, i) => {
    if (typeof c !== 'string' || Array.from(c).length !== 1)
      throw new BpttError(`vocabulary entry ${i} must be a single character, got ${JSON.stringify(c)}`);
    if (index.has(c)) throw new BpttError(`vocabulary has ${showChar(c)} twice (entries ${index.get(c)} and ${i})`);
    index.set(c, i);
  });
  if (chars.length === 0) throw new BpttError('the vocabulary is empty');
  return { chars: [...chars], index, size: chars.length };
}

/** Every distinct character of the text, sorted by code point (so the same text always gives the same tokens). */
export function buildVocab(text: string, source = 'the text'): Vocab {
  const set = new Set(Array.from(text));
  if (set.size > MAX_VOCAB)
    throw new BpttError(
      `${source} has ${set.size} distinct characters, more than a character model here handles (${MAX_VOCAB}): D = ` +
        `K = ${set.size} would make U and V ${set.size} wide; is it text?`,
    );
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
      throw new BpttError(
        `unknown character ${showChar(chars[i])} at line ${line}, column ${col} (offset ${i}, counting from 0) of ` +
          `${source}: not among the model's ${vocab.size} characters`,
      );
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
    if (c === undefined)
      throw new BpttError(`token ${tokens[i]} at position ${i} is not in the vocabulary (0..${vocab.size - 1})`);
    s += c;
  }
  return s;
}

/** Reads a UTF-8 text file; missing, unreadable, empty or non-UTF-8 files are errors that say which. */
export function readText(file: string): string {
  const buf = readBytes(file, 'text file');
  if (buf.length === 0)
    throw new BpttError(`text file ${file} is empty: a character model needs at least 2 characters`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new BpttError(`text file ${file} is not valid UTF-8`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not part of the text
  if (Array.from(text).length < 2)
    throw new BpttError(
      `text file ${file} has ${Array.from(text).length} character(s): a character model needs at least 2 (an input ` +
        `and the next one)`,
    );
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
  if (typeof f !== 'number' || !(f >= 0 && f < 1))
    throw new BpttError(`validFraction must be in [0, 1), got ${String(f)}`);
  const vocab = o.vocab ?? buildVocab(text, source);
  const tokens = encode(text, vocab, source);
  if (tokens.length < 2)
    throw new BpttError(`${source} has ${tokens.length} character(s): a character model needs at least 2`);
  const cut = Math.max(2, Math.round(tokens.length * (1 - f)));
  return { source, text, vocab, tokens, train: tokens.subarray(0, cut), valid: tokens.subarray(cut) };
}
