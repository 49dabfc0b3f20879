// The exercises of the student book, solved and checked in the page, in a real browser (Chromium via playwright-core,
// Debian's /usr/bin/chromium), the way a student meets them: the book opened from disk (file://), code typed with the
// keyboard (select all, insert text), Check pressed with its shortcut. For dW, dh-step and full-backward: a correct
// solution is `correct`; a classic mistake gets that mistake's id, with the verdict `bpttlab check --json` gives
// for the same code; an endless loop is a `timeout`, after which a correct solution still checks; the code is still
// there after a reload. Also: Tab indents and Esc leaves the editor, a syntax error names its line, the download is
// a file `bpttlab check` accepts, the index marks the solved exercises, no request leaves file:/data:/blob:, and no
// page logs a console error. The exercise pages are built for the test (scripts/book.mjs --only 2, into a temporary
// folder; they need no kernel). Screenshots for a person: build/book-exercise-*.png.
// Skipped, with the reason, when Chromium is absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { runCheckCommand } from '../src/cli/check';
import { isLocalFile, launchChromium, skipWithoutChromium } from './chromium';
import { answerCodeIn, filesUnder, leaks } from './leaks';

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');

// What a student would type: written here, not taken from the solution notebooks.
const SOLUTIONS: Record<string, string> = {
  dW: `function gradW(h0: number[], h: number[][], dh: number[][]): number[][] {
  const n = h0.length;
  const g: number[][] = [];
  for (let i = 0; i < n; i++) g.push(new Array(n).fill(0));
  for (let t = 0; t < h.length; t++) {
    const before = t === 0 ? h0 : h[t - 1];
    for (let i = 0; i < n; i++) {
      const da = (1 - h[t][i] * h[t][i]) * dh[t][i];
      for (let j = 0; j < n; j++) g[i][j] += da * before[j];
    }
  }
  return g;
}`,
  'dh-step': `function dhStep(dhNext: number[], hNext: number[], dO: number[], W: number[][], V: number[][]): number[] {
  const out: number[] = [];
  for (let j = 0; j < W.length; j++) {
    let s = 0;
    for (let i = 0; i < W.length; i++) s += W[i][j] * (1 - hNext[i] ** 2) * dhNext[i];
    for (let k = 0; k < V.length; k++) s += V[k][j] * dO[k];
    out.push(s);
  }
  return out;
}`,
  'full-backward': `type Grads = { dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] };

function bptt(x: number[][], h0: number[], h: number[][], dO: number[][], W: number[][], V: number[][]): Grads {
  const n = h0.length;
  const zero = (r: number, c: number): number[][] => Array.from({ length: r }, () => new Array(c).fill(0));
  const dU = zero(n, x[0].length), dW = zero(n, n), dV = zero(dO[0].length, n);
  const db = new Array(n).fill(0), dc = new Array(dO[0].length).fill(0);
  let carry = new Array(n).fill(0);
  for (let t = h.length - 1; t >= 0; t--) {
    const dh = carry.slice();
    for (let k = 0; k < dO[t].length; k++) {
      dc[k] += dO[t][k];
      for (let j = 0; j < n; j++) { dV[k][j] += dO[t][k] * h[t][j]; dh[j] += V[k][j] * dO[t][k]; }
    }
    const da = dh.map((v, i) => (1 - h[t][i] * h[t][i]) * v);
    const prev = t > 0 ? h[t - 1] : h0;
    carry = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      db[i] += da[i];
      for (let j = 0; j < n; j++) { dW[i][j] += da[i] * prev[j]; carry[j] += W[i][j] * da[i]; }
      for (let j = 0; j < x[t].length; j++) dU[i][j] += da[i] * x[t][j];
    }
  }
  return { dU, dW, dV, db, dc };
}`,
};

/** Each exercise's classic mistake: the correct code with one edit, and the id the checker names. */
const MISTAKES: Record<string, { from: string; to: string; id: string }> = {
  dW: { from: 'const before = t === 0 ? h0 : h[t - 1];', to: 'const before = h[t];', id: 'uses-h-t' },
  'dh-step': { from: 's += W[i][j] *', to: 's += W[j][i] *', id: 'W-not-transposed' },
  'full-backward': { from: 'const dh = carry.slice();', to: 'const dh = new Array(n).fill(0);', id: 'no-carry' },
};

const ENDLESS: Record<string, string> = {
  dW:
    'function gradW(h0: number[], h: number[][], dh: number[][]): number[][] {\n  let s = 0;\n  for (let t = 0; t ' +
    '< h.length; t--) s += t; // counts the wrong way\n  return [[s]];\n}',
  'dh-step': 'function dhStep(dhNext: number[]): number[] {\n  while (true) {}\n}',
  'full-backward': 'function bptt(): never {\n  for (;;) {}\n}',
};

interface Manifest {
  chapters: { file: string; kind: string; exercises?: string[] }[];
}

