// The display helper notebooks call: shows figures (plots.ts), SVG and markdown as notebook outputs, through
// kernel-output.ts (the only file that touches tslab, lazily, so everything else in src/ and this file's pure HTML
// builders run in plain Node). It also gathers, for `bp.…`, the tables (tables.ts) and the checked claims (claims.ts).
//
// Plotly runs offline: `setupPlots()` (the explicit first code cell of every notebook) embeds the cartesian bundle
// from node_modules in a <script>, on every run, so a reloaded page that re-runs its cells gets plotly again (no
// kernel-side "already embedded" flag). Each figure is an HTML output (classic Notebook ignores the plotly mime type)
// whose script waits for window.Plotly; the same bundle also carries application/vnd.plotly.v1+json, which
// VS Code / JupyterLab render with their own plotly. scripts/book.mjs swaps the embedded bundle for one shared
// plotly file in site/. Plotly 3's bundle defines no AMD module, and the bundle is wrapped so it could not see
// require.js's `define` anyway.

import fs from 'node:fs';
import type { Figure } from './figure';
import { type Bundle, emit, newId } from './kernel-output';

export {
  claim,
  expectClose,
  expectFiniteDiff,
  expectFiniteDiffs,
  expectTrue,
  type FiniteDiffOptions,
  type FiniteDiffRow,
} from './claims';
export {
  fmt,
  latexMatrix,
  latexNumber,
  showMatrix,
  showSteps,
  showTable,
  type TableOptions,
  tableHtml,
  tableText,
} from './tables';

/** Marker attribute of the embedded plotly bundle (scripts/book.mjs replaces that script by a shared file). */
export const PLOTLY_BUNDLE_MARK = 'data-bpttlab="plotly-bundle"';
/** Class of every figure's div (the book's manifest and the browser test count them). */
export const PLOT_CLASS = 'bpttlab-plot';

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
