// The exercises' checker: solutions pass, stubs say "not implemented", every known mistake gets its own diagnosis, a
// wrong answer is always located, bad student code gets a plain message, the API a notebook imports holds no answer
// and refuses answers taken from bpttlab, and the generated student notebooks and the student's folder are kept right.
// (`bpttlab check` is specified in check.test.ts, `bpttlab grade` in grade.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import ts from 'typescript';
import { exercises } from '../src';
import { check, ExerciseFailure, getCase, verdict } from '../src/teach/exercises';
import { EXERCISES, getExercise, mistakeModel } from '../src/teach/exercises/answers';
import { dhLoop, dhRecursion } from '../src/teach/exercises/answers/backward-loop';
import { model as dhStepModel, dhStepSolution } from '../src/teach/exercises/answers/dh-step';
import { judge, runExercise } from '../src/teach/exercises/judge';
import type { Verdict } from '../src/teach/exercises/types';
import { literal } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[]; bpttlab?: { exercise?: string } };
}
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const cellsOf = (file: string): Cell[] => JSON.parse(fs.readFileSync(file, 'utf8')).cells;

/** The function a notebook cell defines, compiled with TypeScript and evaluated on its own. */
function functionFromCell(code: string, name: string): unknown {
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
  }).outputText;
  return new Function(`${js}\nreturn ${name};`)();
}

/** Every exercise cell in the solution notebooks (or their student versions): check name → function source. */
function exerciseCells(dir: string, pattern: RegExp): { file: string; name: string; fn: string; code: string }[] {
  const out: { file: string; name: string; fn: string; code: string }[] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => pattern.test(x))
    .sort()) {
    const cells = cellsOf(path.join(dir, f));
    cells.forEach((c, i) => {
      const m = /bp\.exercises\.check\('([^']+)',\s*(\w+)\)/.exec(src(c));
      if (c.cell_type === 'code' && m) out.push({ file: f, name: m[1], fn: m[2], code: src(cells[i - 1]) });
    });
  }
  return out;
}

const solutionCells = exerciseCells(NOTEBOOKS, /^\d+-exercises-.*\.ipynb$/);
const stubCells = exerciseCells(path.join(NOTEBOOKS, 'exercises'), /\.ipynb$/);

// biome-ignore lint/suspicious/noExplicitAny: a mistake file's functions take each exercise's own arguments
function loadMistakes(name: string): Record<string, (...a: any[]) => unknown> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(path.join(__dirname, 'mistakes', `${name}.ts`));
  return mod.default ?? mod;
}

