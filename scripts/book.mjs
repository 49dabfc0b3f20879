#!/usr/bin/env node
// scripts/book.mjs: `npm run book` — the static, offline HTML reading version of the notebooks, in site/.
//
//   node scripts/lab.mjs book [-- --only 01-forward]   (lab.mjs does the set-up first: Jupyter, build, kernel)
//   node scripts/lab.mjs book -- --teacher             the teacher's edition, with the solutions, in site-teacher/
//   ... [--out DIR]                                    another folder (never site/ for the teacher's edition)
//
// The teachers' answers to the chapters' `## Questions` (notebooks/answers/NN-*.md) are pages of the teacher's
// edition only (answers-NN-*.html, each rendered from a one-cell notebook made in the build's temporary folder);
// the student's book never holds them.
// The book shows the student versions of the exercises (notebooks/exercises/, not executed: their stubs would only
// fail), each stub as an editor with a Check button (step 4), never a solution: no page under site/ holds solution
// code or a BEGIN/END SOLUTION marker. With
// --teacher the exercise pages are the solution notebooks, executed (every check passes), in site-teacher/.
//
// 1. Executes every chapter (notebooks/NN-*.ipynb) with nbclient (scripts/book/render.py: in memory, the committed
//    notebooks are never written) and exports it with nbconvert's "lab" HTML template; two notebooks at a time.
// 2. Makes each page self-contained and offline: the plotly bundle that each notebook's first cell embeds is
//    replaced by one shared copy, site/plotly-cartesian.min.js (from node_modules/plotly.js-cartesian-dist-min);
//    MathJax 2 (the part the pages use: TeX input, CommonHTML output, TeX web fonts) and require.js are copied
//    from Debian's packages (/usr/share/javascript) into site/. Nothing is linked from system folders or a CDN,
//    so site/ can be moved or served anywhere.
//    Why MathJax and not KaTeX: nbconvert's pages are written for MathJax (its config and the $…$ handling in
//    markdown), Debian ships it locally, and it needs no extra npm dependency.
// 3. Writes site/index.html (chapters in order, with figure counts) and site/manifest.json: per chapter its file,
//    title, how many figures it emitted and how long it took to execute (the browser test checks the counts).
// 4. Student edition: each exercise becomes an editor with a Check button whose verdict is the CLI's, computed in the
//    page from tables made here (scripts/book/exercises.mjs): site/bpttlab-exercises.js (CodeMirror, sucrase, the
//    judge; no answer code) and one table file per exercise page. The index shows which exercises are solved.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as inPage from './book/exercises.mjs';
import { titleHtml, titleText } from './book/title.mjs';
import { chapters as chapterFiles, sources } from './exercises.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(ROOT, ...p);
const PYTHON = '/usr/bin/python3';
const MATHJAX = '/usr/share/javascript/mathjax';
const REQUIREJS = '/usr/share/javascript/requirejs/require.js';
const PLOTLY = at('node_modules', 'plotly.js-cartesian-dist-min', 'plotly-cartesian.min.js');
const CONCURRENCY = 2;
const log = (m) => console.log(`[book] ${m}`);

