// The book's page titles outside the pages (the index, the navigation bars, the browser's tab): the notebooks'
// headings, their LaTeX written as text by scripts/book/title.mjs, since nothing typesets it there. The built book is
// checked the same way in test/browser.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { UNRENDERED } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');

interface Titles {
  titleText: (title: string) => string;
  titleHtml: (title: string) => string;
}
const load = async () => (await import(path.join(ROOT, 'scripts', 'book', 'title.mjs'))) as Titles;

/** Each page's title as scripts/book/render.py takes it: the first `# ` line of a markdown cell (or of the answers). */
function headings(): { file: string; title: string }[] {
  const out: { file: string; title: string }[] = [];
  const first = (file: string, markdown: string[]) => {
    const line = markdown.flatMap((m) => m.split('\n')).find((l) => l.startsWith('# '));
    if (line) out.push({ file, title: line.replace(/^#+\s*/, '').trim() });
  };
  for (const dir of ['', 'exercises']) {
    for (const f of fs.readdirSync(path.join(NOTEBOOKS, dir)).filter((n) => n.endsWith('.ipynb'))) {
      const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, dir, f), 'utf8')) as {
        cells: { cell_type: string; source: string | string[] }[];
      };
      const markdown = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => [c.source].flat().join(''));
      first(path.join(dir, f), markdown);
    }
  }
  const answers = path.join(NOTEBOOKS, 'answers');
  for (const f of fs.readdirSync(answers).filter((n) => n.endsWith('.md')))
    first(path.join('answers', f), [fs.readFileSync(path.join(answers, f), 'utf8')]);
  return out;
}

test('every page title of the book, as text and as HTML, shows no unrendered LaTeX', async () => {
  const { titleText, titleHtml } = await load();
  const all = headings();
  assert.ok(all.length >= 13 + 8 + 13, `the chapters, the exercise pages and the answers: found ${all.length}`);
  assert.ok(
    all.some((h) => UNRENDERED.test(h.title)),
    'some heading is written in LaTeX (the check below can fail)',
  );
  for (const { file, title } of all) {
    assert.doesNotMatch(titleText(title), UNRENDERED, `${file}: ${titleText(title)}`);
    assert.doesNotMatch(titleHtml(title), UNRENDERED, `${file}: ${titleHtml(title)}`);
  }
});

test("chapter 3's title: ∇ with the subscript h(t), italic as MathJax sets it; plain text for the tab", async () => {
  const { titleText, titleHtml } = await load();
  const tex = String.raw`3 · The $\nabla_{h^{(t)}} L$ recursion (eqs 10.19–10.21)`;
  assert.equal(titleText(tex), '3 · The ∇h(t) L recursion (eqs 10.19–10.21)');
  assert.equal(titleHtml(tex), '3 · The ∇<sub><i>h</i>(<i>t</i>)</sub> <i>L</i> recursion (eqs 10.19–10.21)');
  assert.equal(titleHtml('a < b & c'), 'a &lt; b &amp; c', 'text outside the maths is escaped');
});

test('LaTeX the book cannot write as text stops the build, naming the title and the command', async () => {
  const { titleText } = await load();
  assert.throws(() => titleText(String.raw`The $\frac{a}{b}$ rule`), /"The \$\\frac\{a\}\{b\}\$ rule".*: \\frac/);
  assert.throws(() => titleText('an $unclosed formula'), /has an unclosed \$/);
});
