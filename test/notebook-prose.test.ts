// The teaching rule for prose: a sentence that states a number or a behaviour is computed from the values or
// followed by an assertion that fails when it is false.
//
// Numbers in a markdown cell may only be
//   - equation, section, chapter and figure numbers ("eqs 10.19–10.21", "§10.2.2", "chapter 6", "Fig. 10.3"),
//   - years (citations),
//   - 0, 1 and 2 (indices and constants: t + 1, 1 − h², ½ · 2), and inside maths small integers up to 12 that are
//     part of a formula (exponents, coefficients), unless they stand next to ≈ / "about" / "around",
//   - sizes and settings ("τ = 30", "k = 10", "10%") that the notebook's code sets literally,
//   - any value that the next code cell sets literally.
// Anything else (a measured value, a rate, an error) must be rendered from the values by bp.claim(...) in a code
// cell, which asserts what it prints.
//
// Behaviour ("falls", "most", "about", "≈", "learns", ...) in a markdown cell needs an assertion in the code cells
// that follow it, before the next markdown cell (bp.claim, bp.expectTrue, bp.expectClose, ...). A chapter's first
// cell (its introduction, whose claims the chapter then checks) and `## Questions` cells are exempt from this part.
//
// And the rule cannot be met by deleting the measurements: the chapters that measure things keep their claims.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

interface Cell {
  cell_type: 'markdown' | 'code' | 'raw';
  source: string | string[];
}

const text = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);

// ---------------------------------------------------------------- numbers

const SUPERSCRIPT: Record<string, string> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
  '⁻': '-',
};

/** The numeric literals of a code cell, as numbers (1e-4, 0.5, 30, 1_000). */
export function codeLiterals(code: string): Set<number> {
  const out = new Set<number>();
  const stripped = code.replace(/\/\/.*$/gm, ''); // a number in a comment is not a setting
  for (const m of stripped.matchAll(/(?<![\w.])(\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)(?![\w])/gi)) {
    out.add(Number(m[1].replace(/_/g, '')));
  }
  return out;
}

const REF = String.raw`\d+(?:\.\d+)*[a-z]?(?:\s*(?:[–-]|\\text\{[–-]\})\s*\d+(?:\.\d+)*[a-z]?)?`;
// the words that introduce a reference: "eq 10.9", "§10.2.2", "chapters 3 and 4", "fig. 2" ...
const REF_WORDS = [
  String.raw`\beqs?\.?`,
  String.raw`\bequations?`,
  '§',
  String.raw`\bchapters?`,
  String.raw`\bnotebooks?`,
  String.raw`\bexercises`,
  String.raw`\bsections?`,
  String.raw`\bfig(?:ure)?s?\.?`,
  String.raw`\bch\.`,
];
const REFS = new RegExp(String.raw`(?:${REF_WORDS.join('|')})\s*${REF}(?:\s*(?:,|and|or|to)\s*(?:§\s*)?${REF})*`, 'gi');

export interface Found {
  /** The number as written. */
  readonly raw: string;
  /** Its value (10^{-9} → 1e-9, 10% → 10). */
  readonly value: number;
  readonly inMath: boolean;
  /** Next to ≈, ~, "about", "around", "roughly", ...: a measured value even when small. */
  readonly approx: boolean;
  readonly context: string;
}

/** Splits markdown into prose and maths spans, with code spans, links' targets, HTML tags and references removed. */
function spans(md: string): { text: string; math: boolean }[] {
  let s = md
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, '] ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/^(#+)\s+\d+\s*·/gm, '$1') // chapter and section numbers in headings: "# 3 · …", "## 4 · …"
    .replace(/^(\s*)\d+\.\s/gm, '$1'); // ordered-list markers
  s = s.replace(/\(\s*10\.\d+\s*\)/g, ' '); // equation tags (10.8) in aligned maths
  s = s.replace(/\((?:10\.\d+)(?:\\text\{[–-]\}10\.\d+)?\)/g, ' ');
  const out: { text: string; math: boolean }[] = [];
  const re = /\$\$[\s\S]*?\$\$|\$[^$]+\$/g;
  let last = 0;
  for (const m of s.matchAll(re)) {
    out.push({ text: s.slice(last, m.index), math: false });
    out.push({ text: m[0], math: true });
    last = (m.index ?? 0) + m[0].length;
  }
  out.push({ text: s.slice(last), math: false });
  return out.map((p) => ({ ...p, text: p.text.replace(REFS, ' ') }));
}

