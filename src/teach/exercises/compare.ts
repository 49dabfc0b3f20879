// Comparing a student's answer with the correct one (and with each mistake model's), and saying where a wrong answer
// is wrong: which returned quantities agree, or the first wrong step as the recursion runs from τ down.

import { close as agreeTo } from '../../model/agree';
import type { Exercise } from './answers/exercise';
import type { Entry } from './types';
import type { Norm } from './values';

/** Per-entry agreement: |a − b| ≤ tol · max(1, |a| + |b|); NaN agrees with NaN (a mistake model may overflow too). */
export const TOL = 1e-9;
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return agreeTo(a, b, TOL);
}

export function sameShape(a: Norm, b: Norm): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'num') return true;
  if (a.kind === 'vec') return a.v.length === (b.v as number[]).length;
  if (a.kind === 'mat') {
    const bv = b.v as number[][];
    return a.v.length === bv.length && a.v[0].length === bv[0].length;
  }
  const bv = b.v as Record<string, Norm>;
  const ka = Object.keys(a.v).sort();
  const kb = Object.keys(bv).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameShape(a.v[k], bv[k]));
}

/**
 * The first entry where `got` differs from `want` (same shapes assumed): in reading order, except for per-step
 * results, which are read as the recursion computes them, from t = τ down (a wrong step spoils every earlier one).
 */
export function firstDiff(want: Norm, got: Norm, stepRows: boolean, prefix = ''): Entry | null {
  const entry = (where: string, e: number, g: number): Entry | null =>
    close(e, g) ? null : { where, expected: e, got: g };
  switch (want.kind) {
    case 'num':
      return entry(prefix || 'the value', want.v, got.v as number);
    case 'vec': {
      const g = got.v as number[];
      for (let i = 0; i < want.v.length; i++) {
        const d = entry(`${prefix}[${i}]`, want.v[i], g[i]);
        if (d) return d;
      }
      return null;
    }
    case 'mat': {
      const g = got.v as number[][];
      const rows = [...want.v.keys()];
      if (stepRows && !prefix) rows.reverse();
      for (const i of rows) {
        for (let j = 0; j < want.v[i].length; j++) {
          const where = stepRows && !prefix ? `t = ${i + 1}, entry ${j} (row ${i})` : `${prefix}[${i}][${j}]`;
          const d = entry(where, want.v[i][j], g[i][j]);
          if (d) return d;
        }
      }
      return null;
    }
    case 'rec': {
      const g = got.v as Record<string, Norm>;
      for (const k of Object.keys(want.v)) {
        const d = firstDiff(want.v[k], g[k], stepRows, k);
        if (d) return d;
      }
      return null;
    }
  }
}

export function agrees(a: Norm, b: Norm): boolean {
  return sameShape(a, b) && firstDiff(a, b, false) === null;
}

export function firstNonFiniteEntry(n: Norm, prefix = ''): string | null {
  switch (n.kind) {
    case 'num':
      return Number.isFinite(n.v) ? null : prefix || 'the value';
    case 'vec': {
      const i = n.v.findIndex((x) => !Number.isFinite(x));
      return i < 0 ? null : `${prefix}[${i}]`;
    }
    case 'mat':
      for (let i = 0; i < n.v.length; i++) {
        const j = n.v[i].findIndex((x) => !Number.isFinite(x));
        if (j >= 0) return `${prefix}[${i}][${j}]`;
      }
      return null;
    case 'rec':
      for (const k of Object.keys(n.v)) {
        const w = firstNonFiniteEntry(n.v[k], k);
        if (w) return w;
      }
      return null;
  }
}

// --- where a wrong answer is wrong ---

/** "a", "a and b", "a, b and c". */
export function listing(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Which parts of a same-shaped wrong answer agree and which do not, as one sentence. */
export function locate(ex: Exercise, want: Norm, got: Norm): string | undefined {
  const name = ex.output ?? 'the result';
  if (want.kind === 'rec') {
    const g = got.v as Record<string, Norm>;
    const keys = Object.keys(want.v);
    const ok = keys.filter((k) => agrees(want.v[k], g[k]));
    const bad = keys.filter((k) => !ok.includes(k));
    if (ok.length === 0) return `None of ${listing(keys)} agrees.`;
    return `${listing(ok)} ${ok.length === 1 ? 'agrees' : 'agree'}; ${listing(bad)} ${bad.length === 1 ? 'does' : 'do'} not.`;
  }
  if (want.kind === 'mat' && ex.stepRows) {
    const T = want.v.length;
    const g = got.v as number[][];
    const rowOk = (i: number): boolean => want.v[i].every((e, j) => close(e, g[i][j]));
    let i = T - 1;
    while (i >= 0 && rowOk(i)) i--;
    if (i < 0) return undefined;
    const row = ex.rowName ?? 'row t';
    const wrong = want.v.filter((_, r) => !rowOk(r)).length;
    const count = `${wrong} of the τ = ${T} steps ${wrong === 1 ? 'is' : 'are'} wrong`;
    if (i === T - 1) return `${row} is already wrong at t = τ = ${T}, where the recursion starts (eq 10.19); ${count}.`;
    const agreed = T - 1 - i === 1 ? `at t = τ = ${T}` : `for t = τ = ${T} down to t = ${i + 2}`;
    return (
      `${row} agrees ${agreed}; counting down from τ as the recursion runs, the first wrong step is t = ` +
      `${i + 1} (${count}).`
    );
  }
  if (want.kind === 'mat') {
    const g = got.v as number[][];
    const R = want.v.length;
    const C = want.v[0].length;
    const bad = (i: number, j: number): boolean => !close(want.v[i][j], g[i][j]);
    const badRows = [...Array(R).keys()].filter((i) => [...Array(C).keys()].some((j) => bad(i, j)));
    const badCols = [...Array(C).keys()].filter((j) => [...Array(R).keys()].some((i) => bad(i, j)));
    const n = want.v.flat().filter((_, k) => bad(Math.floor(k / C), k % C)).length;
    const which = (word: string, all: number, xs: number[]): string => {
      const ok = [...Array(all).keys()].filter((k) => !xs.includes(k));
      return (
        `${capital(word)}${ok.length === 1 ? '' : 's'} ${listing(ok.map(String))} of ${name} ` +
        `${ok.length === 1 ? 'agrees' : 'agree'}; ${word}${xs.length === 1 ? '' : 's'} ${listing(xs.map(String))} ` +
        `${xs.length === 1 ? 'does' : 'do'} not`
      );
    };
    if (badRows.length < R) return `${which('row', R, badRows)} (${n} of ${R * C} entries are wrong).`;
    if (badCols.length < C) return `${which('column', C, badCols)} (${n} of ${R * C} entries are wrong).`;
    return n === R * C
      ? `All ${R * C} entries of ${name} are wrong.`
      : `${n} of the ${R * C} entries of ${name} are wrong, in every row and every column.`;
  }
  if (want.kind === 'vec') {
    const g = got.v as number[];
    const bad = want.v.map((e, i) => !close(e, g[i]));
    const ok = [...bad.keys()].filter((i) => !bad[i]);
    const no = [...bad.keys()].filter((i) => bad[i]);
    if (ok.length === 0) return `All ${want.v.length} entries of ${name} are wrong.`;
    return (
      `${ok.length === 1 ? 'Entry' : 'Entries'} ${listing(ok.map(String))} of ${name} ` +
      `${ok.length === 1 ? 'agrees' : 'agree'}; ${no.length === 1 ? 'entry' : 'entries'} ${listing(no.map(String))} ` +
      `${no.length === 1 ? 'does' : 'do'} not.`
    );
  }
  return undefined;
}
