// Why over 300 lines: the only file that touches tslab: every notebook output (tables, matrices, figures, checked
// claims) goes through it.
//
// The one display helper: turns figures (plots.ts), SVG and small tables into tslab display outputs.
// This is the only file that touches tslab, and it requires it lazily inside the functions that display, so
// everything else in src/ (and even this file's pure HTML builders) runs in plain Node.
//
// Plotly runs offline: `setupPlots()` (the explicit first code cell of every notebook) embeds the cartesian bundle
// from node_modules in a <script>, on every run, so a reloaded page that re-runs its cells gets plotly again (no
// kernel-side "already embedded" flag). Each figure is an HTML output (classic Notebook ignores the plotly mime type)
// whose script waits for window.Plotly; the same bundle also carries application/vnd.plotly.v1+json, which
// VS Code / JupyterLab render with their own plotly. scripts/book.mjs swaps the embedded bundle for one shared
// plotly file in site/. Plotly 3's bundle defines no AMD module, and the bundle is wrapped so it could not see
// require.js's `define` anyway.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { compareNumeric } from '../check/nudge';
import { close } from '../model/agree';
import type { Figure } from './figure';

/** Marker attribute of the embedded plotly bundle (scripts/book.mjs replaces that script by a shared file). */
export const PLOTLY_BUNDLE_MARK = 'data-bpttlab="plotly-bundle"';
/** Class of every figure's div (the book's manifest and the browser test count them). */
export const PLOT_CLASS = 'bpttlab-plot';

type Bundle = Record<string, unknown>;
type Writer = (msg: { data: Bundle; metadata: Bundle; transient: { display_id?: string } }, update: boolean) => void;

/** The kernel's display-data writer, or null outside a tslab kernel. */
function kernelWriter(): Writer | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: Writer | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** Sends one display output with several mime types; `id` + `update` overwrite an earlier output (live plots). */
function emit(data: Bundle, id?: string, update = false): void {
  const write = kernelWriter();
  if (write === null) {
    // Plain Node (a script, a test): say what would have been shown.
    console.log(String(data['text/plain'] ?? '[display output]'));
    return;
  }
  write({ data, metadata: {}, transient: id === undefined ? {} : { display_id: id } }, update);
}

const newId = (): string => `bp-${randomBytes(6).toString('hex')}`;
/** JSON that is safe inside a <script>: no "</script>", no "<!--". */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** The plotly.js cartesian bundle's source (from node_modules/plotly.js-cartesian-dist-min). */
export function plotlySource(): string {
  const file = require.resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js');
  return fs.readFileSync(file, 'utf8');
}

/** The HTML that loads plotly offline: the whole bundle inline, wrapped away from require.js. */
export function plotlyBundleHtml(): string {
  const src = plotlySource();
  const version = /plotly\.js \(cartesian - minified\) v([\d.]+)/.exec(src)?.[1] ?? '?';
  return (
    `<script type="text/javascript" ${PLOTLY_BUNDLE_MARK}>(function (define, module, exports) ` +
    `{\n${src}\n}).call(window);</script>` +
    `<div class="bpttlab-plotly-ready" style="font-size:12px;color:#555">plotly.js ${version} (cartesian) loaded ` +
    `from the lab, offline.</div>`
  );
}

/** Embeds plotly (run it in the first code cell of a notebook, on every run). */
export function setupPlots(): void {
  emit({ 'text/html': plotlyBundleHtml(), 'text/plain': 'plotly.js loaded (offline)' });
}