/** Runs f with console.log / console.error captured. */
function quiet<T>(f: () => T): { value: T | undefined; out: string; err: string; thrown?: unknown } {
  const [log, error] = [console.log, console.error];
  let out = '';
  let err = '';
  console.log = (s: string) => (out += `${s}\n`);
  console.error = (s: string) => (err += `${s}\n`);
  try {
    return { value: f(), out, err };
  } catch (e) {
    return { value: undefined, out, err, thrown: e };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

describe('exercise registry', () => {
  test('the required exercises exist, each with a tiny case first, at least 3 cases, and distinct mistake ids', () => {
    const names = EXERCISES.map((e) => e.name);
    for (const n of [
      'forward-step',
      'softmax-grad',
      'squared-grad',
      'dh-step',
      'backward-loop',
      'dW',
      'dU',
      'dV',
      'db',
      'dc',
      'full-backward',
      'truncated-backward',
      'clip-norm',
      'dx',
      'learned-h0',
      'last-step-loss',
      'relu-backward',
    ]) {
      assert.ok(names.includes(n), `missing exercise ${n}`);
    }
    assert.deepEqual(
      exercises.exerciseNames(),
      names,
      'the public list and the answers list the same exercises, in order',
    );
    for (const ex of EXERCISES) {
      const cs = ex.cases();
      assert.ok(cs.length >= 3, `${ex.name}: at least 3 cases`);
      assert.match(cs[0].label, /tiny/, `${ex.name}: case 0 is the tiny one`);
      assert.equal(cs[0].seed, null);
      assert.ok(
        cs.slice(1).some((c) => c.seed !== null),
        `${ex.name}: has random cases`,
      );
      const ids = ex.mistakes.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, `${ex.name}: duplicate mistake ids`);
      assert.ok(ids.length >= 3, `${ex.name}: at least 3 known mistakes`);
    }
  });

  test('the texts use the notation: τ the sequence length, n_h the hidden size, H(t) only the Jacobian', () => {
    for (const ex of EXERCISES) {
      const texts = [
        ex.title,
        ex.shape,
        ex.signature,
        ...ex.cases().map((c) => c.sizes),
        ...ex.mistakes.flatMap((m) => [m.title, m.hint]),
      ];
      for (const t of texts) {
        assert.doesNotMatch(
          t.replace(/`[^`]*`/g, ''),
          /\bH\s*[×=]|×\s*H\b|\bT\s*[×=]|\bby T\b|length H\b/,
          `${ex.name}: "${t}"`,
        );
      }
    }
  });
});

describe('the API a notebook imports holds no answer', () => {
  test('bp.exercises offers check, verdict, the cases and the list, and no solution or mistake model', () => {
    for (const f of ['check', 'verdict', 'getCase', 'cases', 'list', 'exerciseNames', 'spec'])
      assert.equal(typeof (exercises as Record<string, unknown>)[f], 'function', f);
    assert.equal(getCase('dW', 0).args.length, 3);
    assert.equal(exercises.spec('gradW').name, 'dW');
    assert.throws(() => exercises.spec('nope'), /unknown exercise "nope"/);
    const exposed = exercises as Record<string, unknown>;
    for (const gone of ['getExercise', 'runExercise', 'mistakeModel', 'judge'])
      assert.equal(exposed[gone], undefined, gone);
    for (const spec of exercises.EXERCISES) {
      for (const key of ['solution', 'mistakes', 'modelOf'])
        assert.equal((spec as unknown as Record<string, unknown>)[key], undefined, `${spec.name}.${key}`);
    }
  });

  test('loading the public entry (src/index.ts) loads no answer module, and running a check does not either', () => {
    const script = `require('./src'); const bp = require('./src');
      try { bp.exercises.check('dc', (dO) => dO[0]); } catch {}
      const checkers = /exercises[\\\\/](answers|judge|grader|sandbox)/;
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => checkers.test(f))));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), []);
  });
});

describe('solutions pass', () => {
  test('backward-loop: the mistake models vary the plain solution (dhLoop with no change is dhRecursion)', () => {
    for (const c of getExercise('backward-loop').cases()) {
      const args = c.args as [number[][], number[][], number[][], number[][]];
      assert.deepEqual(dhLoop({})(...args), dhRecursion(...args), c.label);
    }
  });
  test('dh-step: the mistake models vary the plain solution (model({}) is dhStepSolution)', () => {
    for (const c of getExercise('dh-step').cases()) {
      const args = c.args as [number[], number[], number[], number[][], number[][]];
      assert.deepEqual(dhStepModel({})(...args), dhStepSolution(...args), c.label);
    }
  });
  for (const ex of EXERCISES) {
    test(`${ex.name}: the reference solution is correct`, () => {
      const v = runExercise(ex, ex.solution);
      assert.equal(v.status, 'correct', v.text);
    });
  }
  test('every exercise has a solution cell in a notebooks/2N-exercises-*.ipynb', () => {
    assert.deepEqual(solutionCells.map((c) => c.name).sort(), EXERCISES.map((e) => e.name).sort());
  });
  for (const c of solutionCells) {
    test(`${c.file}: the solution of ${c.name} passes its checker`, () => {
      const v = runExercise(getExercise(c.name), functionFromCell(c.code, c.fn));
      assert.equal(v.status, 'correct', v.text);
    });
  }
});

