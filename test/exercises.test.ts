// The exercises: solutions pass, stubs say "not implemented", every known mistake gets its own diagnosis, bad student
// code gets a plain message, the CLI's exit codes, and the generated student notebooks are up to date.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import ts from 'typescript';
import { exercises } from '../src';
import { runCheckCommand } from '../src/commands/check';
import { EXERCISES, ExerciseFailure, Verdict, check, getCase, getExercise, mistakeModel, runExercise, verdict } from '../src/exercises';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');

interface Cell { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const cellsOf = (file: string): Cell[] => JSON.parse(fs.readFileSync(file, 'utf8')).cells;

/** The function a notebook cell defines, compiled with TypeScript and evaluated on its own. */
function functionFromCell(code: string, name: string): unknown {
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
  return new Function(`${js}\nreturn ${name};`)();
}

/** Every exercise cell in the solution notebooks (or their student versions): check name → function source. */
function exerciseCells(dir: string, pattern: RegExp): { file: string; name: string; fn: string; code: string }[] {
  const out: { file: string; name: string; fn: string; code: string }[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => pattern.test(x)).sort()) {
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

function loadMistakes(name: string): Record<string, (...a: any[]) => unknown> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(path.join(__dirname, 'mistakes', `${name}.ts`));
  return mod.default ?? mod;
}

describe('exercise registry', () => {
  test('the required exercises exist, each with a tiny case first, T ≥ 3 cases, and distinct mistake ids', () => {
    const names = EXERCISES.map((e) => e.name);
    for (const n of ['forward-step', 'softmax-grad', 'squared-grad', 'dh-step', 'backward-loop', 'dW', 'dU', 'dV', 'db', 'dc', 'full-backward', 'truncated-backward', 'clip-norm']) {
      assert.ok(names.includes(n), `missing exercise ${n}`);
    }
    for (const ex of EXERCISES) {
      const cs = ex.cases();
      assert.ok(cs.length >= 3, `${ex.name}: at least 3 cases`);
      assert.match(cs[0].label, /tiny/, `${ex.name}: case 0 is the tiny one`);
      assert.equal(cs[0].seed, null);
      assert.ok(cs.slice(1).some((c) => c.seed !== null), `${ex.name}: has random cases`);
      const ids = ex.mistakes.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, `${ex.name}: duplicate mistake ids`);
      assert.ok(ids.length >= 3, `${ex.name}: at least 3 known mistakes`);
    }
  });

  test('public API: bp.exercises.check / verdict / getCase', () => {
    assert.equal(typeof exercises.check, 'function');
    assert.equal(typeof exercises.verdict, 'function');
    const c = getCase('dW', 0);
    assert.equal((c.args[1] as number[][]).length, 3);
    assert.throws(() => getExercise('nope'), /unknown exercise "nope"/);
    assert.equal(getExercise('gradW').name, 'dW');
  });
});

describe('solutions pass', () => {
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
      const v = verdict(c.name, functionFromCell(c.code, c.fn));
      assert.equal(v.status, 'correct', v.text);
    });
  }
});