describe("the book's exercises, checked in the page", { skip: skipWithoutChromium, timeout: 10 * 60_000 }, () => {
  let out = '';
  let manifest: Manifest;
  let profile = '';
  let browser: BrowserContext;
  const errors: string[] = [];
  const external: string[] = [];

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-book-exercises-'));
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'book.mjs'), '--only', '2', '--out', path.join(out, 'site')],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`node scripts/book.mjs --only 2 failed:\n${r.stdout}${r.stderr}`);
    manifest = JSON.parse(fs.readFileSync(path.join(out, 'site', 'manifest.json'), 'utf8')) as Manifest;
    fs.mkdirSync(BUILD, { recursive: true });
    profile = fs.mkdtempSync(path.join(out, 'profile-'));
    browser = await launchChromium(profile, {
      acceptDownloads: true,
      viewport: { width: 1100, height: 900 },
    });
  });
  after(async () => {
    await browser?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const fileOf = (name: string): string => {
    const c = manifest.chapters.find((x) => x.exercises?.includes(name));
    assert.ok(c, `no page of the book poses exercise ${name}`);
    return pathToFileURL(path.join(out, 'site', c.file)).href;
  };

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${url}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${url}: uncaught ${String(e)}`));
    page.on('request', (q) => {
      if (!isLocalFile(q.url())) external.push(q.url());
    });
    await page.route(/^(?!file:|data:|blob:)/, (route) => route.abort());
    await page.goto(url);
    return page;
  }

  /** The exercise's editable element (its first), focused, its text replaced as a student does it. */
  async function type(box: Locator, code: string): Promise<void> {
    const editor = box.locator('[contenteditable="true"]').first();
    await editor.click();
    await box.page().keyboard.press('Control+A');
    await box.page().keyboard.insertText(code);
  }

  /** The editor's text, line by line. */
  const editorText = (box: Locator): Promise<string> =>
    box
      .locator('.cm-line')
      .allTextContents()
      .then((ls) => ls.join('\n'));

  /** Check by its shortcut, and the verdict once it is written (data-pending gone, data-status set). */
  async function check(box: Locator): Promise<{ status: string | null; mistake: string | null; text: string }> {
    const verdict = box.locator('[data-verdict]');
    await box.page().keyboard.press('Control+Enter');
    await verdict.and(box.page().locator(':not([data-pending])[data-status]')).waitFor({ timeout: 30_000 });
    return {
      status: await verdict.getAttribute('data-status'),
      mistake: await verdict.getAttribute('data-mistake'),
      text: (await verdict.textContent()) ?? '',
    };
  }

  /** `bpttlab check NAME FILE --json` on the same code, as the download button writes it. */
  async function cli(
    name: string,
    text: string,
  ): Promise<{ code: number; verdict: { status: string; mistake?: { id: string }; text: string } }> {
    const file = path.join(out, `${name}-${Math.random().toString(36).slice(2)}.ts`);
    fs.writeFileSync(file, text);
    let stdout = '';
    const code = await runCheckCommand(
      [name, file, '--json'],
      (s) => (stdout += s),
      () => undefined,
    );
    return { code, verdict: JSON.parse(stdout) };
  }
  const asFile = (name: string, code: string): string =>
    `${code}\nexport { ${SOLUTIONS[name].match(/function (\w+)/)![1]} };\n`;

  for (const name of ['dW', 'dh-step', 'full-backward']) {
    test(
      `${name}: correct, its classic mistake (the CLI's verdict), an endless loop (timeout), correct again, and ` +
        `the code kept across a reload`,
      async () => {
        const page = await open(`${fileOf(name)}#exercise-${name}`);
        const box = page.locator(`[data-exercise="${name}"]`);
        assert.equal(await box.count(), 1);
        assert.equal(await box.locator('[data-verdict]').count(), 1);
        assert.equal(await box.locator('[data-action="check"]').count(), 1);

        await type(box, SOLUTIONS[name]);
        const right = await check(box);
        assert.equal(right.status, 'correct', right.text);

        const m = MISTAKES[name];
        assert.ok(SOLUTIONS[name].includes(m.from));
        const wrongCode = SOLUTIONS[name].replace(m.from, m.to);
        await type(box, wrongCode);
        const wrong = await check(box);
        assert.deepEqual([wrong.status, wrong.mistake], ['mistake', m.id], wrong.text);
        const byCli = await cli(name, asFile(name, wrongCode));
        assert.equal(byCli.code, 1);
        assert.deepEqual(
          [byCli.verdict.status, byCli.verdict.mistake?.id, byCli.verdict.text],
          [wrong.status, wrong.mistake, wrong.text],
        );
        await box.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(BUILD, `book-exercise-${name}-mistake.png`) });

        await type(box, ENDLESS[name]);
        const started = Date.now();
        const verdict = box.locator('[data-verdict]');
        await page.keyboard.press('Control+Enter');
        // the page stays responsive while the worker spins: the editor still takes input
        await page.waitForTimeout(1000);
        assert.equal(await verdict.getAttribute('data-pending'), 'true');
        assert.equal(await page.evaluate(() => 6 * 7), 42);
        await verdict.and(page.locator(':not([data-pending])[data-status]')).waitFor({ timeout: 30_000 });
        assert.equal(await verdict.getAttribute('data-status'), 'timeout', (await verdict.textContent()) ?? '');
        assert.ok(Date.now() - started >= 9_500, 'stopped at the 10 s limit');
        assert.match((await verdict.textContent()) ?? '', /did not return in time/);

        await type(box, SOLUTIONS[name]);
        assert.equal((await check(box)).status, 'correct');

        await page.reload();
        const kept = page.locator(`[data-exercise="${name}"] .cm-content`);
        await kept.waitFor();
        assert.equal(await editorText(page.locator(`[data-exercise="${name}"]`)), SOLUTIONS[name]);
        assert.equal(
          await page.locator(`[data-exercise="${name}"] [data-solved-mark]`).isVisible(),
          true,
          'marked solved',
        );
        await page.close();
      },
    );
  }

  test(
    'keyboard: Tab indents in the editor, Esc leaves it (to Check), the shortcut is shown; a syntax error names ' +
      'its line',
    async () => {
      const page = await open(fileOf('dV'));
      const box = page.locator('[data-exercise="dV"]');
      await type(box, 'function gradV(h: number[][], dO: number[][]): number[][] {\nreturn [];\n}');
      await page.keyboard.press('ArrowUp'); // the cursor is at the end of line 3: up to line 2
      await page.keyboard.press('Home');
      await page.keyboard.press('Tab');
      const doc = await editorText(box);
      assert.match(doc, /\n {2}return \[\];/);
      assert.equal(
        await page.evaluate("document.activeElement?.classList.contains('cm-content')"),
        true,
        'Tab stays in the editor',
      );
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-action')"), 'check');
      assert.match((await box.locator('.bpttlab-keys').textContent()) ?? '', /Ctrl\+Enter runs Check/);

      await type(box, 'function gradV(h: number[][], dO: number[][]): number[][] {\n  const g = [;\n  return g;\n}');
      const v = await check(box);
      assert.equal(v.status, 'syntax-error');
      assert.match(v.text, /syntax error at line 2, column/);
      await page.close();
    },
  );

  test('the downloaded file passes `bpttlab check` for a correct solution', async () => {
    const page = await open(fileOf('dW'));
    const box = page.locator('[data-exercise="dW"]');
    await type(box, SOLUTIONS.dW);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      box.locator('[data-action="download"]').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'dW.ts');
    const file = path.join(out, 'downloaded-dW.ts');
    await download.saveAs(file);
    let stdout = '';
    const code = await runCheckCommand(
      ['dW', file],
      (s) => (stdout += s),
      (s) => (stdout += s),
    );
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✔ dW .*correct on all/);
    await page.close();
  });

  test('the index marks the solved exercises, and the others not', async () => {
    const page = await open(pathToFileURL(path.join(out, 'site', 'index.html')).href);
    for (const name of ['dW', 'dh-step', 'full-backward'])
      assert.equal(await page.locator(`[data-solved="${name}"]`).isVisible(), true, name);
    for (const name of ['dU', 'clip-norm', 'forward-step'])
      assert.equal(await page.locator(`[data-solved="${name}"]`).isVisible(), false, name);
    assert.match((await page.locator('#solved-total').textContent()) ?? '', /^3 of \d+ exercises solved/);
    await page.screenshot({ path: path.join(BUILD, 'book-exercise-index.png'), fullPage: true });
    await page.close();
  });

  test("Reset puts the stub back and can be undone; a rebuilt book keeps the student's code", async () => {
    let page = await open(fileOf('dW'));
    let box = page.locator('[data-exercise="dW"]');
    assert.equal(await editorText(box), SOLUTIONS.dW);
    await box.locator('[data-action="reset"]').click();
    assert.match(await editorText(box), /not implemented yet: gradW/);
    assert.equal(await box.locator('[data-action="reset"]').textContent(), 'Undo the reset');
    await box.locator('[data-action="reset"]').click();
    assert.equal(await editorText(box), SOLUTIONS.dW);
    await page.close();
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'book.mjs'), '--only', '21', '--out', path.join(out, 'site')],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    page = await open(fileOf('dW'));
    box = page.locator('[data-exercise="dW"]');
    await box.locator('.cm-content').waitFor();
    assert.equal(await editorText(box), SOLUTIONS.dW);
    await page.close();
  });

  test(
    'no request left file:, data: or blob:, no page logged a console error, and no file of the book gives a ' +
      'solution away',
    () => {
      assert.deepEqual(external, []);
      assert.deepEqual(errors, []);
      for (const f of filesUnder(path.join(out, 'site'))) {
        const text = fs.readFileSync(f, 'utf8');
        assert.deepEqual(leaks(text), [], f);
        if (f.endsWith('.js')) assert.deepEqual(answerCodeIn(text), [], f);
      }
    },
  );
});