describe('the derivation exercises (notebook 23) print no formula for the answer', () => {
  const DERIVED = ['dx', 'learned-h0', 'last-step-loss', 'relu-backward'];
  test('each is posed there, and no markdown cell of the notebook shows a gradient equation (a ∇ in maths)', () => {
    const cells = cellsOf(path.join(NOTEBOOKS, '23-exercises-derivations.ipynb'));
    assert.deepEqual(
      solutionCells.filter((c) => c.file === '23-exercises-derivations.ipynb').map((c) => c.name),
      DERIVED,
    );
    for (const c of cells.filter((x) => x.cell_type === 'markdown')) {
      const maths = [...src(c).matchAll(/\$\$([\s\S]*?)\$\$|\$([^$]+)\$/g)].map((m) => m[1] ?? m[2]);
      for (const m of maths.filter((x) => /=/.test(x)))
        assert.doesNotMatch(m, /\\nabla|\\partial/, `a gradient equation in the maths of notebook 23: ${m}`);
    }
  });
  test('their titles and equations point to the forward pass to derive from, not to an equation of the answer', () => {
    for (const n of DERIVED) assert.match(getExercise(n).equation, /^derive it/, n);
  });
});

describe('stubs say "not implemented yet"', () => {
  test('every exercise has a stub in notebooks/exercises/', () => {
    assert.deepEqual(stubCells.map((c) => c.name).sort(), EXERCISES.map((e) => e.name).sort());
  });
  for (const c of stubCells) {
    test(`${c.file}: the stub of ${c.name}`, () => {
      assert.match(c.code, /BEGIN STUB/);
      assert.doesNotMatch(c.code, /BEGIN SOLUTION|END SOLUTION/);
      const v = runExercise(getExercise(c.name), functionFromCell(c.code, c.fn));
      assert.equal(v.status, 'not-implemented', v.text);
      assert.match(v.text, /not implemented yet/);
    });
  }
  test('notebook API: check() prints the verdict, throws the "not implemented yet" a notebook run accepts', () => {
    const c = stubCells.find((x) => x.name === 'dW')!;
    const r = quiet(() => check(c.name, functionFromCell(c.code, c.fn)));
    assert.ok(r.thrown instanceof ExerciseFailure && /not implemented yet/.test(r.thrown.message), String(r.thrown));
    assert.match(r.err, /dW — .*not implemented yet/);
  });
});

