// Parsers for numeric command-line options, shared by every `bpttlab` command: a bad value becomes commander's
// "option '--x <n>' argument 'y' is invalid. expected …", which the CLI prints as one line and exits 2.
import { InvalidArgumentError } from 'commander';

function parse(v: string, ok: (n: number) => boolean, expected: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`expected ${expected}`);
  return n;
}

// Integers must be exact: past 2^53 a double skips integers (1e20 + 1 === 1e20), so a count there is not a count.
const int = (n: number): boolean => Number.isSafeInteger(n);

export const positiveInt = (v: string): number =>
  parse(v, (n) => int(n) && n >= 1, 'an integer ≥ 1 (at most 2^53 − 1)');
export const nonNegativeInt = (v: string): number =>
  parse(v, (n) => int(n) && n >= 0, 'an integer ≥ 0 (at most 2^53 − 1)');
export const integer = (v: string): number => parse(v, int, 'an integer');
export const positiveNumber = (v: string): number => parse(v, (n) => n > 0, 'a positive number');
export const nonNegativeNumber = (v: string): number => parse(v, (n) => n >= 0, 'a number ≥ 0');

/** The largest seed: the generators keep 32 bits, so 2^32 would silently be the same run as 0. */
export const MAX_SEED = 2 ** 32 - 1;
/** A seed, the same rule for every command: an integer in 0..2^32 − 1. */
export const seed = (v: string): number =>
  parse(v, (n) => int(n) && n >= 0 && n <= MAX_SEED, `an integer in 0..${MAX_SEED} (the generators keep 32 bits)`);

/** A comma-separated list whose every item is one of `known`. */
export function listOf(known: readonly string[]): (v: string) => string[] {
  return (v: string) => {
    const items = v.split(',').map((s) => s.trim());
    const bad = items.filter((s) => !known.includes(s));
    if (items.length === 0 || bad.length > 0) {
      const what = bad.length > 0 ? `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}` : 'an empty list';
      throw new InvalidArgumentError(`${what}; expected a comma-separated list of ${known.join(', ')}`);
    }
    return [...new Set(items)];
  };
}
