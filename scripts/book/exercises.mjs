// scripts/book/exercises.mjs: the exercises of the student book (site/), solved and checked in the page.
//
// scripts/book.mjs uses it for each exercise page of the student edition:
//   - slots(): the student notebook, with each exercise's stub cell (tagged `stub`, metadata.bpttlab.exercise) turned
//     into a placeholder and its check cell (bp.exercises.check(...), meaningless in a page) left out;
//   - widget(): the placeholder's HTML: the editor (holding the stub), Check, Reset, Download, the verdict;
//   - tables(): per exercise, the case arguments, the expected outputs and every mistake model's and mistake pair's
//     outputs (src/teach/exercises/table.ts), computed here, at build time: the page holds numbers, no answer code;
//   - pageBundle(): page.ts with CodeMirror 6, sucrase and the CLI's judge, one classic script (file:// works),
//     the worker (worker.ts) inside it as text, started from a Blob URL.
// Every exercise a notebook poses is picked up from its cells' metadata; each must be in the checker's registry.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(import.meta.url);
const esbuild = () => require('esbuild');

const text = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? ''));
const exerciseOf = (cell) => cell.metadata?.bpttlab?.exercise ?? null;
const isStub = (cell) => cell.cell_type === 'code' && (cell.metadata?.tags ?? []).includes('stub') && exerciseOf(cell);
const isCheck = (cell) => cell.cell_type === 'code' && exerciseOf(cell) && /\bexercises\.check\(/.test(text(cell));

// A plain-text marker: nbconvert sanitises raw HTML cells (attributes would be dropped), text passes as it is.
export const SLOT = (name) => `@@bpttlab-exercise:${name}@@`;

/** The notebook with its stubs as placeholders, and the exercises it poses ({ name, stub }) in order. */
export function slots(nb) {
  const exercises = [];
  const cells = [];
  for (const cell of nb.cells) {
    if (isStub(cell)) {
      const name = exerciseOf(cell);
      if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`exercise name ${JSON.stringify(name)} is not a plain name`);
      if (exercises.some((e) => e.name === name)) throw new Error(`exercise ${name} has two stub cells`);
      exercises.push({ name, stub: text(cell) });
      cells.push({
        cell_type: 'raw',
        metadata: { raw_mimetype: 'text/html', format: 'text/html' },
        source: SLOT(name),
      });
    } else if (!isCheck(cell)) cells.push(cell);
  }
  // nbformat 4.5 and later want an id on every cell
  if ((nb.nbformat_minor ?? 0) >= 5)
    cells.forEach((c, i) => {
      if (c.cell_type === 'raw') c.id = `bpttlab-slot-${i}`;
    });
  return { nb: { ...nb, cells }, exercises };
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML of one exercise's editor, buttons and verdict (page.ts brings them to life). */
export function widget({ name, stub }) {
  const rows = Math.max(6, stub.split('\n').length + 2);
  const keys =
    '<kbd data-shortcut>Ctrl+Enter</kbd> runs Check · <kbd>Tab</kbd> indents · <kbd>Esc</kbd> leaves the editor';
  const notChecked = 'Not checked yet: write your function above, then press Check. Your code is kept in this browser.';
  return `<section class="bpttlab-exercise" id="exercise-${name}" data-exercise="${name}"
 aria-label="Exercise ${name}: your code and its check">
<div class="bpttlab-exercise-head"><strong>Your code</strong>
 <span class="bpttlab-solved" data-solved-mark hidden>✔ solved</span></div>
<div class="bpttlab-editor" data-editor><textarea rows="${rows}" spellcheck="false"
 aria-label="Your code for exercise ${name}">${escapeHtml(stub)}</textarea></div>
<div class="bpttlab-bar">
<button type="button" class="bpttlab-check" data-action="check">Check</button>
<span class="bpttlab-keys">${keys}</span>
<span class="bpttlab-spacer"></span>
<button type="button" data-action="reset">Reset to the stub</button>
<button type="button" data-action="download" title="a file that npx bpttlab check ${name} ${name}.ts accepts">
Download ${name}.ts</button>
</div>
<pre class="bpttlab-verdict" data-verdict role="status" aria-live="polite">${notChecked}</pre>
<div class="bpttlab-after" data-after hidden></div>
</section>`;
}

/** At the top of an exercise page: how the page differs from the notebook its text was written for. */
export const BANNER = `<div class="bpttlab-banner" role="note"><strong>Solve the exercises right here.</strong>
Under each exercise is an editor with the stub: write the function there (TypeScript or JavaScript, plain loops and
arrays) and press <strong>Check</strong> (<kbd data-shortcut>Ctrl+Enter</kbd>). The verdict is the checker's own,
computed in this page, offline. Your code is kept in this browser; <strong>Download</strong> gives a file for
<code>npx bpttlab check</code>. Where the text below speaks of cells, the check cell or <code>npm start</code>, it means
the notebook version of this page in the lab.</div>`;

export const STYLE = `<style>
.bpttlab-banner{max-width:1040px;margin:12px auto 0;padding:10px 14px;border:1px solid #c6d4e3;
  border-left:4px solid #2f6fb5;border-radius:4px;background:#f7fafd;font:14px/1.5 system-ui,sans-serif}
.bpttlab-banner kbd{font:12px monospace;border:1px solid #bbb;border-radius:3px;padding:0 4px;background:#fff}
.bpttlab-exercise{margin:12px 0 24px;padding:10px 12px;border:1px solid #c6d4e3;border-radius:6px;background:#f7fafd;
  font:14px/1.4 system-ui,sans-serif}
.bpttlab-exercise-head{margin-bottom:6px}
.bpttlab-solved{color:#1a7f37;font-weight:600;margin-left:8px}
.bpttlab-editor{border:1px solid #b8c4d0;background:#fff}
.bpttlab-editor textarea{width:100%;box-sizing:border-box;font:13px/1.45 monospace;border:0}
.bpttlab-editor .cm-editor{font-size:13px}
.bpttlab-editor .cm-editor.cm-focused{outline:2px solid #2f6fb5}
.bpttlab-editor .cm-scroller{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.bpttlab-bar{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:8px 0}
.bpttlab-bar button{font:inherit;padding:4px 12px;border:1px solid #8aa1b8;border-radius:4px;background:#fff;
  cursor:pointer}
.bpttlab-bar button:focus-visible{outline:2px solid #2f6fb5;outline-offset:1px}
.bpttlab-bar .bpttlab-check{background:#2f6fb5;border-color:#2f6fb5;color:#fff;font-weight:600}
.bpttlab-bar button:disabled,.bpttlab-bar button[aria-disabled="true"]{opacity:.6;cursor:progress}
.bpttlab-keys{color:#555;font-size:13px}
.bpttlab-keys kbd{font:12px monospace;border:1px solid #bbb;border-radius:3px;padding:0 4px;background:#fff}
.bpttlab-spacer{flex:1}
.bpttlab-verdict{margin:0;padding:8px 10px;white-space:pre-wrap;font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;
  background:#fff;border-left:4px solid #999;max-height:24em;overflow:auto}
.bpttlab-verdict[data-status="correct"]{border-left-color:#1a7f37;background:#f0fbf3}
.bpttlab-verdict[data-status]:not([data-status="correct"]){border-left-color:#c0392b;background:#fdf3f2}
.bpttlab-verdict[data-pending]{border-left-color:#2f6fb5;color:#555}
.bpttlab-after{margin-top:6px}
.bpttlab-after summary{cursor:pointer;color:#08519c}
.bpttlab-after pre{margin:4px 0 0;padding:6px 10px;background:#fff;border:1px solid #ddd;
  font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:18em;overflow:auto;white-space:pre}
.bpttlab-after button{font:inherit;padding:2px 10px;border:1px solid #8aa1b8;border-radius:4px;background:#fff;
  cursor:pointer}
</style>`;

/** The page script: page.ts bundled with its worker, one classic script. Returns its text and the files it holds. */
export async function pageBundle() {
  const eb = esbuild();
  const common = {
    bundle: true,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    write: false,
    logLevel: 'silent',
    metafile: true,
    legalComments: 'inline',
  };
  const worker = await eb.build({
    ...common,
    entryPoints: [path.join(HERE, 'exercises', 'worker.ts')],
    format: 'iife',
    define: { __filename: '"bpttlab-worker"' },
  });
  const page = await eb.build({
    ...common,
    entryPoints: [path.join(HERE, 'exercises', 'page.ts')],
    format: 'iife',
    define: { WORKER_CODE: JSON.stringify(worker.outputFiles[0].text), __filename: '"bpttlab-page"' },
  });
  const inputs = [...Object.keys(worker.metafile.inputs), ...Object.keys(page.metafile.inputs)];
  return { code: page.outputFiles[0].text, inputs: [...new Set(inputs)] };
}

let tablesModule = null;
/** The build-time table module (tables.ts bundled for Node), loaded once. */
async function tablesMod() {
  if (tablesModule) return tablesModule;
  const r = await esbuild().build({
    entryPoints: [path.join(HERE, 'exercises', 'tables.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-tables-'));
  try {
    const file = path.join(dir, 'tables.cjs');
    fs.writeFileSync(file, r.outputFiles[0].text);
    tablesModule = require(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return tablesModule;
}

/** Every exercise in the checker's registry ({ name, fn }). */
export async function registry() {
  return (await tablesMod()).registry();
}

/** The tables of these exercises, as a classic script that hands them to the page. */
export async function tablesScript(names) {
  const t = (await tablesMod()).tables(names);
  return (
    `// The exercises' tables (src/teach/exercises/table.ts): case arguments, expected outputs, mistake models' ` +
    `outputs. Generated by npm run book.\n` +
    `window.BPTTLAB_EXERCISE_TABLES = Object.assign(window.BPTTLAB_EXERCISE_TABLES || {}, ${JSON.stringify(t)});\n`
  );
}

export { ROOT };