describe('each known mistake gets its own diagnosis', () => {
  for (const ex of EXERCISES) {
    const wrong = loadMistakes(ex.name);
    test(`${ex.name}: test/mistakes/${ex.name}.ts covers every known mistake`, () => {
      assert.deepEqual(Object.keys(wrong).sort(), ex.mistakes.map((m) => m.id).sort());
    });
    for (const m of ex.mistakes) {
      test(`${ex.name}: ${m.id}`, () => {
        const v = runExercise(ex, wrong[m.id]);
        assert.equal(v.status, 'mistake', v.text);
        assert.equal(v.mistake?.id, m.id, v.text);
        assert.deepEqual(v.alsoMatches, [], `only one diagnosis expected:\n${v.text}`);
        assert.ok(v.case && v.case.index >= 0, 'names the case');
        assert.match(v.text, /reproduce it with bp\.exercises\.getCase/);
        assert.match(v.text, /hint: /);
      });
    }
  }
  test('when several mistakes fit the numbers, the most specific is named and the others listed', () => {
    // On case 1 of clip-norm (nothing to clip) "always rescales" and "comparison reversed" give the same numbers.
    const v = runExercise(getExercise('clip-norm'), loadMistakes('clip-norm')['always-rescales'], { cases: [1] });
    assert.equal(v.mistake?.id, 'always-rescales');
    assert.deepEqual(v.alsoMatches, ['comparison-reversed']);
    assert.match(v.text, /the numbers also fit: the test is reversed/);
  });
  test('two known mistakes at once are named together', () => {
    // transposed and without tanh' — a combination no single mistake model produces
    const v = runExercise(getExercise('dW'), (h0: number[], h: number[][], dh: number[][]) => {
      const g = h0.map(() => h0.map(() => 0));
      h.forEach((_, t) =>
        h0.forEach((_, i) => h0.forEach((_, j) => (g[j][i] += dh[t][i] * (t === 0 ? h0 : h[t - 1])[j]))),
      );
      return g;
    });
    assert.equal(v.status, 'mistake', v.text);
    assert.deepEqual([v.mistake?.id, v.together?.id], ['transposed', 'missing-dtanh']);
    assert.match(v.text, /two known mistakes at once/);
  });
  test('each mistake model differs from the correct answer on some case, and the models are told apart', () => {
    for (const ex of EXERCISES) {
      for (const m of ex.mistakes) {
        const model = mistakeModel(ex, m);
        const defined = ex.cases().every((c) => model(...structuredClone(c.args)) !== undefined);
        if (!defined) continue;
        const v = runExercise(ex, model);
        assert.equal(v.mistake?.id, m.id, `${ex.name}/${m.id}:\n${v.text}`);
        assert.deepEqual(v.alsoMatches, [], `${ex.name}/${m.id}:\n${v.text}`);
      }
    }
  });
});

describe('a wrong answer that matches no known mistake is located', () => {
  type G = Record<string, number[][] | number[]>;
  const scale = (m: number[][] | number[], s: number): number[][] | number[] =>
    Array.isArray(m[0]) ? (m as number[][]).map((r) => r.map((v) => v * s)) : (m as number[]).map((v) => v * s);
  const full = getExercise('full-backward');
  const fullSolution = full.solution as (...a: unknown[]) => G;

  test('full-backward: which returned quantities agree and which do not, in one sentence', () => {
    const v = runExercise(full, (...a: unknown[]) => {
      const g = fullSolution(...a);
      return { ...g, dU: scale(g.dU, 1.1), dW: scale(g.dW, 1.1), db: scale(g.db, 1.1) };
    });
    assert.equal(v.status, 'wrong', v.text);
    assert.match(v.text, /^ {2}dV and dc agree; dU, dW and db do not\.$/m);
    assert.equal(v.location, 'dV and dc agree; dU, dW and db do not.');
  });
  test('full-backward: a known mistake that explains one wrong quantity on its own is named', () => {
    const usesHt = full.modelOf!(full.mistakes.find((m) => m.id === 'uses-h-t')!.opts!) as (...a: unknown[]) => G;
    const v = runExercise(full, (...a: unknown[]) => {
      const g = usesHt(...a);
      return { ...g, db: scale(g.db, 1.1) };
    });
    assert.equal(v.status, 'wrong', v.text);
    assert.match(
      v.text,
      literal(
        'dU, dV and dc agree; dW and db do not. dW on its own matches a known mistake: ' +
          'in ∇W, h(t) used where h(t−1) belongs',
      ),
    );
    assert.doesNotMatch(v.text, /db on its own/);
  });
  test('backward-loop: the first wrong step, counting down from τ as the recursion runs', () => {
    const sol = getExercise('backward-loop').solution as (...a: unknown[]) => number[][];
    const v = runExercise(getExercise('backward-loop'), (...a: unknown[]) => {
      const r = sol(...a);
      const t = r.length - 2; // row t − 1: step t = τ − 1, and every earlier step with it, as a wrong carry would
      for (let k = 0; k <= t; k++) r[k] = r[k].map((x) => x + 0.01 * (t - k + 1));
      return r;
    });
    assert.equal(v.status, 'wrong', v.text);
    assert.match(
      v.text,
      literal(
        '∇h(t) L agrees at t = τ = 3; counting down from τ as the recursion runs, ' +
          'the first wrong step is t = 2 (2 of the τ = 3 steps are wrong).',
      ),
    );
    assert.equal(v.firstWrong?.where, 't = 2, entry 0 (row 1)', 'the first wrong entry is read from τ down, too');
  });
  test('backward-loop: a step that is already wrong at τ says so', () => {
    const sol = getExercise('backward-loop').solution as (...a: unknown[]) => number[][];
    const v = runExercise(getExercise('backward-loop'), (...a: unknown[]) =>
      sol(...a).map((r, t, all) => (t === all.length - 1 ? r.map((x) => x + 1) : r)),
    );
    assert.match(
      v.text,
      literal(
        '∇h(t) L is already wrong at t = τ = 3, where the recursion starts (eq 10.19); ' +
          '1 of the τ = 3 steps is wrong.',
      ),
    );
  });
  test('a matrix or a vector: which rows (or entries) agree', () => {
    const dW = getExercise('dW');
    const v = runExercise(dW, (...a: unknown[]) =>
      (dW.solution as (...x: unknown[]) => number[][])(...a).map((r, i) => (i === 1 ? r.map((x) => x + 0.1) : r)),
    );
    assert.match(v.text, /Rows 0 and 2 of ∇W agree; row 1 does not \(3 of 9 entries are wrong\)\./);
    const dc = getExercise('dc');
    const w = runExercise(dc, (...a: unknown[]) =>
      (dc.solution as (...x: unknown[]) => number[])(...a).map((x, k) => (k === 1 ? x + 0.1 : x)),
    );
    assert.match(w.text, /Entries 0 and 2 of ∇c agree; entry 1 does not\./);
  });
});