process.env.JUPYTER_PATH = [at('.jupyter-local'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
process.env.PYDEVD_DISABLE_FILE_VALIDATION = '1';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const only = option('--only');
const teacher = args.includes('--teacher');
const SITE = path.resolve(option('--out') ?? at(teacher ? 'site-teacher' : 'site'));
if (teacher && !path.relative(at('site'), SITE).startsWith('..')) {
  console.error(
    "[book] the teacher's edition holds the solutions: it may not be written into site/ (use --out elsewhere)",
  );
  process.exit(2);
}

/**
 * The pages: chapters (executed), then the exercises: student versions as they are, or (teacher) solutions executed.
 */
const pages = [
  ...chapterFiles().map((f) => ({
    nb: f,
    src: at('notebooks', f),
    base: f.replace(/\.ipynb$/, ''),
    execute: true,
    kind: 'chapter',
  })),
  ...sources().map(({ source, target }) => ({
    nb: path.basename(teacher ? source : target),
    src: teacher ? source : target,
    base: path.basename(target, '.ipynb'),
    execute: teacher,
    kind: 'exercises',
  })),
  ...(teacher
    ? answerFiles().map((f) => ({
        nb: f,
        src: at('notebooks', 'answers', f),
        base: `answers-${f.replace(/\.md$/, '')}`,
        execute: false,
        kind: 'answers',
      }))
    : []),
].filter((p) => !only || p.base.startsWith(only) || p.nb.startsWith(only));

/** The teachers' answers, notebooks/answers/NN-*.md (teacher's edition only). */
function answerFiles() {
  const dir = at('notebooks', 'answers');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^\d+-.*\.md$/.test(f))
        .sort()
    : [];
}
if (pages.length === 0) {
  console.error(`[book] no notebook to render${only ? ` for --only ${only}` : ''}`);
  process.exit(2);
}

/** Renders one page; a kernel that did not start (exit 2: e.g. a zeromq port race) is retried twice. */
async function render(page, tmp) {
  for (let attempt = 1; ; attempt++) {
    const r = await renderOnce(page, tmp);
    if (!r.retry || attempt === 3) return r;
    log(`${page.nb}: the kernel did not start; retrying (${attempt})`);
  }
}

function renderOnce(page, tmp) {
  const { base } = page;
  const html = path.join(tmp, `${base}.html`);
  const json = path.join(tmp, `${base}.json`);
  let src = page.src;
  if (page.kind === 'answers') {
    // a markdown file becomes a one-cell notebook, rendered like the others (MathJax, the book's template)
    src = path.join(tmp, `${base}.ipynb`);
    const cell = { cell_type: 'markdown', metadata: {}, source: fs.readFileSync(page.src, 'utf8') };
    fs.writeFileSync(src, JSON.stringify({ cells: [cell], metadata: {}, nbformat: 4, nbformat_minor: 4 }));
  }
  return new Promise((resolve) => {
    const argv = [
      at('scripts', 'book', 'render.py'),
      page.renderSrc ?? src,
      html,
      json,
      ...(page.execute ? [] : ['--no-execute']),
    ];
    const child = spawn(PYTHON, argv, { cwd: path.dirname(page.src) });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => {
      if (status !== 0) return resolve({ ...page, error: out.trim() || `exit ${status}`, retry: status === 2 });
      log(out.trim());
      resolve({ ...page, html, meta: JSON.parse(fs.readFileSync(json, 'utf8')) });
    });
  });
}

async function renderAll(tmp) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const page = pages[next++];
      results.push(await render(page, tmp));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return pages.map((p) => results.find((r) => r.base === p.base));
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function navBar(chapters, i) {
  const [before, after] = [chapters[i - 1], chapters[i + 1]];
  const prev = before ? `<a href="${before.file}">← ${before.titleHtml}</a>` : '<span></span>';
  const next = after ? `<a href="${after.file}">${after.titleHtml} →</a>` : '<span></span>';
  return (
    `<nav class="bpttlab-nav" style="display:flex;justify-content:space-between;gap:1em;padding:8px 16px;` +
    `font:14px sans-serif;border-bottom:1px solid #ddd;background:#fafafa">${prev}<a href="index.html">bpttlab · ` +
    `contents</a>${next}</nav>`
  );
}

/** The exercise editors of a student exercise page: placeholders become widgets; the page script and tables load. */
function exerciseWidgets(html, page) {
  if (!page.exercises?.length) return html;
  for (const ex of page.exercises) {
    if (!html.includes(inPage.SLOT(ex.name)))
      throw new Error(`${page.nb}: the placeholder of exercise ${ex.name} is missing from the HTML`);
    html = html.replace(inPage.SLOT(ex.name), () => inPage.widget(ex));
  }
  html = html.replace(/<\/head>/, () => `${inPage.STYLE}\n</head>`);
  html = html.replace(/<body([^>]*)>/, (m) => `${m}\n${inPage.BANNER}`);
  return html.replace(
    /<\/body>/,
    () => `<script src="${page.tables}"></script>\n<script src="bpttlab-exercises.js"></script>\n</body>`,
  );
}

