// The student never meets the answer on the way: the lab `npm start` opens shows the chapters and the student's own
// exercise copies, and neither a solution nor the answers to the chapters' questions; the book holds neither.
// Teachers get both on purpose (`npm start -- --teacher`, `npm run book -- --teacher`), which is also what shows
// these checks can fail.
//
// The lab is started the README's way (`npm start -- --port P --no-browser`, with --work pointing at a folder under
// build/ instead of the student's own work/) and read through the running server's contents API.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, startLab, stopLab } from './lab-server';
import { answerCodeIn, answerLeaks, answerPhrases, filesUnder, leaks, solutionLines } from './leaks';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const skip =
  spawnSync('/usr/bin/python3', ['-c', 'import notebook, nbconvert'], { stdio: 'ignore' }).status === 0
    ? false
    : 'Jupyter is not installed for /usr/bin/python3 (npm test installs it)';

interface Cell {
  cell_type: string;
  source: string | string[];
}
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const SOLUTION = solutionLines();

test('the leak detector finds the solutions in the solution notebooks (so the checks below can fail)', () => {
  assert.ok(SOLUTION.length >= 13, `${SOLUTION.length} solution lines`);
  for (const f of fs.readdirSync(NOTEBOOKS).filter((x) => /-exercises-.*\.ipynb$/.test(x))) {
    assert.ok(leaks(fs.readFileSync(path.join(NOTEBOOKS, f), 'utf8')).length > 1, f);
  }
  for (const f of fs.readdirSync(path.join(NOTEBOOKS, 'exercises'))) {
    assert.deepEqual(leaks(fs.readFileSync(path.join(NOTEBOOKS, 'exercises', f), 'utf8')), [], f);
  }
});

test(
  "the leak detector finds the teachers' answers in notebooks/answers/, and in no chapter or student " + 'notebook',
  () => {
    assert.ok(answerPhrases().length >= 30, `${answerPhrases().length} answer phrases`);
    const answers = fs.readdirSync(path.join(NOTEBOOKS, 'answers')).filter((f) => f.endsWith('.md'));
    assert.ok(answers.length >= 10, answers.join(', '));
    for (const f of answers)
      assert.ok(answerLeaks(fs.readFileSync(path.join(NOTEBOOKS, 'answers', f), 'utf8')).length > 1, f);
    const students = [
      ...fs
        .readdirSync(NOTEBOOKS)
        .filter((f) => /^0\d-.*\.ipynb$/.test(f))
        .map((f) => path.join(NOTEBOOKS, f)),
      ...fs.readdirSync(path.join(NOTEBOOKS, 'exercises')).map((f) => path.join(NOTEBOOKS, 'exercises', f)),
    ];
    for (const f of students) assert.deepEqual(answerLeaks(fs.readFileSync(f, 'utf8')), [], f);
  },
);

interface Entry {
  name: string;
  path: string;
  type: string;
  content?: unknown;
}

/**
 * Every notebook the server offers, with its cells' text, and every other file with its text, read through
 * /api/contents.
 */
async function notebooksServed(url: string): Promise<Map<string, string>> {
  const u = new URL(url);
  const token = u.searchParams.get('token');
  const encoded = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  const api = (p: string, content: boolean): Promise<Entry> =>
    fetch(`${u.origin}/api/contents/${encoded(p)}?content=${content ? 1 : 0}&token=${token}`).then((r) => {
      if (!r.ok) throw new Error(`GET /api/contents/${p}: ${r.status}`);
      return r.json() as Promise<Entry>;
    });
  const out = new Map<string, string>();
  const walk = async (p: string): Promise<void> => {
    const dir = await api(p, true);
    for (const e of dir.content as Entry[]) {
      if (e.type === 'directory') await walk(e.path);
      else if (e.type === 'notebook') {
        const nb = (await api(e.path, true)).content as { cells: Cell[] };
        out.set(e.path, nb.cells.map(src).join('\n'));
      } else if (e.type === 'file') {
        out.set(e.path, String((await api(e.path, true)).content ?? ''));
      }
    }
  };
  await walk('');
  return out;
}

