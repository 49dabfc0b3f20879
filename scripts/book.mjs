#!/usr/bin/env node
// scripts/book.mjs: `npm run book` — the static, offline HTML reading version of the notebooks, in site/.
//
//   node scripts/lab.mjs book [-- --only 01-forward]   (lab.mjs does the set-up first: Jupyter, build, kernel)
//
// 1. Executes every notebooks/*.ipynb with nbclient (scripts/book/render.py: in memory, the committed notebooks
//    are never written) and exports it with nbconvert's "lab" HTML template; two notebooks at a time.
// 2. Makes each page self-contained and offline: the plotly bundle that each notebook's first cell embeds is
//    replaced by one shared copy, site/plotly-cartesian.min.js (from node_modules/plotly.js-cartesian-dist-min);
//    MathJax 2 (the part the pages use: TeX input, CommonHTML output, TeX web fonts) and require.js are copied
//    from Debian's packages (/usr/share/javascript) into site/. Nothing is linked from system folders or a CDN,
//    so site/ can be moved or served anywhere.
//    Why MathJax and not KaTeX: nbconvert's pages are written for MathJax (its config and the $…$ handling in
//    markdown), Debian ships it locally, and it needs no extra npm dependency.
// 3. Writes site/index.html (chapters in order, with figure counts) and site/manifest.json: per chapter its file,
//    title, how many figures it emitted and how long it took to execute (the browser test checks the counts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(ROOT, ...p);
const SITE = at('site');
const PYTHON = '/usr/bin/python3';
const MATHJAX = '/usr/share/javascript/mathjax';
const REQUIREJS = '/usr/share/javascript/requirejs/require.js';
const PLOTLY = at('node_modules', 'plotly.js-cartesian-dist-min', 'plotly-cartesian.min.js');
const CONCURRENCY = 2;
const log = (m) => console.log(`[book] ${m}`);

process.env.JUPYTER_PATH = [at('.jupyter-local'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
process.env.PYDEVD_DISABLE_FILE_VALIDATION = '1';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;

const notebooks = fs
  .readdirSync(at('notebooks'))
  .filter((f) => f.endsWith('.ipynb') && (!only || f.startsWith(only)))
  .sort();
if (notebooks.length === 0) {
  console.error('[book] no notebooks/*.ipynb to render');
  process.exit(2);
}

/** Renders one notebook; a kernel that did not start (exit 2: e.g. a zeromq port race) is retried twice. */
async function render(nb, tmp) {
  for (let attempt = 1; ; attempt++) {
    const r = await renderOnce(nb, tmp);
    if (!r.retry || attempt === 3) return r;
    log(`${nb}: the kernel did not start; retrying (${attempt})`);
  }
}

function renderOnce(nb, tmp) {
  const base = nb.replace(/\.ipynb$/, '');
  const html = path.join(tmp, `${base}.html`);
  const json = path.join(tmp, `${base}.json`);
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [at('scripts', 'book', 'render.py'), at('notebooks', nb), html, json], { cwd: at('notebooks') });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => {
      if (status !== 0) return resolve({ nb, error: out.trim() || `exit ${status}`, retry: status === 2 });
      log(out.trim());
      resolve({ nb, base, html, meta: JSON.parse(fs.readFileSync(json, 'utf8')) });
    });
  });
}

