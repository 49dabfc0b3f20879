// Real-browser checks with playwright-core and Debian's Chromium (/usr/bin/chromium; `npx playwright install`
// cannot work offline):
//   1. the static book in site/: every chapter's figures render (one plotly plot per figure the build counted in
//      site/manifest.json), MathJax typesets, no console error, no request leaves the machine; its exercise pages are
//      the student versions, and no file under site/ holds solution code;
//   2. the classic Notebook UI: a Jupyter server on a free localhost port (project-local JUPYTER_PATH, as lab.mjs
//      does) opens a copy of notebooks/01-forward.ipynb, runs all cells, its plot renders;
//   3. the student's lab as `npm start` opens it: the tree page, then an exercise notebook where a wrong answer's
//      check cell prints the located verdict.
// Screenshots go to build/ for a person to look at: notebook-01-forward.png, book-index.png, book-04.png,
// book-21-backward.png, lab-tree.png, lab-exercise-check.png.
// The book is rebuilt (node scripts/book.mjs) when site/ is missing or older than notebooks/, src/ or scripts/book*.
// Skipped, with the reason, when Chromium is absent.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { isLocalFile, launchChromium, skipWithoutChromium } from './chromium';
import { UNRENDERED } from './helpers';
import { freePort, startLab, stopLab } from './lab-server';
import { answerLeaks, filesUnder, leaks } from './leaks';

const ROOT = path.resolve(__dirname, '..');
const SITE = path.join(ROOT, 'site');
const BUILD = path.join(ROOT, 'build');
const PYTHON = '/usr/bin/python3';
const JUPYTER_PATH = [path.join(ROOT, '.jupyter-local'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);

interface Manifest {
  chapters: { source: string; file: string; title: string; figures: number; seconds: number }[];
  figures: number;
}

function newest(dir: string, ext: RegExp): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (ext.test(e.name)) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the book unless site/manifest.json is newer than every notebook and source file. */
function ensureBook(): Manifest {
  const manifest = path.join(SITE, 'manifest.json');
  const sources = Math.max(
    ...fs
      .readdirSync(path.join(ROOT, 'notebooks'))
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => fs.statSync(path.join(ROOT, 'notebooks', f)).mtimeMs),
    newest(path.join(ROOT, 'src'), /\.ts$/),
    fs.statSync(path.join(ROOT, 'scripts', 'book.mjs')).mtimeMs,
    newest(path.join(ROOT, 'scripts', 'book'), /\.py$|\.mjs$|\.ts$/),
  );
  if (!fs.existsSync(manifest) || fs.statSync(manifest).mtimeMs < sources) {
    if (process.env.BPTTLAB_SETUP_DONE !== '1') {
      const s = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lab.mjs'), 'setup'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (s.status !== 0) throw new Error(`node scripts/lab.mjs setup failed:\n${s.stdout}${s.stderr}`);
    }
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'book.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH },
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`node scripts/book.mjs failed:\n${r.stdout}${r.stderr}`);
  }
  return JSON.parse(fs.readFileSync(manifest, 'utf8')) as Manifest;
}

/** Records console errors, uncaught exceptions, and every request that is not local (and aborts it). */
async function watch(page: Page, isLocal: (url: string) => boolean): Promise<{ errors: string[]; external: string[] }> {
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${String(e)}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    external.push(url);
    return route.abort();
  });
  return { errors, external };
}