describe('bad student code gets a plain message', () => {
  const gradW = getExercise('dW');
  const correct = gradW.solution as (h0: number[], h: number[][], dh: number[][]) => number[][];
  const cases: [string, unknown, Verdict['status'], RegExp][] = [
    [
      'throws',
      () => {
        throw new RangeError('boom');
      },
      'threw',
      /threw RangeError: boom/,
    ],
    [
      'throws a non-Error',
      () => {
        throw 'oops';
      },
      'threw',
      /threw a thrown string: oops/,
    ],
    ['returns undefined', () => undefined, 'bad-output', /undefined \(did you forget to return\?\)/],
    [
      'returns the wrong shape',
      (h0: number[]) => h0,
      'bad-output',
      /expected a 3×3 matrix \(number\[\]\[\]\) \(n_h×n_h\), got a vector \(number\[\]\) of length 3/,
    ],
    ['returns a ragged matrix', () => [[1, 2, 3], [1]], 'bad-output', /ragged/],
    ['returns NaN', (h0: number[]) => h0.map(() => h0.map(() => NaN)), 'wrong', /non-finite value .* at \[0\]\[0\]/],
    [
      'mutates its input',
      (h0: number[], h: number[][], dh: number[][]) => {
        const r = correct(h0, h, dh);
        h[1][2] = 0;
        return r;
      },
      'mutated',
      /changed its input h\[1\]\[2\]/,
    ],
    ['is async', async () => [[0]], 'bad-output', /Promise/],
    ['is not a function', 42, 'not-a-function', /expected a function gradW/],
    [
      'returns a Proxy that throws',
      () =>
        new Proxy([[1]], {
          get() {
            throw new Error('gotcha');
          },
        }),
      'bad-output',
      /reading what your function returned threw gotcha/,
    ],
    [
      'returns an object whose getter throws',
      () => ({
        get length() {
          throw new TypeError('no');
        },
      }),
      'bad-output',
      /your function returned/,
    ],
    ['returns a Map', () => new Map(), 'bad-output', /an object \(Map\)/],
    [
      'wrong in another way',
      (h0: number[], h: number[][], dh: number[][]) => correct(h0, h, dh).map((r) => r.map((v) => v + 0.01)),
      'wrong',
      /matches none of the known mistakes/,
    ],
  ];
  for (const [what, fn, status, re] of cases) {
    test(what, () => {
      const v = runExercise(gradW, fn);
      assert.equal(v.status, status, v.text);
      assert.equal(v.correct, false);
      assert.match(v.text, re);
      assert.doesNotMatch(
        v.text,
        /exercises[\\/](judge|collect)\.ts|node:internal/,
        'no stack frame from inside the checker',
      );
      if (status !== 'not-a-function') assert.match(v.text, /case 0 \(tiny/);
    });
  }
  test('a Float64Array result is accepted like number[]', () => {
    const v = runExercise(getExercise('dc'), (dO: number[][]) =>
      Float64Array.from(dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0))),
    );
    assert.equal(v.status, 'correct', v.text);
  });
  test('a result is read once: a getter that answers right only when read again is judged on its first answer', () => {
    const dc = getExercise('dc');
    const reads: number[][] = []; // per call, how often each entry was read
    const v = runExercise(dc, (...a: unknown[]) => {
      const right = (dc.solution as (...x: unknown[]) => number[])(...a);
      const count = right.map(() => 0);
      reads.push(count);
      const out: number[] = [];
      right.forEach((x, k) =>
        Object.defineProperty(out, k, { enumerable: true, get: () => (++count[k] === 1 ? x + 1 : x) }),
      );
      return out;
    });
    assert.equal(v.correct, false, v.text);
    assert.ok(
      reads.length > 0 && reads.every((c) => c.every((n) => n === 1)),
      `each entry was read exactly once: ${JSON.stringify(reads)}`,
    );
  });
});