async function renderAll(tmp) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < notebooks.length) {
      const nb = notebooks[next++];
      results.push(await render(nb, tmp));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return notebooks.map((nb) => results.find((r) => r.nb === nb));
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function navBar(chapters, i) {
  const prev = i > 0 ? `<a href="${chapters[i - 1].file}">← ${escapeHtml(chapters[i - 1].title)}</a>` : '<span></span>';
  const next = i + 1 < chapters.length ? `<a href="${chapters[i + 1].file}">${escapeHtml(chapters[i + 1].title)} →</a>` : '<span></span>';
  return (
    `<nav class="bpttlab-nav" style="display:flex;justify-content:space-between;gap:1em;padding:8px 16px;` +
    `font:14px sans-serif;border-bottom:1px solid #ddd;background:#fafafa">${prev}<a href="index.html">bpttlab · contents</a>${next}</nav>`
  );
}

/** Rewrites one exported page: shared plotly, local MathJax and require.js, navigation. */
function finishPage(html, chapters, i) {
  let bundles = 0;
  html = html.replace(/<script type="text\/javascript" data-bpttlab="plotly-bundle">[\s\S]*?<\/script>/g, () => {
    bundles++;
    return '<script type="text/javascript" src="plotly-cartesian.min.js"></script>';
  });
  if (chapters[i].figures > 0 && bundles === 0) {
    throw new Error(`${chapters[i].source}: has figures but no plotly bundle: its first code cell must call bp.setupPlots()`);
  }
  html = html.split('BPTTLAB_MATHJAX/').join('mathjax/').split('"BPTTLAB_REQUIREJS"').join('"require.js"');
  html = html.replace(/<body([^>]*)>/, (m) => `${m}\n${navBar(chapters, i)}`);
  html = html.replace(/<\/body>/, `${navBar(chapters, i)}\n</body>`);
  return html;
}

function copyMathJax(dest) {
  const parts = [
    'MathJax.js',
    'config/TeX-AMS_CHTML-full.js',
    'config/Safe.js',
    'extensions',
    'jax/input/TeX',
    'jax/output/CommonHTML',
    'jax/element',
    'fonts/HTML-CSS/TeX/woff',
    'localization/en',
  ];
  for (const p of parts) {
    const from = path.join(MATHJAX, p);
    if (!fs.existsSync(from)) continue;
    fs.cpSync(from, path.join(dest, p), { recursive: true, dereference: true });
  }
  for (const fonts of ['jax/output/CommonHTML/fonts']) {
    if (!fs.existsSync(path.join(dest, fonts))) throw new Error(`MathJax copy incomplete: ${fonts} missing`);
  }
}

function indexPage(chapters) {
  const items = chapters
    .map((c) => `<li><a href="${c.file}">${escapeHtml(c.title)}</a> <span style="color:#777">(${c.figures} interactive figure${c.figures === 1 ? '' : 's'})</span></li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bpttlab: Backpropagation Through Time, equation by equation</title>
<style>body{font:16px/1.5 Georgia,serif;max-width:760px;margin:40px auto;padding:0 16px;color:#222}li{margin:.4em 0}a{color:#08519c}</style>
</head><body>
<h1>bpttlab</h1>
<p>Backpropagation Through Time for a vanilla RNN, derived the way <em>Deep Learning</em> (Goodfellow, Bengio &amp; Courville, §10.2.2)
derives it: every equation as LaTeX, computed on a tiny case by the <code>bpttlab</code> TypeScript module, and checked against an
independent mathjs transcription. These pages are the notebooks executed; they work offline.</p>
<ol start="0" style="list-style:none;padding-left:0">
${items}
</ol>
<p style="color:#777;font-size:14px">Built ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by <code>npm run book</code>.</p>
</body></html>
`;
}

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-book-'));
  log(`executing ${notebooks.length} notebook(s), ${CONCURRENCY} at a time`);
  const results = await renderAll(tmp);
  const failed = results.filter((r) => r.error);
  if (failed.length > 0) {
    for (const f of failed) console.error(`[book] ${f.nb} failed:\n${f.error}`);
    process.exit(1);
  }
  const chapters = results.map((r) => ({ source: `notebooks/${r.nb}`, file: `${r.base}.html`, ...r.meta }));
  fs.rmSync(SITE, { recursive: true, force: true });
  fs.mkdirSync(SITE, { recursive: true });
  chapters.forEach((c, i) => {
    fs.writeFileSync(path.join(SITE, c.file), finishPage(fs.readFileSync(results[i].html, 'utf8'), chapters, i));
  });
  fs.copyFileSync(PLOTLY, path.join(SITE, 'plotly-cartesian.min.js'));
  fs.copyFileSync(REQUIREJS, path.join(SITE, 'require.js'));
  copyMathJax(path.join(SITE, 'mathjax'));
  fs.writeFileSync(path.join(SITE, 'index.html'), indexPage(chapters));
  const manifest = {
    built: new Date().toISOString(),
    chapters: chapters.map(({ source, file, title, figures, seconds }) => ({ source, file, title, figures, seconds })),
    figures: chapters.reduce((s, c) => s + c.figures, 0),
  };
  fs.writeFileSync(path.join(SITE, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.rmSync(tmp, { recursive: true, force: true });
  const total = chapters.reduce((s, c) => s + c.seconds, 0);
  log(`wrote site/ (${chapters.length} chapters, ${manifest.figures} figures; notebooks executed in ${total.toFixed(1)} s of kernel time, ${((Date.now() - started) / 1000).toFixed(1)} s wall)`);
  log(`open ${path.join(SITE, 'index.html')}`);
}

main().catch((e) => {
  console.error(`[book] error: ${e.message}`);
  process.exit(1);
});