describe('stubs say "not implemented yet"', () => {
  test('every exercise has a stub in notebooks/exercises/', () => {
    assert.deepEqual(stubCells.map((c) => c.name).sort(), EXERCISES.map((e) => e.name).sort());
  });
  for (const c of stubCells) {
    test(`${c.file}: the stub of ${c.name}`, () => {
      assert.match(c.code, /BEGIN STUB/);
      assert.doesNotMatch(c.code, /BEGIN SOLUTION|END SOLUTION/);
      const v = verdict(c.name, functionFromCell(c.code, c.fn));
      assert.equal(v.status, 'not-implemented', v.text);
      assert.match(v.text, /not implemented yet/);
      // and the notebook's check cell fails with that text, which is what the notebook runner accepts
      const err = console.error;
      console.error = () => {};
      try {
        assert.throws(() => check(c.name, functionFromCell(c.code, c.fn)), (e: unknown) => e instanceof ExerciseFailure && /not implemented yet/.test(e.message));
      } finally {
        console.error = err;
      }
    });
  }
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
        assert.match(v.text, /hint: .*eq|hint: /);
      });
    }
  }
  test('when several mistakes fit the numbers, the most specific is named and the others listed', () => {
    // On case 1 of clip-norm (nothing to clip) "always rescales" and "comparison reversed" give the same numbers.
    const v = verdict('clip-norm', loadMistakes('clip-norm')['always-rescales'], { cases: [1] });
    assert.equal(v.mistake?.id, 'always-rescales');
    assert.deepEqual(v.alsoMatches, ['comparison-reversed']);
    assert.match(v.text, /the numbers also fit: the test is reversed/);
  });
  test('two known mistakes at once are named together', () => {
    // transposed and without tanh' — a combination no single mistake model produces
    const v = verdict('dW', (h0: number[], h: number[][], dh: number[][]) => {
      const g = h0.map(() => h0.map(() => 0));
      h.forEach((_, t) => h0.forEach((_, i) => h0.forEach((_, j) => (g[j][i] += dh[t][i] * (t === 0 ? h0 : h[t - 1])[j]))));
      return g;
    });
    assert.equal(v.status, 'mistake', v.text);
    assert.deepEqual([v.mistake?.id, v.together?.id], ['transposed', 'missing-dtanh']);
    assert.match(v.text, /two known mistakes at once/);
  });
  test('each mistake model differs from the correct answer on some case, and the models are told apart', () => {
    for (const ex of EXERCISES) {
      for (const m of ex.mistakes) {
        // the model itself as a student (where it is defined on every case)
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

describe('check() in a notebook cell', () => {
  const quiet = <T>(f: () => T): { value: T | undefined; out: string; err: string; thrown?: unknown } => {
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
  };
  test('correct: prints the verdict, returns nothing, throws nothing', () => {
    const r = quiet(() => check('dc', getExercise('dc').solution));
    assert.equal(r.thrown, undefined);
    assert.equal(r.value, undefined);
    assert.match(r.out, /✔ dc .* correct on all 4 cases/);
  });
  test('wrong: prints the verdict to stderr and throws a one-line ExerciseFailure shown without a stack', () => {
    const r = quiet(() => check('dc', loadMistakes('dc')['last-step-only']));
    assert.ok(r.thrown instanceof ExerciseFailure);
    assert.equal((r.thrown as Error).message, 'dc: not correct yet (mistake: last-step-only) — see the verdict above');
    assert.equal(inspect(r.thrown), 'ExerciseFailure: dc: not correct yet (mistake: last-step-only) — see the verdict above');
    assert.match(r.err, /only the last step/);
  });
  test('throwIfWrong: false only prints', () => {
    const r = quiet(() => check('dc', loadMistakes('dc')['last-step-only'], { throwIfWrong: false }));
    assert.equal(r.thrown, undefined);
    assert.match(r.err, /only the last step/);
  });
});

describe('bad student code gets a plain message', () => {
  const gradW = getExercise('dW');
  const correct = gradW.solution as (h0: number[], h: number[][], dh: number[][]) => number[][];
  const cases: [string, unknown, Verdict['status'], RegExp][] = [
    ['throws', () => { throw new RangeError('boom'); }, 'threw', /threw RangeError: boom/],
    ['throws a non-Error', () => { throw 'oops'; }, 'threw', /threw a thrown string: oops/],
    ['returns undefined', () => undefined, 'bad-output', /undefined \(did you forget to return\?\)/],
    ['returns the wrong shape', (h0: number[]) => h0, 'bad-output', /expected a 3×3 matrix \(number\[\]\[\]\) \(H×H\), got a vector \(number\[\]\) of length 3/],
    ['returns a ragged matrix', () => [[1, 2, 3], [1]], 'bad-output', /ragged/],
    ['returns NaN', (h0: number[]) => h0.map(() => h0.map(() => NaN)), 'wrong', /non-finite value .* at \[0\]\[0\]/],
    ['mutates its input', (h0: number[], h: number[][], dh: number[][]) => { const r = correct(h0, h, dh); h[1][2] = 0; return r; }, 'mutated', /changed its input h\[1\]\[2\]/],
    ['is async', async () => [[0]], 'bad-output', /Promise/],
    ['is not a function', 42, 'not-a-function', /expected a function gradW/],
    ['wrong in another way', (h0: number[], h: number[][], dh: number[][]) => correct(h0, h, dh).map((r) => r.map((v) => v + 0.01)), 'wrong', /matches none of the known mistakes/],
  ];
  for (const [what, fn, status, re] of cases) {
    test(what, () => {
      const v = verdict('dW', fn);
      assert.equal(v.status, status, v.text);
      assert.match(v.text, re);
      assert.doesNotMatch(v.text, /exercises[\\/]core\.ts/, 'no stack frame from inside the checker');
      if (status !== 'not-a-function') assert.match(v.text, /case 0 \(tiny/);
    });
  }
  test('a Float64Array result is accepted like number[]', () => {
    const v = verdict('dc', (dO: number[][]) => Float64Array.from(dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0))));
    assert.equal(v.status, 'correct', v.text);
  });
  test('wrong in another way names the first wrong entry with t for per-step results', () => {
    const sol = getExercise('backward-loop').solution as (...a: unknown[]) => number[][];
    const v = verdict('backward-loop', (...a: unknown[]) => { const r = sol(...a); r[1][2] += 1; return r; });
    assert.equal(v.status, 'wrong', v.text);
    assert.deepEqual(v.firstWrong?.where, 't = 2, entry 2 (row 1)');
  });
});

describe('bpttlab check EXERCISE FILE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-check-'));
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const good = write('good.ts', `export function gradC(dO: number[][]): number[] {\n  const g = new Array<number>(dO[0].length).fill(0);\n  for (const r of dO) r.forEach((v, k) => (g[k] += v));\n  return g;\n}\n`);
  const goodJs = write('good.js', `exports.gradC = (dO) => dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0));\n`);
  const last = write('last.ts', `export default function (dO: number[][]): number[] { return dO[dO.length - 1].slice(); }\n`);
  const stub = write('stub.ts', `export function gradC(dO: number[][]): number[] { throw new Error('not implemented yet: gradC'); }\n`);
  const loop = write('loop.ts', `export function gradC(dO: number[][]): number[] { for (;;) {} }\n`);
  const exits = write('exits.ts', `export function gradC(dO: number[][]): number[] { process.exit(3); }\n`);
  const broken = write('broken.ts', `export function gradC(dO: number[][]): number[] { return [ }\n`);
  const run = (...argv: string[]): { code: number; out: string; err: string } => {
    let out = '';
    let err = '';
    const code = runCheckCommand(argv, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  };
  test('exit 0 when correct (.ts and .js)', () => {
    for (const f of [good, goodJs]) {
      const r = run('dc', f);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /correct on all/);
    }
  });
  test('exit 1 with the diagnosis when wrong (default export)', () => {
    const r = run('dc', last);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /no sum over time: only the last step/);
  });
  test('exit 1 when not implemented', () => {
    const r = run('dc', stub);
    assert.equal(r.code, 1);
    assert.match(r.out, /not implemented yet/);
  });
  test('exit 1 when the function never returns (killed after --timeout)', () => {
    const t0 = Date.now();
    const r = run('dc', loop, '--timeout', '1.5');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /did not return in time/);
    assert.match(r.out, /while running case 0/);
    assert.ok(Date.now() - t0 < 10_000);
  });
  test('exit 1 when the function ends the process', () => {
    const r = run('dc', exits);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /ended before the check finished \(exit 3\)/);
  });
  test('--json prints the verdict object', () => {
    const r = run('dc', last, '--json');
    const v = JSON.parse(r.out) as Verdict;
    assert.equal(v.mistake?.id, 'last-step-only');
  });
  test('--case runs one case', () => {
    const r = run('dc', good, '--case', '2', '--json');
    assert.equal((JSON.parse(r.out) as Verdict).casesTotal, 1);
  });
  test('exit 2 for bad usage: unknown exercise, missing file, no such export, a file that does not compile, bad option', () => {
    const bad: [string[], RegExp][] = [
      [['nope', good], /unknown exercise "nope"/],
      [['dc', path.join(dir, 'missing.ts')], /no such file/],
      [['dc', good, '--export', 'other'], /exports no function "other" \(it exports: gradC/],
      [['dW', good], /exports no function "gradW"/],
      [['dc', broken], /cannot load/],
      [['dc', good, '--timeout', '-1'], /seconds/],
      [['dc'], /missing required argument/],
    ];
    for (const [argv, re] of bad) {
      const r = run(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, re);
      assert.equal(r.err.trim().split('\n').length, 1, 'one line on stderr');
    }
  });
});