describe('the judge reads the outcomes as untrusted data', () => {
  const dc = getExercise('dc');
  const n = dc.cases().length;
  const all = [...Array(n).keys()];
  test('no case run, missing cases, forged fields and junk are never correct', () => {
    const right = dc.cases().map((c, index) => ({
      index,
      ok: true as const,
      value: { k: 'vec', v: (dc.solution as (...x: unknown[]) => number[])(...c.args) },
    }));
    assert.equal(judge(dc, { cases: all, outcomes: right }).correct, true, 'the control: right values are correct');
    const forged = [
      { cases: [], outcomes: right },
      { cases: all, outcomes: right.slice(0, n - 1) },
      { cases: all, outcomes: [] },
      { cases: all, outcomes: right.map((o) => ({ ...o, value: { k: 'vec', v: 'correct' } })) },
      { cases: all, outcomes: [{ correct: true, status: 'correct' }] },
      { cases: all, outcomes: right.map((o) => ({ ...o, index: 0 })) },
      { cases: [99], outcomes: right },
    ];
    for (const input of forged) {
      const v = judge(dc, input as Parameters<typeof judge>[1]);
      assert.equal(v.correct, false, JSON.stringify(input).slice(0, 200));
    }
  });
});

describe('check() in a notebook cell', () => {
  test('correct: prints the verdict, returns nothing, throws nothing', () => {
    const r = quiet(() => check('dc', (dO: number[][]) => dO[0].map((_, k) => dO.reduce((s, row) => s + row[k], 0))));
    assert.equal(r.thrown, undefined, String(r.thrown));
    assert.equal(r.value, undefined);
    assert.match(r.out, /✔ dc .* correct on all 4 cases/);
  });
  test('wrong: prints the verdict to stderr and throws a one-line ExerciseFailure shown without a stack', () => {
    const r = quiet(() => check('dc', loadMistakes('dc')['last-step-only']));
    assert.ok(r.thrown instanceof ExerciseFailure);
    assert.equal((r.thrown as Error).message, 'dc: not correct yet (mistake: last-step-only) — see the verdict above');
    assert.equal(
      inspect(r.thrown),
      'ExerciseFailure: dc: not correct yet (mistake: last-step-only) — see the verdict above',
    );
    assert.match(r.err, /only the last step/);
  });
  test('throwIfWrong: false only prints', () => {
    const r = quiet(() => check('dc', loadMistakes('dc')['last-step-only'], { throwIfWrong: false }));
    assert.equal(r.thrown, undefined);
    assert.match(r.err, /only the last step/);
  });
  test('a function whose source mentions bp, bpttlab, require or import( is refused, whatever it returns', () => {
    // each of these would return the right numbers
    const right = getExercise('dc').solution as (dO: number[][]) => number[];
    const bp = { right };
    const bpttlab = { right };
    const fns: [string, (dO: number[][]) => number[]][] = [
      ['bp', (dO) => bp.right(dO)],
      ['bpttlab', (dO) => bpttlab.right(dO)],
      ['require', (dO) => (typeof require === 'function' ? right(dO) : [])],
      ['import(', (dO) => (String(Function.prototype).includes('import(') ? [] : right(dO))],
    ];
    for (const [word, fn] of fns) {
      const v = verdict('dc', fn);
      assert.equal(v.status, 'uses-bpttlab', `${word}: ${v.text}`);
      assert.equal(v.correct, false);
      assert.match(v.text, new RegExp(`its source mentions \`${word.replace('(', '\\(')}\``));
    }
  });
  test('the refusal is by whole words: bptt, bpx or a required flag are not refused', () => {
    const v = verdict('dc', function bptt(dO: number[][]) {
      const bpx = 0;
      const required = 1;
      return dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0) + bpx * required);
    });
    assert.equal(v.status, 'correct', v.text);
  });
  test('a bound or wrapped function (whose source the checker cannot see) is refused', () => {
    const right = getExercise('dc').solution as (dO: number[][]) => number[];
    for (const fn of [right.bind(null), new Proxy(right, {})]) {
      const v = verdict('dc', fn);
      assert.equal(v.status, 'not-a-function', v.text);
      assert.match(v.text, /bound, wrapped or built-in/);
    }
  });
  test('globals patched in the kernel cannot change the verdict: it is computed in another process', () => {
    const saved = { every: Array.prototype.every, abs: Math.abs };
    try {
      (Array.prototype as { every: unknown }).every = () => true;
      Math.abs = () => 0;
      const v = verdict('dc', (dO: number[][]) => dO[0].map(() => 0));
      assert.equal(v.correct, false);
    } finally {
      Array.prototype.every = saved.every;
      Math.abs = saved.abs;
    }
  });
});

