// The book's exercises judge in the page with the CLI's own judge(), fed tables that `npm run book` computes ahead of
// time (src/teach/exercises/table.ts): the page holds the numbers, never code that computes an answer. These tests hold
// the
// page's verdicts to the CLI's: on every deliberately wrong solution of every exercise (test/mistakes/), on two
// mistakes at once, on a wrong answer no mistake explains, and on a correct one, the verdict from the tables is the
// verdict `bpttlab check` computes (the same judge() on the real solution and mistake models), field by field.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { EXERCISES, getExercise } from '../src/teach/exercises/answers';
import { collect } from '../src/teach/exercises/collect';
import { judge } from '../src/teach/exercises/judge';
import { type ExerciseTable, fromTable, tableOf } from '../src/teach/exercises/table';
import type { Verdict } from '../src/teach/exercises/types';
import { answerCodeIn, answerCodeLines, leaks } from './leaks';

const ROOT = path.resolve(__dirname, '..');

type Fn = (...a: unknown[]) => unknown;
function loadMistakes(name: string): Record<string, Fn> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(path.join(__dirname, 'mistakes', `${name}.ts`));
  return mod.default ?? mod;
}

/** The table as the page gets it: through JSON, as `npm run book` writes it. */
const tables = new Map<string, ExerciseTable>();
function pageTable(name: string): ExerciseTable {
  if (!tables.has(name)) tables.set(name, JSON.parse(JSON.stringify(tableOf(getExercise(name)))) as ExerciseTable);
  return tables.get(name)!;
}

/** The CLI's verdict and the page's, on what one function hands back. */
function both(name: string, fn: Fn): { cli: Verdict; page: Verdict } {
  const ex = getExercise(name);
  const cases = ex.cases().map((c, index) => ({ index, args: c.args }));
  const input = { cases: cases.map((c) => c.index), outcomes: collect(fn, cases, ex.params) };
  return { cli: judge(ex, input), page: judge(fromTable(pageTable(name)), input) };
}

describe('the page judges as the CLI does', () => {
  for (const ex of EXERCISES) {
    const wrong = loadMistakes(ex.name);
    test(`${ex.name}: every deliberately wrong solution in test/mistakes/ gets the CLI's verdict`, () => {
      assert.ok(Object.keys(wrong).length > 0);
      for (const [id, fn] of Object.entries(wrong)) {
        const { cli, page } = both(ex.name, fn);
        assert.equal(cli.mistake?.id, id, cli.text);
        assert.deepEqual(page, cli, `${ex.name} ${id}`);
      }
    });
  }
  test("two mistakes at once (dW transposed without tanh'): the pair the CLI names", () => {
    const fn = (h0: number[], h: number[][], dh: number[][]): number[][] => {
      const H = h0.length;
      const g = h0.map(() => new Array<number>(H).fill(0));
      for (let t = 0; t < h.length; t++) {
        const prev = t === 0 ? h0 : h[t - 1];
        for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) g[j][i] += dh[t][i] * prev[j];
      }
      return g;
    };
    const { cli, page } = both('dW', fn as Fn);
    assert.deepEqual([cli.mistake?.id, cli.together?.id], ['transposed', 'missing-dtanh'], cli.text);
    assert.deepEqual(page, cli);
  });
  test('a wrong answer no mistake explains, a correct one, a stub: the same verdicts', () => {
    const right = getExercise('full-backward').solution as Fn;
    const off = (...a: unknown[]): unknown => {
      const g = right(...a) as Record<string, number[][] | number[]>;
      return { ...g, db: (g.db as number[]).map((v) => v + 0.01) };
    };
    const stub = (): never => {
      throw new Error('not implemented yet: bptt');
    };
    for (const fn of [off, right, stub]) {
      const { cli, page } = both('full-backward', fn);
      assert.deepEqual(page, cli);
    }
    assert.equal(both('full-backward', right).page.status, 'correct');
    assert.equal(both('full-backward', off).page.status, 'wrong');
  });
});

describe('the page holds no code that computes an answer', () => {
  test('the page script bundles only the judge and the vocabulary: no solution, mistake model or engine', async () => {
    const { pageBundle } = (await import(path.join(ROOT, 'scripts', 'book', 'exercises.mjs'))) as {
      pageBundle: () => Promise<{ code: string; inputs: string[] }>;
    };
    const { code, inputs } = await pageBundle();
    const ours = inputs.filter((f) => f.startsWith('src/'));
    assert.ok(
      ours.some((f) => /judge/.test(f)),
      `the judge is in the page: ${ours.join(', ')}`,
    );
    // the judge's own files, and the one agreement rule it shares with the engine's tests (model/agree.ts, a
    // comparison)
    const allowed = (f: string): boolean =>
      f === 'src/model/agree.ts' ||
      (f.startsWith('src/teach/exercises/') &&
        !/^src\/teach\/exercises\/(specs|cases)\.ts$/.test(f) &&
        (!f.startsWith('src/teach/exercises/answers/') || f === 'src/teach/exercises/answers/exercise.ts'));
    assert.deepEqual(
      ours.filter((f) => !allowed(f)),
      [],
      "the page may not bundle the answers, the cases' engine or the engine",
    );
    assert.deepEqual(answerCodeIn(code), []);
    assert.deepEqual(leaks(code), []);
  });
  test("the scan finds the answers' code where it is bundled (so it can fail)", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const answers = buildSync({
      entryPoints: [path.join(ROOT, 'src', 'teach', 'exercises', 'answers', 'index.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'node',
    });
    const found = answerCodeIn(answers.outputFiles[0].text);
    assert.ok(found.length > 50, `only ${found.length} answer lines found in a bundle of the answers`);
    assert.ok(
      answerCodeLines().some((l) => /1 - v \* v|h\[t - 1\]/.test(l)),
      "the solutions' own lines are among those scanned for",
    );
  });
});
