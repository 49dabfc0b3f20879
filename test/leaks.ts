// What would give an exercise's solution away: a BEGIN/END SOLUTION marker, or a line of solution code (a line
// between the markers in notebooks/2N-exercises-*.ipynb that no chapter shows as well); and what would give a
// chapter's answers away (a phrase of notebooks/answers/*.md). HTML is read as its text.
import fs from 'node:fs';
import path from 'node:path';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

interface Cell {
  cell_type: string;
  source: string | string[];
}
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
const cells = (file: string): Cell[] => JSON.parse(fs.readFileSync(file, 'utf8')).cells as Cell[];

/** The solution code, line by line (whitespace collapsed), less anything a chapter shows too. */
export function solutionLines(): string[] {
  const chapters = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => /^\d+-.*\.ipynb$/.test(f) && !/-exercises-/.test(f))
    .map((f) => norm(cells(path.join(NOTEBOOKS, f)).map(src).join('\n')));
  const lines = new Set<string>();
  for (const f of fs.readdirSync(NOTEBOOKS).filter((x) => /-exercises-.*\.ipynb$/.test(x))) {
    for (const c of cells(path.join(NOTEBOOKS, f))) {
      const m = /\/\/ BEGIN SOLUTION\n([\s\S]*?)\/\/ END SOLUTION/.exec(src(c));
      if (!m) continue;
      for (const l of m[1].split('\n').map(norm))
        if (l.length >= 16 && !chapters.some((ch) => ch.includes(l))) lines.add(l);
    }
  }
  return [...lines];
}

const SOLUTION = solutionLines();

/**
 * The teachers' answers to the chapters' questions (notebooks/answers/*.md), as phrases that survive rendering to
 * HTML: the runs of plain prose between markdown's marks (maths, code, emphasis), at least 30 characters long, less
 * anything a chapter or an exercise notebook shows too (a question is repeated in its answer, and is not one).
 */
export function answerPhrases(): string[] {
  const dir = path.join(NOTEBOOKS, 'answers');
  if (!fs.existsSync(dir)) return [];
  const shown = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith('.ipynb'))
    .map((f) => norm(cells(path.join(NOTEBOOKS, f)).map(src).join('\n')));
  const phrases = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.md'))) {
    // the repeated questions
    const md = fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\d+\. \*\*.*\*\*$/gm, ' ');
    for (const part of md.split(/\$\$[\s\S]*?\$\$|\$[^$]*\$|`[^`]*`|\*\*|[*_#]|\n\s*\n/)) {
      const p = norm(part);
      if (p.length >= 30 && !shown.some((t) => t.includes(p))) phrases.add(p);
    }
  }
  return [...phrases];
}

const ANSWER_PHRASES = answerPhrases();

const plainText = (text: string): string =>
  norm(
    text
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/&amp;/g, '&'),
  );

/** What in a text (a notebook, an HTML page) gives a solution away; empty when nothing does. */
export function leaks(text: string): string[] {
  const plain = plainText(text);
  const found = SOLUTION.filter((l) => plain.includes(l));
  if (/BEGIN SOLUTION|END SOLUTION/.test(text)) found.unshift('a BEGIN/END SOLUTION marker');
  return found;
}

/** The teachers' answers a text (a notebook, a markdown file, an HTML page) holds; empty when none. */
export function answerLeaks(text: string): string[] {
  const plain = plainText(text);
  return ANSWER_PHRASES.filter((p) => plain.includes(p)).map((p) => `an answer: "${p.slice(0, 60)}…"`);
}

/** Every file under a folder. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

// --- the book's scripts: no answer code ---
// The exercise pages carry the expected outputs and the mistake models' outputs as numbers
// (src/teach/exercises/table.ts),
// never the code behind them. A script is scanned for the lines of src/teach/exercises/answers/ (the solutions, the
// mistake
// models and their helpers; not exercise.ts, whose mistakeModel() the judge uses), printed the way esbuild prints
// them when it bundles, so that a bundle that pulled them in is caught line by line. The lines that only hold the
// mistakes' ids, titles and hints (text a verdict shows) are not code and are left out.
const ANSWER_CODE = path.resolve(__dirname, '..', 'src', 'teach', 'exercises', 'answers');

/** The code lines of the answers, as esbuild prints them (trimmed, 30 characters or more). */
export function answerCodeLines(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { transformSync } = require('esbuild') as typeof import('esbuild');
  const lines = new Set<string>();
  for (const f of fs.readdirSync(ANSWER_CODE).filter((x) => x.endsWith('.ts') && x !== 'exercise.ts')) {
    const js = transformSync(fs.readFileSync(path.join(ANSWER_CODE, f), 'utf8'), { loader: 'ts', format: 'esm' }).code;
    for (const l of js.split('\n').map((x) => x.trim())) {
      if (l.length < 30 || /^(import|export|\/\/)\b|\b(id|title|hint):/.test(l)) continue;
      lines.add(l);
    }
  }
  return [...lines];
}

let ANSWER_LINES: Set<string> | null = null;
/** The answer code lines a script holds; empty when it holds none. */
export function answerCodeIn(js: string): string[] {
  ANSWER_LINES ??= new Set(answerCodeLines());
  const lines = ANSWER_LINES;
  return [
    ...new Set(
      js
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => lines.has(l)),
    ),
  ];
}