const APPROX =
  /(≈|\\approx|~|\\sim|\babout\b|\baround\b|\broughly\b|\bnearly\b|\balmost\b|\bapproximately\b)\s*\$?\s*$/i;

/** Every number in a markdown cell that is not an equation/section/chapter reference. */
export function numbersIn(md: string): Found[] {
  const found: Found[] = [];
  for (const sp of spans(md)) {
    let t = sp.text;
    // identifiers with digits are names, not quantities: float64, log2, tanh2, S1, k1 (k_1 is maths)
    t = t.replace(/\b[A-Za-z][A-Za-z_]*\d+[A-Za-z\d_]*\b/g, ' ');
    if (sp.math) t = t.replace(/\\[a-zA-Z]+/g, (m) => ` ${m} `);
    const times10 = String.raw`\s*(?:\\cdot|·|×|\\times)\s*10\s*\^?\s*\{?\s*([-−]?\d+)\s*\}?`; // 3 × 10^{-5}
    const power = String.raw`\s*\^\s*\{\s*([-−]\d+)\s*\}`; // 10^{-3}
    const superscript = '([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)'; // 10⁻³
    const re = new RegExp(String.raw`(\d+(?:\.\d+)?)(?:${times10}|${power}|${superscript})?(\s*%)?`, 'g');
    for (const m of t.matchAll(re)) {
      const [whole, base, expA, expB, sup, pct] = m;
      const idx = m.index ?? 0;
      // digits glued to a letter or a sub/superscript brace are indices: h_1, x^{(2)}, 2k
      const before = t.slice(Math.max(0, idx - 1), idx);
      if (/[A-Za-z_]/.test(before)) continue;
      let value = Number(base);
      if (expA !== undefined) value *= 10 ** Number(expA.replace('−', '-'));
      else if (expB !== undefined) value = Number(base) ** Number(expB.replace('−', '-'));
      else if (sup !== undefined) value = Number(base) ** Number([...sup].map((ch) => SUPERSCRIPT[ch]).join(''));
      const head = t.slice(Math.max(0, idx - 16), idx);
      found.push({
        raw: whole.trim(),
        value: pct ? value : value,
        inMath: sp.math,
        approx: APPROX.test(head),
        context: t
          .slice(Math.max(0, idx - 40), idx + whole.length + 20)
          .replace(/\s+/g, ' ')
          .trim(),
      });
    }
  }
  return found;
}

// the names of sizes and settings, as prose or LaTeX writes them
const SIZE_NAMES = [
  String.raw`τ|\\tau|\bT|\bH|n_h|n_\{h\}`,
  String.raw`\bD|\bK|\bB|\bk|k_1|k_2|k_\{1\}|k_\{2\}`,
  String.raw`\bN|\bm|\\sigma_\{?\\max\}?|\\pi|\\varepsilon|\\epsilon|lag|seed`,
];
const SIZE = new RegExp(String.raw`(?:${SIZE_NAMES.join('|')})\s*(?:=|\\le|≤)\s*$`);

/** Why a number is allowed, or null. */
function allowed(f: Found, next: Set<number>, anyCode: Set<number>, prefix: string): string | null {
  const v = f.value;
  const has = (set: Set<number>): boolean =>
    set.has(v) || set.has(v / 100) || [...set].some((x) => x !== 0 && Math.abs(x - v) <= 1e-12 * Math.abs(x));
  if (has(next)) return 'set by the next code cell';
  if (f.approx) return null;
  if (Number.isInteger(v) && v >= 0 && v <= 2) return 'a structural 0, 1 or 2';
  if (f.inMath && Number.isInteger(v) && v >= 0 && v <= 12 && !/\./.test(f.raw)) return 'a small integer in a formula';
  if (/^(1[89]|20)\d\d$/.test(f.raw)) return 'a year';
  if (SIZE.test(prefix) && has(anyCode)) return 'a size the code sets';
  return null;
}

/** Numbers in a notebook's markdown that break the rule: [cell index, the number, its context]. */
export function unclaimed(cells: readonly Cell[]): { cell: number; raw: string; context: string }[] {
  const anyCode = new Set<number>();
  for (const c of cells) if (c.cell_type === 'code') for (const v of codeLiterals(text(c))) anyCode.add(v);
  const bad: { cell: number; raw: string; context: string }[] = [];
  cells.forEach((c, i) => {
    if (c.cell_type !== 'markdown') return;
    const nextCode = cells.slice(i + 1).find((d) => d.cell_type === 'code');
    const next = nextCode ? codeLiterals(text(nextCode)) : new Set<number>();
    for (const f of numbersIn(text(c))) {
      const prefix = f.context.slice(0, f.context.lastIndexOf(f.raw));
      if (!allowed(f, next, anyCode, prefix)) bad.push({ cell: i, raw: f.raw, context: f.context });
    }
  });
  return bad;
}