/** Rewrites one exported page: its title as text, shared plotly, local MathJax and require.js, navigation. */
function finishPage(html, chapters, i, page) {
  if (!/<title>[^<]*<\/title>/.test(html)) throw new Error(`${chapters[i].source}: the exported page has no <title>`);
  html = html.replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(chapters[i].title)}</title>`);
  html = exerciseWidgets(html, page);
  let bundles = 0;
  html = html.replace(/<script type="text\/javascript" data-bpttlab="plotly-bundle">[\s\S]*?<\/script>/g, () => {
    bundles++;
    return '<script type="text/javascript" src="plotly-cartesian.min.js"></script>';
  });
  if (chapters[i].figures > 0 && bundles === 0) {
    throw new Error(
      `${chapters[i].source}: has figures but no plotly bundle: its first code cell must call bp.setupPlots()`,
    );
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

/** Under an exercise page in the index: its exercises, each marked when this browser has checked it correct. */
function exerciseList(c) {
  if (!c.exercises?.length) return '';
  const li = (name) =>
    `<li><a href="${c.file}#exercise-${name}"><code>${name}</code></a> <span class="solved" data-solved="${name}" ` +
    `hidden>✔ solved</span></li>`;
  return `<ul class="exercise-list">${c.exercises.map(li).join('')}</ul>`;
}

// The index's solved marks: what the exercise pages stored in this browser (see scripts/book/exercises/page.ts).
const SOLVED_SCRIPT = `<script>
(function () {
  var marks = document.querySelectorAll('[data-solved]'), solved = 0;
  for (var i = 0; i < marks.length; i++) {
    var ok = false;
    var key = 'bpttlab:exercise:' + marks[i].getAttribute('data-solved') + ':solved';
    try { ok = localStorage.getItem(key) === '1'; } catch (e) { ok = false; }
    marks[i].hidden = !ok;
    if (ok) solved++;
  }
  var total = document.getElementById('solved-total');
  if (total) total.textContent = solved + ' of ' + marks.length + ' exercises solved in this browser.';
})();
</script>`;

function indexPage(chapters) {
  const figures = (c) =>
    c.kind === 'chapter'
      ? ` <span style="color:#777">(${c.figures} interactive figure${c.figures === 1 ? '' : 's'})</span>`
      : '';
  const item = (c) => `<li><a href="${c.file}">${c.titleHtml}</a>${figures(c)}${exerciseList(c)}</li>`;
  const items = chapters
    .filter((c) => c.kind === 'chapter')
    .map(item)
    .join('\n');
  const exercises = chapters
    .filter((c) => c.kind === 'exercises')
    .map(item)
    .join('\n');
  const answers = chapters
    .filter((c) => c.kind === 'answers')
    .map(item)
    .join('\n');
  const edition = teacher
    ? '<p style="border:1px solid #c00;padding:8px"><strong>Teacher\'s edition:</strong> the exercise pages hold ' +
      'the solutions. Do not publish it to students.</p>'
    : '';
  const exerciseNote = teacher
    ? 'The exercises with their solutions, executed: every check passes.'
    : "Solve them here, in the page: each exercise has an editor and a Check button that gives the checker's " +
      'verdict (the known mistake it matches, the first wrong entry, the case), offline, with nothing installed. ' +
      'Your code is kept in this browser. Or solve them in your own copy in the lab (<code>npm start</code>).';
  const built = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bpttlab: Backpropagation Through Time, equation by equation</title>
<style>
body{font:16px/1.5 Georgia,serif;max-width:760px;margin:40px auto;padding:0 16px;color:#222}
li{margin:.4em 0}
sub{line-height:0}
a{color:#08519c}
.exercise-list{list-style:none;padding-left:1.2em;margin:.2em 0 .8em;font-size:15px;columns:2}
.exercise-list li{margin:.1em 0}
.solved{color:#1a7f37;font-weight:600}
</style>
</head><body>
<h1>bpttlab</h1>
<p>Backpropagation Through Time for a vanilla RNN, derived the way <em>Deep Learning</em>
(Goodfellow, Bengio &amp; Courville, §10.2.2) derives it: every equation as LaTeX, computed on a tiny case by the
<code>bpttlab</code> TypeScript module, and checked against an independent mathjs transcription. These pages are the
notebooks executed; they work offline.</p>
${edition}
<ol start="0" style="list-style:none;padding-left:0">
${items}
</ol>
${
  exercises
    ? `<h2>Exercises</h2>\n<p>${exerciseNote}</p>\n${
        teacher ? '' : '<p id="solved-total" style="color:#555"></p>\n'
      }<ul style="list-style:none;padding-left:0">\n${exercises}\n</ul>`
    : ''
}
${
  answers
    ? `<h2>Answers to the chapters' questions</h2>\n<p>For teachers: the answers to each chapter's ` +
      `<em>Questions</em>, numbered to match.</p>\n<ul style="list-style:none;padding-left:0">\n${answers}\n</ul>`
    : ''
}
<p style="color:#777;font-size:14px">Built ${built} UTC by <code>npm run book</code>.</p>
${teacher ? '' : SOLVED_SCRIPT}
</body></html>
`;
}

