// Parsers for numeric command-line options, shared by every `bpttlab` command: a bad value becomes commander's
// "option '--x <n>' argument 'y' is invalid. expected …", which the CLI prints as one line and exits 2.
import { InvalidArgumentError } from 'commander';

function parse(v: string, ok: (n: number) => boolean, expected: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`expected ${expected}`);
  return n;
}

export const positiveInt = (v: string): number => parse(v, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
export const nonNegativeInt = (v: string): number => parse(v, (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
export const integer = (v: string): number => parse(v, Number.isInteger, 'an integer');
export const positiveNumber = (v: string): number => parse(v, (n) => n > 0, 'a positive number');
export const nonNegativeNumber = (v: string): number => parse(v, (n) => n >= 0, 'a number ≥ 0');