// ---------------------------------------------------------------- behaviour

/** Words that state a behaviour or a measurement. */
const BEHAVIOUR_WORDS = [
  ...['falls?', 'grows?', 'shrinks?', 'decays?', 'vanish(?:es)?', 'explodes?', 'stays?'],
  ...['most(?: of)?', 'majority', 'roughly', 'approximately', 'nearly'],
  ...['learns?', 'fails?', 'beats?', 'outperforms?', 'better', 'worse', 'faster', 'slower'],
  ...['far (?:below|above)', 'misses? (?:less|more)'],
];
export const BEHAVIOUR = new RegExp(String.raw`\b(${BEHAVIOUR_WORDS.join('|')})\b|≈|\\approx`, 'i');

const ASSERTION = /\bbp\.(claim|expect\w*)\s*\(|\bassert\w*\s*\(/;

/** Markdown cells that state a behaviour with no assertion in the code cells after them (before the next markdown). */
export function unasserted(cells: readonly Cell[]): { cell: number; words: string }[] {
  const bad: { cell: number; words: string }[] = [];
  cells.forEach((c, i) => {
    if (c.cell_type !== 'markdown' || i === 0) return;
    const md = text(c);
    if (/^#+\s*Questions\b/m.test(md)) return;
    const prose = spans(md)
      .filter((s) => !s.math)
      .map((s) => s.text)
      .join(' '); // ≈ in a formula is a definition
    const m = BEHAVIOUR.exec(prose);
    if (!m) return;
    let asserted = false;
    for (let j = i + 1; j < cells.length && cells[j].cell_type !== 'markdown'; j++) {
      if (cells[j].cell_type === 'code' && ASSERTION.test(text(cells[j]))) asserted = true;
    }
    if (!asserted) bad.push({ cell: i, words: m[0] });
  });
  return bad;
}

// ---------------------------------------------------------------- the notebooks

function notebooks(): string[] {
  const top = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith('.ipynb'))
    .map((f) => path.join(NOTEBOOKS, f));
  const exDir = path.join(NOTEBOOKS, 'exercises');
  const ex = fs.existsSync(exDir)
    ? fs
        .readdirSync(exDir)
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => path.join(exDir, f))
    : [];
  return [...top, ...ex].sort();
}

const cellsOf = (file: string): Cell[] => JSON.parse(fs.readFileSync(file, 'utf8')).cells;

/** Chapters that measure things keep their measured statements, asserted: at least this many bp.claim(...) calls. */
const CLAIMS_AT_LEAST: Record<string, number> = {
  '03-dh-recursion.ipynb': 1,
  '06-vanishing-exploding.ipynb': 3,
  '07-truncated-bptt.ipynb': 3,
  '08-training.ipynb': 2,
};

describe('the rule itself', () => {
  test('a measured number in prose is caught; references, years, sizes and literals of the next cell are not', () => {
    const cells: Cell[] = [
      { cell_type: 'markdown', source: '# 6 · Title\n\nAs eqs 10.19–10.21 and §10.2.2 (Williams & Peng 1990) say.' },
      { cell_type: 'code', source: 'const T = 30;' },
      {
        cell_type: 'markdown',
        source: 'With $\\tau = 30$ and $\\sigma_{\\max} = 0.5$ it falls to about $10^{-9}$ after 29 steps.',
      },
      { cell_type: 'code', source: 'const s = 0.5;' },
    ];
    assert.deepEqual(
      unclaimed(cells).map((b) => b.raw),
      ['10^{-9}', '29'],
    );
  });
  test('a formula keeps its small integers, but not next to ≈', () => {
    const cells: Cell[] = [
      {
        cell_type: 'markdown',
        source:
          'The stencil $\\frac{8 L_1 - L_2}{12\\varepsilon}$ has error $O(\\varepsilon^4)$, and $3^{29} \\approx 7$.',
      },
    ];
    assert.deepEqual(
      unclaimed(cells).map((b) => b.raw),
      ['29', '7'],
    );
  });
  test('behaviour needs an assertion after it', () => {
    const cells: Cell[] = [
      { cell_type: 'markdown', source: '# 6 · Title' },
      { cell_type: 'markdown', source: 'The norm falls geometrically.' },
      { cell_type: 'code', source: 'bp.show(fig);' },
      { cell_type: 'markdown', source: 'The norm falls geometrically.' },
      { cell_type: 'code', source: 'bp.claim(`falls`, a < b);' },
    ];
    assert.deepEqual(
      unasserted(cells).map((b) => b.cell),
      [1],
    );
  });
});

describe('notebook prose: claims are computed or asserted', () => {
  for (const file of notebooks()) {
    const rel = path.relative(NOTEBOOKS, file);
    test(`${rel}: every number in its markdown is a reference, a size, or set by the code`, () => {
      const bad = unclaimed(cellsOf(file));
      assert.deepEqual(
        bad.map((b) => `cell ${b.cell}: ${b.raw} in "…${b.context}…"`),
        [],
        `${rel}: render these from the values with bp.claim(...), or set them literally in the next code cell`,
      );
    });
    test(`${rel}: every behaviour its markdown states is asserted by the code after it`, () => {
      const bad = unasserted(cellsOf(file));
      assert.deepEqual(
        bad.map((b) => `cell ${b.cell}: "${b.words}"`),
        [],
        `${rel}: add bp.claim / bp.expect… after these cells`,
      );
    });
  }
  for (const [name, n] of Object.entries(CLAIMS_AT_LEAST)) {
    test(`${name} keeps at least ${n} measured statements as bp.claim(...)`, () => {
      const code = cellsOf(path.join(NOTEBOOKS, name))
        .filter((c) => c.cell_type === 'code')
        .map(text)
        .join('\n');
      const count = (code.match(/\bbp\.claim\s*\(/g) ?? []).length;
      assert.ok(count >= n, `${name} has ${count} bp.claim(...) calls, expected at least ${n}`);
    });
  }
});

// ---------------------------------------------------------------- questions and their answers

/** The numbered items of a markdown text ("1. …"), as their first lines. */
const items = (md: string): string[] => [...md.matchAll(/^(\d+)\. (.*)$/gm)].map((m) => `${m[1]}. ${m[2]}`);

describe("every chapter ends with ## Questions, and the teachers' answers follow the same rule", () => {
  const chapters = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => /^0\d-.*\.ipynb$/.test(f))
    .sort();
  test('the chapters 00–09 are all here', () => {
    assert.ok(chapters.length >= 10, chapters.join(', '));
  });
  for (const ch of chapters) {
    const name = ch.replace(/\.ipynb$/, '');
    const cells = cellsOf(path.join(NOTEBOOKS, ch));
    const last = cells[cells.length - 1];
    const answersFile = path.join(NOTEBOOKS, 'answers', `${name}.md`);
    test(`${ch}: its last cell is "## Questions", 3 to 6 numbered questions, none pointing to the answers`, () => {
      assert.equal(last.cell_type, 'markdown');
      assert.match(text(last), /^## Questions\n/);
      const qs = items(text(last));
      assert.ok(qs.length >= 3 && qs.length <= 6, `${qs.length} questions`);
      assert.deepEqual(
        qs.map((q) => Number(q.split('.')[0])),
        qs.map((_, i) => i + 1),
        'numbered 1, 2, …',
      );
      assert.doesNotMatch(
        cells.map(text).join('\n'),
        /notebooks\/answers|answers\//,
        'a chapter never points to the answers',
      );
    });
    test(
      `${ch}: notebooks/answers/${name}.md answers each question, numbered to match, with no number the chapter ` +
        `does not set`,
      () => {
        assert.ok(fs.existsSync(answersFile), answersFile);
        const md = fs.readFileSync(answersFile, 'utf8');
        const qs = items(text(last));
        const as = items(md);
        assert.equal(as.length, qs.length, 'one answer per question');
        // each answer repeats its question (in bold) so a teacher can read the file on its own
        as.forEach((a, i) =>
          assert.ok(a.includes(qs[i].replace(/^\d+\. /, '')), `answer ${i + 1} repeats question ${i + 1}`),
        );
        // the markdown number rule, with the chapter's code as the code that sets sizes and values
        const asCells: Cell[] = [
          ...cells.filter((c) => c.cell_type === 'code'),
          { cell_type: 'markdown', source: md.replace(/^# .*$/m, '') },
        ];
        const bad = unclaimed(asCells);
        assert.deepEqual(
          bad.map((b) => `${b.raw} in "…${b.context}…"`),
          [],
          `${name}.md: a number the chapter does not set`,
        );
      },
    );
  }
});
