// The chapters' small example, defined once: the four characters h, e, l, o (min-char-rnn's "hello"), their token
// indices, and a mathjs vector of some numbers, for comparing the engine with the reference equation by equation.
//
//   const { vocab, encode, vecOf } = bp.example;
//   const x = encode('hell'), y = encode('ello'); // token indices: x(t) is one-hot at x[t − 1]
import { math, type Vector } from '../model/reference';

/** The characters: token i is vocab[i]. */
export const vocab: string[] = ['h', 'e', 'l', 'o'];

/** The token indices of a string of those characters. */
export const encode = (s: string): number[] => Array.from(s, (ch) => vocab.indexOf(ch));

/** The numbers as a mathjs vector (what the reference's functions take). */
export const vecOf = (v: ArrayLike<number>): Vector => math.matrix(Array.from(v));
