// Numbers for prose, LaTeX and small tables: fmt, latexMatrix, latexNumber, tables as HTML and as plain text, and
// the notebook calls that show them (showTable, showSteps, showMatrix).
import { emit } from './kernel-output';

/** Escapes text for HTML (a table's labels, a caption). */
export const escHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
/** The style of a table cell: right-aligned monospace numbers. */
export const CELL_STYLE = 'style="padding:2px 10px;text-align:right;font-family:monospace"';

/** A number with `digits` decimals, minus sign as in print, and −0 shown as 0. */
export function fmt(v: number, digits = 3): string {
  const s = v.toFixed(digits);
  return (/^-0\.?0*$/.test(s) ? s.slice(1) : s).replace('-', '−');
}

/** A matrix or vectors as a LaTeX bmatrix with `digits` decimals. */
export function latexMatrix(rows: readonly ArrayLike<number>[], digits = 3): string {
  const body = rows.map((r) => Array.from(r, (v) => fmt(v, digits).replace('−', '-')).join(' & ')).join(' \\\\ ');
  return `\\begin{bmatrix}${body}\\end{bmatrix}`;
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
  const cell = CELL_STYLE;
  const head = `<tr><th></th>${keys.map((k) => `<th ${cell}>${escHtml(k)}</th>`).join('')}</tr>`;
  const td = (k: string, i: number): string =>
    `<td ${cell}>${i < columns[k].length ? fmt(columns[k][i], digits) : ''}</td>`;
  const body = Array.from(
    { length: n },
    (_, i) =>
      `<tr><th ${cell}>${escHtml(o.rowLabels?.[i] ?? `[${i + 1}]`)}</th>${keys.map((k) => td(k, i)).join('')}</tr>`,
  ).join('');
  const caption = o.caption ? `<caption style="caption-side:top;text-align:left">${escHtml(o.caption)}</caption>` : '';
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