describe('generated student notebooks', () => {
  const script = path.join(ROOT, 'scripts', 'exercises.mjs');
  const temps: string[] = [];
  const tempDir = (prefix: string): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(d);
    return d;
  };
  after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('notebooks/exercises/ is up to date (node scripts/exercises.mjs --check)', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
  test(
    'every stub cell is tagged "stub" and throws "not implemented yet"; no solution text, and nothing visible ' +
      'points to it',
    () => {
      for (const f of fs.readdirSync(path.join(NOTEBOOKS, 'exercises')).filter((x) => x.endsWith('.ipynb'))) {
        const cells = cellsOf(path.join(NOTEBOOKS, 'exercises', f));
        const text = cells.map(src).join('\n');
        assert.doesNotMatch(text, /BEGIN SOLUTION|END SOLUTION|-exercises-/, f);
        for (const c of cells.filter((x) => /BEGIN STUB/.test(src(x)))) {
          assert.ok(c.metadata?.tags?.includes('stub'), `${f}: stub cell without the "stub" tag`);
          assert.match(src(c), /throw new Error\('not implemented yet: \w+ — see the markdown above'\)/);
        }
      }
    },
  );
  test('--check fails when a generated notebook is stale', () => {
    const copy = tempDir('bpttlab-gen-');
    fs.mkdirSync(path.join(copy, 'scripts'));
    fs.copyFileSync(script, path.join(copy, 'scripts', 'exercises.mjs'));
    fs.cpSync(NOTEBOOKS, path.join(copy, 'notebooks'), { recursive: true });
    const stale = fs.readdirSync(path.join(copy, 'notebooks', 'exercises')).find((x) => x.endsWith('.ipynb'))!;
    fs.appendFileSync(path.join(copy, 'notebooks', 'exercises', stale), ' ');
    const r = spawnSync(process.execPath, [path.join(copy, 'scripts', 'exercises.mjs'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${stale.replace('.', '\\.')} differs`));
  });
  test("the student's folder: copies made once and never overwritten, chapters linked, no solution notebook", () => {
    const dir = tempDir('bpttlab-work-');
    const r1 = spawnSync(process.execPath, [script, '--copy', dir], { encoding: 'utf8' });
    assert.equal(r1.status, 0, r1.stderr);
    const students = fs.readdirSync(path.join(NOTEBOOKS, 'exercises')).filter((x) => x.endsWith('.ipynb'));
    for (const f of students) assert.ok(fs.lstatSync(path.join(dir, f)).isFile(), `${f} is a copy`);
    for (const f of fs.readdirSync(NOTEBOOKS).filter((x) => /^0\d-.*\.ipynb$/.test(x))) {
      assert.ok(fs.lstatSync(path.join(dir, f)).isSymbolicLink(), `${f} is linked`);
      assert.equal(fs.realpathSync(path.join(dir, f)), fs.realpathSync(path.join(NOTEBOOKS, f)));
    }
    assert.deepEqual(
      fs.readdirSync(dir).filter((x) => /-exercises-/.test(x)),
      [],
      'no solution notebook',
    );
    fs.writeFileSync(path.join(dir, students[0]), 'my work');
    const r2 = spawnSync(process.execPath, [script, '--copy', dir], { encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(fs.readFileSync(path.join(dir, students[0]), 'utf8'), 'my work');
    assert.match(r2.stdout, /kept/);
  });
  test(
    "an exercise added later is added to the student's copy, after the exercise before it; their answers " + 'stay',
    async () => {
      const { mergeInto } = (await import(path.join(ROOT, 'scripts', 'exercises.mjs'))) as {
        mergeInto: (copy: { cells: Cell[] }, student: { cells: Cell[] }) => string[];
      };
      const student = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, 'exercises', '21-backward.ipynb'), 'utf8')) as {
        cells: Cell[];
      };
      // the student's copy from before dV existed, with an answer written into dc and a note of their own
      const copy = structuredClone(student);
      copy.cells = copy.cells
        .filter((c) => c.metadata?.bpttlab?.exercise !== 'dV')
        .map((c) => {
          if (src(c).includes('function gradC'))
            return { ...c, source: 'function gradC(dO: number[][]): number[] { return dO[0]; } // my answer' };
          return c;
        });
      copy.cells.push({ cell_type: 'markdown', source: 'my notes', metadata: {} });
      const before = copy.cells.map(src);
      assert.deepEqual(mergeInto(copy, student), ['dV']);
      const after = copy.cells.map(src);
      // every cell the student had is still there, unchanged and in the same order; only dV's cells are new
      let k = 0;
      for (const s of after) if (k < before.length && s === before[k]) k++;
      assert.equal(k, before.length, "the student's cells are all there, unchanged, in order");
      assert.equal(
        after.length - before.length,
        student.cells.filter((c) => c.metadata?.bpttlab?.exercise === 'dV').length,
      );
      const dvAt = after.findIndex((s) => s.includes("check('dV'"));
      const loopAt = after.findIndex((s) => s.includes("check('backward-loop'"));
      assert.ok(
        dvAt > loopAt && dvAt < after.findIndex((s) => s.includes("check('dc'")),
        'dV goes where the student version has it',
      );
      assert.deepEqual(mergeInto(copy, student), [], 'nothing to add the second time');
    },
  );
});
