// `bpttlab grade NOTEBOOK.ipynb|FOLDER [--json]`: a teacher grades copied student notebooks. Each exercise function
// (with the declarations it uses from other cells) is checked like `bpttlab check` checks a file; one verdict per
// exercise and a total; a folder gives one row per student; exit 0 when it could grade, 2 for bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
// Under build/ (git-ignored), so that `bpttlab` and mathjs resolve as they do in the student's work/ folder.
fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
const dir = fs.mkdtempSync(path.join(ROOT, 'build', 'grade-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: null;
}
interface Notebook {
  cells: Cell[];
}
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const read = (f: string): Notebook => JSON.parse(fs.readFileSync(f, 'utf8')) as Notebook;
const code = (source: string): Cell => ({
  cell_type: 'code',
  source,
  metadata: {},
  outputs: [],
  execution_count: null,
});

/** The solution cell's source of a function, from the solution notebook (markers removed). */
function solutionOf(fn: string): string {
  const cell = read(path.join(ROOT, 'notebooks', '21-exercises-backward.ipynb')).cells.find(
    (c) => c.cell_type === 'code' && src(c).includes(`function ${fn}(`),
  )!;
  return src(cell).replace(/^\s*\/\/ (BEGIN|END) SOLUTION\n/gm, '');
}

/** A student's copy of the backward-pass notebook: some exercises solved, some wrong, some untouched, one using bp. */
function studentNotebook(): Notebook {
  const nb = read(path.join(ROOT, 'notebooks', 'exercises', '21-backward.ipynb'));
  const answers: Record<string, string> = {
    dhStep: solutionOf('dhStep'),
    // solved with a helper from another cell
    dhAll:
      `function dhAll(h: number[][], dO: number[][], W: number[][], V: number[][]): number[][] {\n  const T = ` +
      `h.length;\n  const dh: number[][] = new Array(T);\n  for (let t = T - 1; t >= 0; t--) dh[t] = t + 1 < T ? ` +
      `dhStep(dh[t + 1], h[t + 1], dO[t], W, V) : vT(V, dO[t]);\n  return dh;\n}`,
    // wrong: the transpose
    gradV:
      `function gradV(h: number[][], dO: number[][]): number[][] {\n  return h[0].map((_, j) => dO[0].map((_, ` +
      `k) => h.reduce((s, ht, t) => s + dO[t][k] * ht[j], 0)));\n}`,
    // wrong: only the last step
    gradC: `function gradC(dO: number[][]): number[] {\n  return dO[dO.length - 1].slice();\n}`,
    // takes the answer from bpttlab
    gradB:
      `function gradB(h: number[][], dh: number[][]): number[] {\n  return Array.from(bp.backward as unknown ` +
      `as number[]);\n}`,
    bptt: solutionOf('bptt'),
  };
  const cells: Cell[] = [];
  for (const c of nb.cells) {
    const m = /function (\w+)\(/.exec(src(c));
    if (c.cell_type === 'code' && /BEGIN STUB/.test(src(c)) && m && answers[m[1]]) {
      if (m[1] === 'dhAll')
        cells.push(
          code(
            '// my helper: V^T v\nfunction vT(V: number[][], v: number[]): number[] {\n  return V[0].map((_, j) => ' +
              'V.reduce((s, row, k) => s + row[j] * v[k], 0));\n}',
          ),
        );
      cells.push({ ...c, source: answers[m[1]] });
    } else cells.push(c);
  }
  // scratch cells: experiments with bp, a broken line the exercises do not use, a name shared with a parameter
  cells.push(
    code(
      'const h = bp.initParams({ inputSize: 2, hiddenSize: 3, outputSize: 2, seed: 1 });\nconst junk = ' +
        'notDefinedAnywhere();\nconsole.log(bp.exercises.list());',
    ),
  );
  return { ...nb, cells };
}

function grade(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'grade', ...args], { encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Graded {
  students: {
    student: string;
    notebooks: string[];
    correct: number;
    total: number;
    exercises: {
      exercise: string;
      function: string;
      status: string;
      correct: boolean;
      mistake?: string;
      text: string;
    }[];
  }[];
}

describe('bpttlab grade', () => {
  const alice = path.join(dir, 'alice.ipynb');
  fs.writeFileSync(alice, JSON.stringify(studentNotebook(), null, 1));

  test('a copied student notebook: solved, wrong, untouched and refused exercises, a verdict each and a total', () => {
    const r = grade(alice, '--json');
    assert.equal(r.code, 0, r.out + r.err);
    const g = JSON.parse(r.out) as Graded;
    assert.equal(g.students.length, 1);
    const s = g.students[0];
    const by = Object.fromEntries(s.exercises.map((e) => [e.exercise, e]));
    assert.deepEqual(
      s.exercises.map((e) => e.exercise),
      ['dh-step', 'backward-loop', 'dV', 'dc', 'dW', 'dU', 'db', 'full-backward'],
    );
    assert.equal(by['dh-step'].status, 'correct', by['dh-step'].text);
    assert.equal(
      by['backward-loop'].status,
      'correct',
      `a helper from another cell is used: ${by['backward-loop'].text}`,
    );
    assert.equal(by['full-backward'].status, 'correct', by['full-backward'].text);
    assert.deepEqual([by.dV.status, by.dV.mistake], ['mistake', 'transposed'], by.dV.text);
    assert.deepEqual([by.dc.status, by.dc.mistake], ['mistake', 'last-step-only'], by.dc.text);
    assert.equal(by.dW.status, 'not-implemented');
    assert.equal(by.dU.status, 'not-implemented');
    assert.equal(by.db.status, 'uses-bpttlab', by.db.text);
    assert.match(by.db.text, /its source mentions `bp`/);
    assert.deepEqual([s.correct, s.total], [3, 8]);
  });

  test('the text: a total, then one line per exercise', () => {
    const r = grade(alice);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /alice\.ipynb: 3 of 8 exercises correct$/);
    assert.equal(lines.length, 9);
    assert.match(r.out, /✔ dh-step +correct on all/);
    assert.match(r.out, /✘ dc +mistake last-step-only: /);
    assert.match(r.out, /· dW +not implemented yet/);
    assert.match(r.out, /✘ db +uses-bpttlab: /);
  });

  test('a folder: one row per student (a notebook, or a subfolder of notebooks)', () => {
    const cls = fs.mkdtempSync(path.join(dir, 'class-'));
    fs.copyFileSync(alice, path.join(cls, 'alice.ipynb'));
    fs.mkdirSync(path.join(cls, 'bob'));
    for (const f of ['20-forward-and-losses.ipynb', '22-truncation-and-clipping.ipynb'])
      fs.copyFileSync(path.join(ROOT, 'notebooks', 'exercises', f), path.join(cls, 'bob', f));
    const r = grade(cls, '--json');
    assert.equal(r.code, 0, r.out + r.err);
    const g = JSON.parse(r.out) as Graded;
    assert.deepEqual(
      g.students.map((s) => [s.student, s.correct, s.total]),
      [
        ['alice', 3, 8],
        ['bob', 0, 5],
      ],
    );
    const text = grade(cls).out;
    assert.match(text, /^alice: 3 of 8 correct — ✔ dh-step, ✔ backward-loop, ✘ dV \(transposed\)/m);
    assert.match(text, /^bob: 0 of 5 correct — · forward-step/m);
    assert.match(text, /^2 students graded$/m);
  });

  test('bad input is exit 2 with one line, never a stack trace', () => {
    const notJson = path.join(dir, 'broken.ipynb');
    fs.writeFileSync(notJson, '{ not json');
    const noCells = path.join(dir, 'nocells.ipynb');
    fs.writeFileSync(noCells, '{"metadata": {}}');
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.ipynb'), /no such file or folder/],
      [path.join(ROOT, 'package.json'), /is not a notebook/],
      [notJson, /is not a Jupyter notebook \(not JSON\)/],
      [noCells, /no "cells" list/],
      [empty, /no notebooks \(\.ipynb\)/],
    ];
    for (const [arg, re] of cases) {
      const r = grade(arg);
      assert.equal(r.code, 2, `${arg}: ${r.out}${r.err}`);
      assert.match(r.err, re);
      assert.equal(r.err.trim().split('\n').length, 1);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
    const t = grade(alice, '--timeout', '0');
    assert.equal(t.code, 2);
  });
});