/** Student edition: each exercise page is rendered from a copy whose stubs are placeholders for the editors. */
async function prepareExercisePages(tmp) {
  const known = new Map((await inPage.registry()).map((e) => [e.name, e]));
  const posed = [];
  for (const page of pages.filter((p) => p.kind === 'exercises')) {
    const { nb, exercises } = inPage.slots(JSON.parse(fs.readFileSync(page.src, 'utf8')));
    for (const e of exercises) {
      if (!known.has(e.name))
        throw new Error(
          `${page.nb}: exercise ${e.name} is not in the checker's registry (src/teach/exercises/answers/index.ts)`,
        );
      posed.push(e.name);
    }
    page.exercises = exercises;
    page.tables = `bpttlab-exercises-${page.base}.js`;
    page.renderSrc = path.join(tmp, `${page.base}.slots.ipynb`);
    fs.writeFileSync(page.renderSrc, JSON.stringify(nb));
  }
  const missing = [...known.keys()].filter((n) => !posed.includes(n));
  if (!only && missing.length > 0)
    log(`note: no exercise page poses ${missing.join(', ')} (in the registry, but no notebook has its stub cell)`);
}

/** The page script, and each exercise page's tables. */
async function writeExerciseScripts(results) {
  const withExercises = results.filter((r) => r.exercises?.length);
  if (withExercises.length === 0) return;
  const bundle = await inPage.pageBundle();
  fs.writeFileSync(path.join(SITE, 'bpttlab-exercises.js'), bundle.code);
  for (const r of withExercises)
    fs.writeFileSync(path.join(SITE, r.tables), await inPage.tablesScript(r.exercises.map((e) => e.name)));
  log(
    `exercises in the page: ${withExercises.reduce((s, r) => s + r.exercises.length, 0)} editors on ` +
      `${withExercises.length} page(s)`,
  );
}

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-book-'));
  if (!teacher) await prepareExercisePages(tmp);
  log(
    `rendering ${pages.length} notebook(s) into ` +
      `${path.relative(ROOT, SITE) || SITE}${teacher ? " (teacher's edition, with the solutions)" : ''}, ` +
      `${CONCURRENCY} at a time`,
  );
  const results = await renderAll(tmp);
  const failed = results.filter((r) => r.error);
  if (failed.length > 0) {
    for (const f of failed) console.error(`[book] ${f.nb} failed:\n${f.error}`);
    process.exit(1);
  }
  const chapters = results.map((r) => ({
    source: path.relative(ROOT, r.src).split(path.sep).join('/'),
    file: `${r.base}.html`,
    kind: r.kind,
    ...r.meta,
    title: titleText(r.meta.title),
    titleHtml: titleHtml(r.meta.title),
    ...(r.exercises ? { exercises: r.exercises.map((e) => e.name) } : {}),
  }));
  // only ever replace a book (or an empty or missing folder): --out must not wipe anything else
  if (fs.existsSync(SITE) && fs.readdirSync(SITE).length > 0 && !fs.existsSync(path.join(SITE, 'manifest.json'))) {
    console.error(`[book] ${SITE} exists and is not a book (no manifest.json): not replacing it`);
    process.exit(2);
  }
  fs.rmSync(SITE, { recursive: true, force: true });
  fs.mkdirSync(SITE, { recursive: true });
  chapters.forEach((c, i) => {
    fs.writeFileSync(
      path.join(SITE, c.file),
      finishPage(fs.readFileSync(results[i].html, 'utf8'), chapters, i, results[i]),
    );
  });
  await writeExerciseScripts(results);
  fs.copyFileSync(PLOTLY, path.join(SITE, 'plotly-cartesian.min.js'));
  fs.copyFileSync(REQUIREJS, path.join(SITE, 'require.js'));
  copyMathJax(path.join(SITE, 'mathjax'));
  fs.writeFileSync(path.join(SITE, 'index.html'), indexPage(chapters));
  const manifest = {
    built: new Date().toISOString(),
    teacher,
    chapters: chapters.map(({ source, file, title, kind, figures, seconds, exercises }) => ({
      source,
      file,
      title,
      kind,
      figures,
      seconds,
      ...(exercises ? { exercises } : {}),
    })),
    figures: chapters.reduce((s, c) => s + c.figures, 0),
  };
  fs.writeFileSync(path.join(SITE, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const total = chapters.reduce((s, c) => s + c.seconds, 0);
  log(
    `wrote ${path.relative(ROOT, SITE) || SITE}/ (${chapters.length} pages, ${manifest.figures} figures; notebooks ` +
      `executed in ${total.toFixed(1)} s of kernel time, ${((Date.now() - started) / 1000).toFixed(1)} s wall)`,
  );
  log(`open ${path.join(SITE, 'index.html')}`);
}

main().catch((e) => {
  console.error(`[book] error: ${e.message}`);
  process.exit(1);
});