/** A figure as HTML: a div and a script that draws it once window.Plotly exists. */
export function figureHtml(fig: Figure, id: string = newId()): string {
  const height = typeof fig.layout.height === 'number' ? fig.layout.height : 360;
  return (
    `<div class="${PLOT_CLASS}" id="${id}" style="width:100%;max-width:960px;height:${height}px"></div>` +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${scriptJson(fig)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(${scriptJson(id)});\n` +
    `    if (!el) return;\n` +
    `    if (!window.Plotly) {\n` +
    `      if (++tries < 200) return setTimeout(draw, 50);\n` +
    `      el.textContent = 'plotly.js is not loaded: run the notebook from its first cell (bp.setupPlots()).';\n` +
    `      return;\n` +
    `    }\n` +
    `    window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false }).then(function () ` +
    `{\n` +
    `      if (fig.frames) return window.Plotly.addFrames(el, fig.frames);\n` +
    `    });\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`
  );
}

function titleOf(fig: Figure): string {
  const t = fig.layout.title as { text?: string } | string | undefined;
  const s = typeof t === 'string' ? t : (t?.text ?? 'figure');
  return s.replace(/<[^>]+>/g, '');
}

function figureBundle(fig: Figure, id?: string): Bundle {
  return {
    'text/html': figureHtml(fig, id),
    'application/vnd.plotly.v1+json': {
      data: fig.data,
      layout: fig.layout,
      ...(fig.frames ? { frames: fig.frames } : {}),
    },
    'text/plain': `[plot: ${titleOf(fig)}]`,
  };
}

/** Shows a figure in the notebook. */
export function show(fig: Figure): void {
  emit(figureBundle(fig));
}

export interface LiveFigure {
  /** Replaces the figure shown so far (call it every few iterations: each call redraws). */
  update(fig: Figure): void;
}

/** A figure that later calls overwrite in place (tslab's newDisplay mechanism): live loss curves. */
export function liveFigure(): LiveFigure {
  const displayId = newId();
  let shown = false;
  return {
    update(fig: Figure): void {
      emit(figureBundle(fig), displayId, shown);
      shown = true;
    },
  };
}

/** Shows an SVG drawing (e.g. plots.unrolledGraphSvg). */
export function showSvg(svg: string): void {
  emit({ 'text/html': `<div class="bpttlab-svg">${svg}</div>`, 'image/svg+xml': svg, 'text/plain': '[SVG drawing]' });
}

/** Shows markdown (maths typeset by MathJax in the notebook and in the book): e.g. handMarkdown(...) of chapter 9. */
export function showMarkdown(md: string, text = md): void {
  emit({ 'text/markdown': md, 'text/plain': text });
}

/** A number with `digits` decimals, minus sign as in print, and −0 shown as 0. */
export function fmt(v: number, digits = 3): string {
  const s = v.toFixed(digits);
  return (/^-0\.?0*$/.test(s) ? s.slice(1) : s).replace('-', '−');
}

/** A matrix or vectors as a LaTeX bmatrix with `digits` decimals. */
export function latexMatrix(rows: readonly ArrayLike<number>[], digits = 3): string {
  return `\\begin{bmatrix}${rows.map((r) => Array.from(r, (v) => fmt(v, digits).replace('−', '-')).join(' & ')).join(' \\\\ ')}\\end{bmatrix}`;
}

export interface TableOptions {
  digits?: number;
  /** Row labels (e.g. "unit 1"). */
  rowLabels?: string[];
  caption?: string;
}

/**
 * A small HTML table of columns: `{ 'h(1)': vec, 'h(2)': vec }` → one column per key, one row per entry.
 * Numbers with 3 decimals by default. Pure: no tslab.
 */
export function tableHtml(columns: Record<string, ArrayLike<number>>, o: TableOptions = {}): string {
  const keys = Object.keys(columns);
  const n = Math.max(0, ...keys.map((k) => columns[k].length));
  const digits = o.digits ?? 3;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const cell = 'style="padding:2px 10px;text-align:right;font-family:monospace"';
  const head = `<tr><th></th>${keys.map((k) => `<th ${cell}>${esc(k)}</th>`).join('')}</tr>`;
  const body = Array.from(
    { length: n },
    (_, i) =>
      `<tr><th ${cell}>${esc(o.rowLabels?.[i] ?? `[${i + 1}]`)}</th>${keys.map((k) => `<td ${cell}>${i < columns[k].length ? fmt(columns[k][i], digits) : ''}</td>`).join('')}</tr>`,
  ).join('');
  const caption = o.caption ? `<caption style="caption-side:top;text-align:left">${esc(o.caption)}</caption>` : '';
  return `<table class="bpttlab-table" style="border-collapse:collapse;margin:4px 0">${caption}${head}${body}</table>`;
}

/** Plain-text version of the same table (what a terminal or text/plain shows). */
export function tableText(columns: Record<string, ArrayLike<number>>, o: TableOptions = {}): string {
  const keys = Object.keys(columns);
  const n = Math.max(0, ...keys.map((k) => columns[k].length));
  const digits = o.digits ?? 3;
  const labels = Array.from({ length: n }, (_, i) => o.rowLabels?.[i] ?? `[${i + 1}]`);
  const lw = Math.max(0, ...labels.map((l) => l.length));
  const widths = keys.map((k) => Math.max(k.length, ...Array.from(columns[k], (v) => fmt(v, digits).length)));
  const line = (label: string, cells: string[]): string =>
    `${label.padEnd(lw)}  ${cells.map((c, j) => c.padStart(widths[j])).join('  ')}`;
  return [
    line('', keys),
    ...labels.map((l, i) =>
      line(
        l,
        keys.map((k) => (i < columns[k].length ? fmt(columns[k][i], digits) : '')),
      ),
    ),
  ].join('\n');
}

/** Shows columns of numbers as a small table (3 decimals). */
export function showTable(columns: Record<string, ArrayLike<number>>, o: TableOptions = {}): void {
  emit({ 'text/html': tableHtml(columns, o), 'text/plain': tableText(columns, o) });
}

/** Shows the rows of a per-step matrix (step t in row t − 1) as columns `name(1)`, `name(2)`, ... */
export function showSteps(
  name: string,
  m: { rows: number; cols: number; data: Float64Array },
  o: TableOptions = {},
): void {
  const cols: Record<string, Float64Array> = {};
  for (let t = 1; t <= m.rows; t++) cols[`${name}(${t})`] = m.data.subarray((t - 1) * m.cols, t * m.cols);
  showTable(cols, o);
}

/** Shows a matrix with row and column indices. */
export function showMatrix(
  name: string,
  m: { rows: number; cols: number; data: Float64Array },
  o: TableOptions = {},
): void {
  const cols: Record<string, Float64Array> = {};
  for (let j = 0; j < m.cols; j++) {
    const c = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) c[i] = m.data[i * m.cols + j];
    cols[`${name}[·,${j + 1}]`] = c;
  }
  showTable(cols, { rowLabels: Array.from({ length: m.rows }, (_, i) => `${name}[${i + 1},·]`), ...o });
}

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
    'text/html':
      `<div class="bpttlab-check" ` +
      `style="color:#1a7f37;font-family:monospace">${msg.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</div>`,
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
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const td = 'style="padding:2px 10px;text-align:right;font-family:monospace"';
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
      `${caption}: ${bad.map((r) => `${r.label} (${relText(r.relError)})`).join(', ')} disagree with central differences (tol ${tol})`,
    );
  const worst = results.reduce((m, r) => Math.max(m, r.relError), 0);
  checkLine(`✓ ${caption}: all ${results.length} agree, largest ‖a − n‖/(‖a‖ + ‖n‖) = ${relText(worst)} ≤ ${tol}`);
}

/**
 * A number for prose or LaTeX: `digits` significant digits, written a·10^{e} (LaTeX) when it is very small or
 * large, so a sentence can quote a measured value ("about $5.1 \cdot 10^{-21}$") instead of a typed-in one.
 */
export function latexNumber(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '\\text{NaN}' : v > 0 ? '\\infty' : '-\\infty';
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= -3 && e < 5) return Number(v.toPrecision(digits)).toString();
  const m = Number((v / 10 ** e).toPrecision(digits));
  // toPrecision can round 9.99 up to 10: renormalise.
  const [mm, ee] = Math.abs(m) >= 10 ? [m / 10, e + 1] : [m, e];
  return `${mm === 1 ? '' : `${mm} \\cdot `}10^{${ee}}`;
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
