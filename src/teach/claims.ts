// The notebooks' checked claims: expectClose (the agreement rule), expectTrue, expectFiniteDiff(s) (a formula against
// central differences) and claim (a sentence of the chapter, asserted). Each throws when its claim is false, so a
// stale sentence or a wrong formula fails the cell and CI; otherwise it shows one ✓ line.
import { compareNumeric } from '../check/nudge';
import { close } from '../model/agree';
import { emit } from './kernel-output';
import { CELL_STYLE, escHtml, fmt, tableHtml, tableText } from './tables';

/** Flattens a number, a typed array, nested arrays or a mathjs-like object with toArray() into a flat list. */
function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (
    v !== null &&
    typeof v === 'object' &&
    'toArray' in v &&
    typeof (v as { toArray: unknown }).toArray === 'function'
  ) {
    return flat((v as { toArray(): unknown }).toArray());
  }
  if (v !== null && typeof v === 'object' && 'data' in v && 'rows' in v) return flat((v as { data: unknown }).data);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.flatMap(flat);
  throw new Error(`cannot read numbers from ${String(v)} (expected numbers, arrays, a matrix or a mathjs value)`);
}

/**
 * The notebooks' assertion: every entry agrees, |a − b| ≤ tol · max(1, |a| + |b|) (the design notes' measure;
 * tol 1e-12 between the fast engine and the mathjs reference). Throws, so a failing claim fails the cell and CI;
 * otherwise shows one line with the largest difference.
 */
export function expectClose(label: string, got: unknown, want: unknown, tol = 1e-12): void {
  const a = flat(got);
  const b = flat(want);
  if (a.length !== b.length) throw new Error(`${label}: ${a.length} numbers vs ${b.length} expected`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!close(a[i], b[i], tol)) {
      throw new Error(`${label}: entry ${i} differs: ${a[i]} vs ${b[i]} (|diff| = ${d.toExponential(2)} > tol ${tol})`);
    }
    worst = Math.max(worst, d);
  }
  checkLine(`✓ ${label}: ${a.length} numbers agree (largest |difference| ${worst.toExponential(1)}, tolerance ${tol})`);
}

/** Throws unless `cond` holds; otherwise shows "✓ label". For claims that are not a comparison of numbers. */
export function expectTrue(label: string, cond: boolean): void {
  if (!cond) throw new Error(`claim failed: ${label}`);
  emit({
    'text/plain': `✓ ${label}`,
    'text/html':
      `<div class="bpttlab-check" style="color:#1a7f37;font-family:monospace">✓ ` +
      `${label.replace(/</g, '&lt;')}</div>`,
  });
}

export interface FiniteDiffOptions {
  /** Pass when ‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12) ≤ tol. Default 1e-7 (the design notes' finite-difference measure). */
  tol?: number;
  /** Show the two vectors side by side before the ✓ line. Default true. */
  show?: boolean;
  /** Column names of that table. Default ['formula', 'central differences']. */
  names?: [string, string];
}

const relText = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

function checkLine(msg: string): void {
  emit({
    'text/plain': msg,
    'text/html': `<div class="bpttlab-check" style="color:#1a7f37;font-family:monospace">${escHtml(msg)}</div>`,
  });
}

/**
 * A formula's values against central differences of the loss (bpttlab's nudge.ts / numericParamGrad): shows the two
 * vectors side by side and one ✓ line with the norm-wise relative error; throws when it is above tol, so a wrong
 * formula fails the cell. The differences know nothing about the formula: that is what makes this a check.
 */
export function expectFiniteDiff(label: string, analytic: unknown, numeric: unknown, o: FiniteDiffOptions = {}): void {
  const a = flat(analytic);
  const n = flat(numeric);
  const c = compareNumeric(a, n, o.tol ?? 1e-7);
  if (o.show ?? true) {
    const [fa, fn] = o.names ?? ['formula', 'central differences'];
    emit({
      'text/html': tableHtml({ [fa]: a, [fn]: n }, { digits: 6 }),
      'text/plain': tableText({ [fa]: a, [fn]: n }, { digits: 6 }),
    });
  }
  const measure = `‖a − n‖/(‖a‖ + ‖n‖) = ${relText(c.relError)}`;
  if (!c.pass)
    throw new Error(
      `${label}: the formula and central differences disagree: ${measure} > ${c.tol} (‖a‖ = ${c.analyticNorm}, ‖n‖ ` +
        `= ${c.numericNorm})`,
    );
  checkLine(`✓ ${label}: ${measure} ≤ ${c.tol}`);
}

/** One row of expectFiniteDiffs. */
export interface FiniteDiffRow {
  label: string;
  analytic: unknown;
  numeric: unknown;
}

/**
 * Many formula-vs-differences comparisons as one table (quantity, ‖formula‖, ‖differences‖, relative error) and one
 * ✓ line; throws naming every row above tol.
 */
export function expectFiniteDiffs(caption: string, rows: readonly FiniteDiffRow[], tol = 1e-7): void {
  const results = rows.map((r) => ({ label: r.label, ...compareNumeric(flat(r.analytic), flat(r.numeric), tol) }));
  const [esc, td] = [escHtml, CELL_STYLE];
  const html =
    `<table class="bpttlab-table" style="border-collapse:collapse;margin:4px 0"><caption ` +
    `style="caption-side:top;text-align:left">${esc(caption)}</caption>` +
    `<tr><th></th><th ${td}>‖formula‖</th><th ${td}>‖differences‖</th><th ${td}>‖a − n‖/(‖a‖ + ‖n‖)</th></tr>` +
    results
      .map(
        (r) =>
          `<tr><th ${td}>${esc(r.label)}</th><td ${td}>${fmt(r.analyticNorm, 6)}</td><td ` +
          `${td}>${fmt(r.numericNorm, 6)}</td><td ${td}>${relText(r.relError)}</td></tr>`,
      )
      .join('') +
    '</table>';
  const w = Math.max(0, ...results.map((r) => r.label.length));
  const text = [
    caption,
    ...results.map(
      (r) => `${r.label.padEnd(w)}  ${fmt(r.analyticNorm, 6)}  ${fmt(r.numericNorm, 6)}  ${relText(r.relError)}`,
    ),
  ].join('\n');
  emit({ 'text/html': html, 'text/plain': text });
  const bad = results.filter((r) => !r.pass);
  if (bad.length > 0)
    throw new Error(
      `${caption}: ${bad.map((r) => `${r.label} (${relText(r.relError)})`).join(', ')} disagree with central ` +
        `differences (tol ${tol})`,
    );
  const worst = results.reduce((m, r) => Math.max(m, r.relError), 0);
  checkLine(`✓ ${caption}: all ${results.length} agree, largest ‖a − n‖/(‖a‖ + ‖n‖) = ${relText(worst)} ≤ ${tol}`);
}

/**
 * A sentence of the chapter that states a number or a behaviour, rendered from the computed values and asserted:
 * `holds` must be the test of exactly what `text` says. Shown as prose (markdown, maths typeset) with a ✓; when
 * `holds` is false the cell fails with the sentence, so a claim can never silently go stale.
 *
 *   bp.claim(`After ${lag} steps the norm is $${bp.latexNumber(n)}$, below the bound.`, n < bound);
 */
export function claim(text: string, holds: boolean): void {
  if (holds !== true) throw new Error(`claim failed: ${text}`);
  const mark = '<span class="bpttlab-claim" title="asserted when this cell ran" style="color:#1a7f37">✓</span>';
  emit({ 'text/markdown': `${text} ${mark}`, 'text/plain': `✓ ${text}` });
}