describe('the lab npm start opens', { skip, timeout: 10 * 60_000 }, () => {
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  const work = fs.mkdtempSync(path.join(ROOT, 'build', 'lab-work-'));
  let lab: ChildProcess | undefined;
  after(async () => {
    await stopLab(lab);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("shows the chapters and the student's own exercise copies, and no notebook holding a solution", async () => {
    const url = await startLab(['--port', String(await freePort()), '--no-browser', '--work', work], (c) => (lab = c));
    const served = await notebooksServed(url);
    const names = [...served.keys()];
    const chapters = fs.readdirSync(NOTEBOOKS).filter((f) => /^0\d-.*\.ipynb$/.test(f));
    assert.ok(chapters.length >= 9);
    for (const ch of chapters) assert.ok(names.includes(ch), `chapter ${ch} is shown`);
    const exercises = names.filter((n) => served.get(n)!.includes('bp.exercises.check('));
    assert.ok(exercises.length >= 3, `student exercise notebooks: ${exercises.join(', ')}`);
    for (const n of exercises) assert.match(served.get(n)!, /not implemented yet/, `${n} holds the stubs`);
    for (const [n, text] of served) assert.deepEqual(leaks(text), [], `${n} gives a solution away`);
    for (const [n, text] of served) assert.deepEqual(answerLeaks(text), [], `${n} gives a chapter's answers away`);
    assert.ok(!names.some((n) => /(^|\/)answers\//.test(n)), "no answers folder in the student's lab");
    // the copies are the student's own files in their folder; the chapters are links, so they never go stale
    for (const n of exercises) assert.ok(fs.lstatSync(path.join(work, n)).isFile());
    for (const ch of chapters) assert.ok(fs.lstatSync(path.join(work, ch)).isSymbolicLink());
    await stopLab(lab);
    lab = undefined;
  });

  test("a student's answer survives the next start; the teacher's lab (--teacher) shows the solutions", async () => {
    const mine = path.join(work, '20-forward-and-losses.ipynb');
    const nb = JSON.parse(fs.readFileSync(mine, 'utf8')) as { cells: Cell[] };
    const cell = nb.cells.find((c) => src(c).includes('function squaredGrad('))!;
    cell.source =
      'function squaredGrad(o: number[], y: number[]): number[] { return o.map((v, k) => v - y[k]); } // mine';
    fs.writeFileSync(mine, JSON.stringify(nb));
    const url = await startLab(
      ['--port', String(await freePort()), '--no-browser', '--work', work, '--teacher'],
      (c) => (lab = c),
    );
    const served = await notebooksServed(url);
    assert.ok(
      [...served.values()].some((t) => leaks(t).length > 0),
      "the teacher's lab holds the solutions",
    );
    assert.ok(
      [...served.keys()].some((n) => /^answers\/\d+-.*\.md$/.test(n) && answerLeaks(served.get(n)!).length > 0),
      'and the answers to the questions',
    );
    await stopLab(lab);
    lab = undefined;
    const again = await startLab(
      ['--port', String(await freePort()), '--no-browser', '--work', work],
      (c) => (lab = c),
    );
    assert.ok(again);
    assert.match(fs.readFileSync(mine, 'utf8'), /\/\/ mine/, "the student's answer is still there");
  });
});

describe('the book', { skip, timeout: 10 * 60_000 }, () => {
  const temps: string[] = [];
  const temp = (prefix: string): string => {
    const d = path.join(fs.mkdtempSync(path.join(ROOT, 'build', prefix)), 'book');
    temps.push(path.dirname(d));
    return d;
  };
  after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const book = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lab.mjs'), 'book', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  test('its exercise pages are the student versions: no file holds solution code or a marker', () => {
    const out = temp('book-');
    const r = book('--only', '2', '--out', out);
    assert.equal(r.status, 0, r.out);
    const pages = fs.readdirSync(out).filter((f) => f.endsWith('.html') && f !== 'index.html');
    assert.ok(pages.length >= 3, pages.join(', '));
    for (const f of filesUnder(out)) assert.deepEqual(leaks(fs.readFileSync(f, 'utf8')), [], f);
    // the exercise editors' scripts: no line of a solution or a mistake model (the page judges on precomputed tables)
    const scripts = filesUnder(out).filter((f) => f.endsWith('.js') && !f.includes(`${path.sep}mathjax${path.sep}`));
    assert.ok(
      scripts.some((f) => path.basename(f) === 'bpttlab-exercises.js'),
      'the exercise pages have their script',
    );
    for (const f of scripts) assert.deepEqual(answerCodeIn(fs.readFileSync(f, 'utf8')), [], f);
    for (const f of filesUnder(out)) assert.deepEqual(answerLeaks(fs.readFileSync(f, 'utf8')), [], f);
    assert.match(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), /<h2>Exercises<\/h2>/);
    assert.equal(
      book('--only', 'answers', '--out', temp('book-')).status,
      2,
      "the student's book has no answers page to render",
    );
  });

  test('site/, when built, holds no solution code or marker anywhere', {
    skip: fs.existsSync(path.join(ROOT, 'site')) ? false : 'site/ is not built (npm run book)',
  }, () => {
    for (const f of filesUnder(path.join(ROOT, 'site'))) assert.deepEqual(leaks(fs.readFileSync(f, 'utf8')), [], f);
    for (const f of filesUnder(path.join(ROOT, 'site')).filter((x) => /bpttlab-exercises.*\.js$/.test(x)))
      assert.deepEqual(answerCodeIn(fs.readFileSync(f, 'utf8')), [], f);
    for (const f of filesUnder(path.join(ROOT, 'site')))
      assert.deepEqual(answerLeaks(fs.readFileSync(f, 'utf8')), [], f);
  });

  test("the teacher's edition (--teacher) holds the solutions, executed, and is never written into site/", () => {
    const out = temp('book-teacher-');
    const r = book('--only', '20', '--teacher', '--out', out);
    assert.equal(r.status, 0, r.out);
    const page = fs.readFileSync(path.join(out, '20-forward-and-losses.html'), 'utf8');
    assert.ok(leaks(page).length > 0, 'the solutions are there');
    assert.match(page, /correct on all/, 'executed: the checks passed');
    const refused = book('--only', '20', '--teacher', '--out', path.join(ROOT, 'site', 'teacher'));
    assert.equal(refused.status, 2, refused.out);
    assert.match(refused.out, /may not be written into site\//);
  });

  test("the teacher's edition has a page of answers per chapter, listed on its index", () => {
    const out = temp('book-teacher-answers-');
    const r = book('--only', 'answers-0', '--teacher', '--out', out);
    assert.equal(r.status, 0, r.out);
    const pages = fs.readdirSync(out).filter((f) => /^answers-\d+-.*\.html$/.test(f));
    assert.equal(
      pages.length,
      fs.readdirSync(path.join(NOTEBOOKS, 'answers')).filter((f) => /^0\d-.*\.md$/.test(f)).length,
    );
    for (const f of pages)
      assert.ok(answerLeaks(fs.readFileSync(path.join(out, f), 'utf8')).length > 1, `${f} holds its answers`);
    assert.match(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), /<h2>Answers to the chapters' questions<\/h2>/);
  });
});