describe('browser', { skip: skipWithoutChromium, timeout: 15 * 60_000 }, () => {
  let browser: BrowserContext;
  let manifest: Manifest;
  let profile = '';

  before(async () => {
    manifest = ensureBook();
    fs.mkdirSync(BUILD, { recursive: true });
    // a fresh profile every run (playwright passes it to Chromium as --user-data-dir)
    profile = fs.mkdtempSync(path.join(BUILD, 'chromium-profile-'));
    browser = await launchChromium(profile);
  });
  after(async () => {
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  test('the book: every figure renders, maths typeset, no console error, no network request', async () => {
    assert.ok(manifest.chapters.length > 0, 'the manifest lists no chapters');
    for (const f of ['plotly-cartesian.min.js', 'require.js', 'mathjax/MathJax.js', 'index.html']) {
      assert.ok(fs.existsSync(path.join(SITE, f)), `site/${f} is missing`);
    }
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 900 });
    const seen = await watch(page, isLocalFile);
    await page.goto(pathToFileURL(path.join(SITE, 'index.html')).href);
    // (each exercise is linked too, under its page, as page.html#exercise-NAME)
    assert.equal(
      await page.locator('ol a:not([href*="#"]), ul a:not([href*="#"])').count(),
      manifest.chapters.length,
      'index.html links every chapter and exercise page',
    );
    // titles outside a page are not typeset: the index shows them as text, never as raw LaTeX
    for (const entry of await page.locator('a').allInnerTexts()) assert.doesNotMatch(entry, UNRENDERED, 'index.html');
    await page.screenshot({ path: path.join(BUILD, 'book-index.png'), fullPage: true });
    for (const ch of manifest.chapters) {
      assert.doesNotMatch(ch.title, UNRENDERED, `${ch.file}: its title in the manifest`);
      await page.goto(pathToFileURL(path.join(SITE, ch.file)).href);
      assert.doesNotMatch(await page.title(), UNRENDERED, `${ch.file}: the title in the browser's tab`);
      for (const link of await page.locator('.bpttlab-nav a').allInnerTexts())
        assert.doesNotMatch(link, UNRENDERED, `${ch.file}: the navigation bar`);
      const plots = page.locator('.bpttlab-plot');
      assert.equal(await plots.count(), ch.figures, `${ch.file}: figure divs vs the manifest`);
      if (ch.figures > 0) {
        await page.waitForFunction(
          `document.querySelectorAll('.bpttlab-plot.js-plotly-plot .main-svg').length >= ${ch.figures}`,
          undefined,
          { timeout: 30_000 },
        );
        // every figure div became a plotly plot with its SVG
        const rendered = await page.locator('.bpttlab-plot.js-plotly-plot').count();
        assert.equal(rendered, ch.figures, `${ch.file}: rendered plots`);
        const empty = await page.evaluate(
          "[...document.querySelectorAll('.bpttlab-plot')].filter((e) => e.querySelector('.main-svg') === null).length",
        );
        assert.equal(empty, 0, `${ch.file}: a figure without SVG`);
      }
      // MathJax 2 has typeset the page when its queue is idle; the chapters (not the exercise pages) all have maths
      await page.waitForFunction(
        'window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0',
        undefined,
        { timeout: 30_000, polling: 200 },
      );
      if (/^0\d-/.test(ch.file))
        assert.ok((await page.locator('.MathJax_CHTML').count()) > 0, `${ch.file}: no typeset maths`);
      if (ch.file.startsWith('04')) await page.screenshot({ path: path.join(BUILD, 'book-04.png'), fullPage: false });
      if (ch.file === '21-backward.html')
        await page.screenshot({ path: path.join(BUILD, 'book-21-backward.png'), fullPage: false });
    }
    assert.deepEqual(seen.external, [], 'requests that tried to leave the machine');
    assert.deepEqual(seen.errors, [], 'console errors');
    await page.close();
  });

  test('the book holds the student versions of the exercises, and no file under site/ holds solution code', () => {
    const exercisePages = manifest.chapters.filter((c) => /^2\d-/.test(c.file));
    assert.ok(exercisePages.length >= 3, 'the exercise pages are in the book');
    for (const c of exercisePages)
      assert.match(c.source, /^notebooks\/exercises\//, `${c.file} is made from the student version`);
    for (const f of filesUnder(SITE)) assert.deepEqual(leaks(fs.readFileSync(f, 'utf8')), [], f);
    for (const f of filesUnder(SITE)) assert.deepEqual(answerLeaks(fs.readFileSync(f, 'utf8')), [], f);
  });

  test(
    "the student's lab: the tree npm start opens, and a wrong answer's check cell in an exercise " + 'notebook',
    async () => {
      const work = fs.mkdtempSync(path.join(BUILD, 'browser-lab-'));
      let lab: ChildProcess | undefined;
      try {
        const url = await startLab(
          ['--port', String(await freePort()), '--no-browser', '--work', work],
          (c) => (lab = c),
        );
        const base = new URL(url).origin;
        const page = await browser.newPage();
        await page.setViewportSize({ width: 1200, height: 900 });
        const seen = await watch(
          page,
          (u) => isLocalFile(u) || u.startsWith(base) || u.startsWith(base.replace('http', 'ws')),
        );
        await page.goto(url);
        await page.waitForSelector('#notebook_list .list_item a', { timeout: 60_000 });
        const listed = await page.locator('#notebook_list .item_name').allTextContents();
        assert.ok(listed.includes('01-forward.ipynb') && listed.includes('21-backward.ipynb'), listed.join(', '));
        assert.ok(!listed.some((n) => /-exercises-/.test(n)), 'no solution notebook in the tree');
        await page.screenshot({ path: path.join(BUILD, 'lab-tree.png') });

        await page.goto(`${base}/notebooks/21-backward.ipynb?token=${new URL(url).searchParams.get('token')}`);
        await page.waitForFunction(
          'window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()',
          undefined,
          { timeout: 60_000 },
        );
        // a wrong answer: ∇c without the sum over time; then run the import, the function and its check cell
        const wrong = [
          'function gradC(dO: number[][]): number[] {',
          '  return dO[dO.length - 1].slice(); // only the last step',
          '}',
        ].join('\n');
        const at = (await page.evaluate(`Jupyter.notebook.set_autosave_interval(0);
        (() => { const cells = Jupyter.notebook.get_cells();
          const i = cells.findIndex((c) => c.get_text().includes('function gradC('));
          cells[i].set_text(${JSON.stringify(wrong)});
          Jupyter.notebook.execute_cells([1, i, i + 1]);
          return i; })()`)) as number;
        await page.waitForFunction(
          `(() => { const c = Jupyter.notebook.get_cell(${at + 1});
            return c.output_area.outputs.length > 0 && typeof c.input_prompt_number === 'number'; })()`,
          undefined,
          { timeout: 120_000, polling: 500 },
        );
        const output = (await page.evaluate(
          `Jupyter.notebook.get_cell(${at + 1}).output_area.outputs.map((o) => o.text || (o.data && ` +
            `o.data['text/plain']) || o.evalue || '').join('\\n')`,
        )) as string;
        assert.match(
          output,
          /✘ dc — .*not correct\. It looks like this known mistake: no sum over time: only the last step/,
        );
        assert.match(output, /first wrong entry: ∇c\[0\]/);
        await page.evaluate(`Jupyter.notebook.scroll_to_cell(${at - 1}, 0)`);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(BUILD, 'lab-exercise-check.png') });
        assert.deepEqual(seen.external, [], 'requests that tried to leave the machine');
        await page.close();
      } finally {
        await stopLab(lab);
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );

  test('classic Notebook: 01-forward runs all cells in the UI and its plot renders', async () => {
    // A copy under build/ (git-ignored; `bpttlab` still resolves through the project's node_modules), so that
    // the UI's autosave can never write outputs into the committed notebook.
    const dir = path.join(BUILD, 'browser-notebook');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'notebooks', '01-forward.ipynb'), path.join(dir, '01-forward.ipynb'));
    const port = await freePort();
    const token = 'bpttlab-browser-test';
    const server = spawn(
      PYTHON,
      [
        '-m',
        'notebook',
        `--notebook-dir=${dir}`,
        '--ip=127.0.0.1',
        `--port=${port}`,
        '--NotebookApp.port_retries=0',
        `--NotebookApp.token=${token}`,
        '--no-browser',
        ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
      ],
      {
        cwd: dir,
        env: { ...process.env, JUPYTER_PATH, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    server.stdout?.on('data', (d) => (log += d));
    server.stderr?.on('data', (d) => (log += d));
    try {
      await waitForServer(port, token, server, () => log);
      const page = await browser.newPage();
      await page.setViewportSize({ width: 1200, height: 1000 });
      const base = `http://127.0.0.1:${port}`;
      const seen = await watch(
        page,
        (u) => isLocalFile(u) || u.startsWith(base) || u.startsWith(`ws://127.0.0.1:${port}`),
      );
      await page.goto(`${base}/notebooks/01-forward.ipynb?token=${token}`);
      // (browser-side code as strings: the test's TypeScript has no DOM types)
      await page.waitForFunction(
        'window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()',
        undefined,
        { timeout: 60_000 },
      );
      await page.evaluate('Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.execute_all_cells();');
      // done when no cell is waiting ("In [*]") and the last cell has run
      await page.waitForFunction(
        "Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').every((c) => typeof " +
          "c.input_prompt_number === 'number')",
        undefined,
        { timeout: 120_000, polling: 500 },
      );
      await page.waitForSelector('.bpttlab-plot .main-svg', { timeout: 30_000 });
      const failures = (await page.evaluate(
        'Jupyter.notebook.get_cells().flatMap((c, i) => ((c.output_area && c.output_area.outputs) || [])' +
          ".filter((o) => o.output_type === 'error' || o.name === 'stderr').map((o) => 'cell ' + i + ': ' + (o.text " +
          '|| o.output_type)))',
      )) as string[];
      assert.deepEqual(failures, [], 'cells that failed in the Notebook UI');
      assert.equal(await page.locator('.bpttlab-plot.js-plotly-plot').count(), 1, 'the h(t) heatmap rendered');
      assert.ok((await page.locator('.bpttlab-svg svg').count()) === 1, 'the unrolled graph SVG is shown');
      assert.ok((await page.locator('.bpttlab-check').count()) >= 5, 'the check cells printed their ✓ lines');
      await page.locator('.bpttlab-plot').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(BUILD, 'notebook-01-forward.png') });
      assert.deepEqual(seen.external, [], 'requests that tried to leave the machine');
      assert.deepEqual(
        seen.errors.filter((e) => e.startsWith('uncaught')),
        [],
        'uncaught exceptions in the Notebook page',
      );
      await page.close();
    } finally {
      await stop(server);
    }
  });
});

async function waitForServer(port: number, token: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the Jupyter server exited (${server.exitCode}):\n${log()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the Jupyter server did not answer within 60 s:\n${log()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