describe('generated student notebooks', () => {
  const script = path.join(ROOT, 'scripts', 'exercises.mjs');
  test('notebooks/exercises/ is up to date (node scripts/exercises.mjs --check)', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
  test('every stub cell is tagged "stub" and throws "not implemented yet"; no solution text leaks', () => {
    for (const f of fs.readdirSync(path.join(NOTEBOOKS, 'exercises')).filter((x) => x.endsWith('.ipynb'))) {
      const cells = cellsOf(path.join(NOTEBOOKS, 'exercises', f));
      const text = cells.map(src).join('\n');
      assert.doesNotMatch(text, /BEGIN SOLUTION|END SOLUTION/, f);
      for (const c of cells.filter((x) => /BEGIN STUB/.test(src(x)))) {
        assert.ok(c.metadata?.tags?.includes('stub'), `${f}: stub cell without the "stub" tag`);
        assert.match(src(c), /throw new Error\('not implemented yet: \w+ — see the markdown above'\)/);
      }
    }
  });
  test('--check fails when a generated notebook is stale', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-gen-'));
    fs.mkdirSync(path.join(copy, 'scripts'));
    fs.copyFileSync(script, path.join(copy, 'scripts', 'exercises.mjs'));
    fs.cpSync(NOTEBOOKS, path.join(copy, 'notebooks'), { recursive: true });
    const stale = fs.readdirSync(path.join(copy, 'notebooks', 'exercises')).find((x) => x.endsWith('.ipynb'))!;
    fs.appendFileSync(path.join(copy, 'notebooks', 'exercises', stale), ' ');
    const r = spawnSync(process.execPath, [path.join(copy, 'scripts', 'exercises.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${stale.replace('.', '\\.')} differs`));
  });
  test('--copy creates a working copy and never overwrites the student\'s files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-work-'));
    const r1 = spawnSync(process.execPath, [script, '--copy', dir], { encoding: 'utf8' });
    assert.equal(r1.status, 0, r1.stderr);
    const files = fs.readdirSync(dir).filter((x) => x.endsWith('.ipynb'));
    assert.equal(files.length, fs.readdirSync(path.join(NOTEBOOKS, 'exercises')).filter((x) => x.endsWith('.ipynb')).length);
    fs.writeFileSync(path.join(dir, files[0]), 'my work');
    const r2 = spawnSync(process.execPath, [script, '--copy', dir], { encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(fs.readFileSync(path.join(dir, files[0]), 'utf8'), 'my work');
    assert.match(r2.stdout, /kept/);
  });
});
