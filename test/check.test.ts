// `bpttlab check EXERCISE FILE`: the exit codes and options, and that the verdict cannot be had without solving:
// the student's code runs in a contained child that hands back values only; answers taken from bpttlab (by name, by
// a path into it, by reading its files) and forged verdicts (on stdout, from an exit handler, by patching
// process.stdout.write or globals, on the child's own channel, by exiting early) are never judged correct.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_TIMEOUT_S, runCheckCommand } from '../src/cli/check';
import type { Verdict } from '../src/teach/exercises/types';

const ROOT = path.resolve(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-check-'));
// The checks' own temporary folders go here (os.tmpdir() follows TMPDIR), so that the last test can see they are gone.
const sandboxes = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-check-tmp-'));
process.env.TMPDIR = sandboxes;
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(sandboxes, { recursive: true, force: true });
});
const write = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
  let out = '';
  let err = '';
  const code = await runCheckCommand(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
};
const json = async (...argv: string[]): Promise<{ code: number; v: Verdict; out: string; err: string }> => {
  const r = await run(...argv, '--json');
  const last = r.out.trim().split('\n').pop() ?? '';
  let v: Verdict;
  try {
    v = JSON.parse(last) as Verdict;
  } catch {
    throw new Error(`no verdict JSON (exit ${r.code}):\n${r.out}${r.err}`);
  }
  return { ...r, v };
};

const SUM = '(dO) => dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0))';
const good = write(
  'good.ts',
  `export function gradC(dO: number[][]): number[] {\n  const g = new Array<number>(dO[0].length).fill(0);\n  for ` +
    `(const r of dO) r.forEach((v, k) => (g[k] += v));\n  return g;\n}\n`,
);
const goodJs = write('good.js', `exports.gradC = ${SUM};\n`);
const goodMjs = write('good.mjs', `export const gradC = ${SUM};\n`);
const last = write(
  'last.ts',
  `export default function (dO: number[][]): number[] { return dO[dO.length - 1].slice(); }\n`,
);
const stub = write(
  'stub.ts',
  `export function gradC(dO: number[][]): number[] { throw new Error('not implemented yet: gradC'); }\n`,
);
const loop = write('loop.ts', `export function gradC(dO: number[][]): number[] { for (;;) {} }\n`);
const exits = write('exits.ts', `export function gradC(dO: number[][]): number[] { process.exit(3); }\n`);
const broken = write(
  'broken.ts',
  `export const x = 1;\nexport function gradC(dO: number[][]): number[] { return [ }\n`,
);

describe('bpttlab check: exit codes and options', { concurrency: 4 }, () => {
  test('exit 0 when correct (.ts, CommonJS .js, ES module .mjs)', async () => {
    for (const f of [good, goodJs, goodMjs]) {
      const r = await run('dc', f);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /correct on all 4 cases/);
    }
  });
  test('exit 1 with the diagnosis when wrong (default export)', async () => {
    const r = await run('dc', last);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /no sum over time: only the last step/);
  });
  test('exit 1 when not implemented', async () => {
    const r = await run('dc', stub);
    assert.equal(r.code, 1);
    assert.match(r.out, /not implemented yet/);
  });
  test('exit 1 when the function never returns (stopped --timeout after its file starts loading)', async () => {
    const t0 = Date.now();
    const r = await run('dc', loop, '--timeout', '1.5');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /did not return in time/);
    assert.match(r.out, /while running case 0/);
    assert.ok(Date.now() - t0 < 30_000);
  });
  test('exit 1 when the function ends the process', async () => {
    const r = await run('dc', exits);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /ended before the check finished \(exit 3\)/);
  });
  test('--json prints the verdict object with its fields', async () => {
    const { v } = await json('dc', last);
    assert.equal(v.mistake?.id, 'last-step-only');
    for (const k of ['status', 'correct', 'text', 'casesPassed', 'casesTotal']) assert.ok(k in v, k);
  });
  test('--case runs one case', async () => {
    const { v } = await json('dc', good, '--case', '2');
    assert.equal(v.casesTotal, 1);
    assert.equal(v.correct, true);
  });
  test('an ES module with top-level await is supported', async () => {
    const tla = write(
      'tla.mjs',
      `const offset = await Promise.resolve(0);\nexport function gradC(dO) { return dO[0].map((_, k) => ` +
        `dO.reduce((s, r) => s + r[k], offset)); }\n`,
    );
    const tlaTs = write(
      'tla.ts',
      `const offset: number = await Promise.resolve(0);\nexport function gradC(dO: number[][]): number[] { return ` +
        `dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], offset)); }\n`,
    );
    for (const f of [tla, tlaTs]) {
      const r = await run('dc', f);
      assert.equal(r.code, 0, r.out + r.err);
    }
  });
  test('a file whose top-level await never finishes does not load, and the message says why', async () => {
    const hang = write('hang.mjs', `await new Promise(() => {});\nexport const gradC = ${SUM};\n`);
    const r = await run('dc', hang);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /cannot load .*hang\.mjs: its top-level await never finished/);
  });
  test("other packages (mathjs) and Node's built-ins are allowed", async () => {
    // inside the project, where mathjs resolves (a folder under build/, removed after)
    fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
    const inProject = fs.mkdtempSync(path.join(ROOT, 'build', 'check-'));
    try {
      const p = path.join(inProject, 'math.ts');
      fs.writeFileSync(
        p,
        `import { add } from 'mathjs';\nimport assert from 'node:assert';\nimport { createHash } from ` +
          `'node:crypto';\nexport function gradC(dO: number[][]): number[] {\n  assert.ok(createHash('sha256'));\n  ` +
          `return dO.reduce((s, r) => add(s, r) as number[], dO[0].map(() => 0));\n}\n`,
      );
      const r = await run('dc', p);
      assert.equal(r.code, 0, r.out + r.err);
    } finally {
      fs.rmSync(inProject, { recursive: true, force: true });
    }
  });
  test('exit 2 for bad usage, with one line on stderr', async () => {
    const bad: [string[], RegExp][] = [
      [['nope', good], /unknown exercise "nope"/],
      [['dc', path.join(dir, 'missing.ts')], /no such file/],
      [['dc', good, '--export', 'other'], /exports no function "other" \(it exports: gradC/],
      [['dW', good], /exports no function "gradW"/],
      [['dc', broken], /cannot load .*broken\.ts:2:\d+: /],
      [['dc', good, '--case', '4'], /--case 4: dc has cases 0\.\.3/],
      [['dc', good, '--case', '-1'], /--case/],
      [['dc'], /missing required argument/],
    ];
    for (const t of ['0', '-1', 'NaN', 'abc', '', String(MAX_TIMEOUT_S + 1), '1e300', 'Infinity'])
      bad.push([['dc', good, '--timeout', t], /--timeout.*expected seconds, a number > 0 and ≤ 2147483/]);
    for (const [argv, re] of bad) {
      const r = await run(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, re, argv.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, 'one line on stderr');
      assert.doesNotMatch(r.out, /correct on all/);
    }
  });
  test('the largest --timeout a timer supports is accepted (and does not fire at once)', async () => {
    const r = await run('dc', good, '--timeout', String(MAX_TIMEOUT_S));
    assert.equal(r.code, 0, r.out + r.err);
  });
  test('the bpttlab binary: check is registered, its help lists the exercises, exit codes as above', () => {
    const cli = path.join(ROOT, 'dist', 'cli', 'main.js');
    const help = spawnSync(process.execPath, [cli, 'check', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Exercises:\n(.|\n)*full-backward/);
    const ok = spawnSync(process.execPath, [cli, 'check', 'dc', good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const wrong = spawnSync(process.execPath, [cli, 'check', 'dc', last], { encoding: 'utf8' });
    assert.equal(wrong.status, 1, wrong.stdout + wrong.stderr);
    const bad = spawnSync(process.execPath, [cli, 'check', 'dc', good, '--case', '9'], { encoding: 'utf8' });
    assert.equal(bad.status, 2, bad.stdout + bad.stderr);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('bpttlab check on the derivation exercises (notebook 23)', { concurrency: 2 }, () => {
  interface Cell {
    cell_type: string;
    source: string | string[];
  }
  const cells = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '23-exercises-derivations.ipynb'), 'utf8')) as {
      cells: Cell[];
    }
  ).cells.map((c) => ({ type: c.cell_type, text: Array.isArray(c.source) ? c.source.join('') : c.source }));
  const cases: [string, string, string][] = [
    ['dx', 'gradX', 'missing-dtanh'],
    ['learned-h0', 'gradB0', 'missing-dtanh-b0'],
    ['last-step-loss', 'bpttLast', 'params-last-step-only'],
    ['relu-backward', 'reluBptt', 'tanh-derivative'],
  ];
  for (const [name, fn, mistake] of cases) {
    test(
      `${name}: the notebook's solution, exported from a file, is correct; a file with the mistake ${mistake} ` +
        `gets that diagnosis`,
      async () => {
        const cell = cells.find((c) => c.type === 'code' && new RegExp(`function ${fn}\\(`).test(c.text))!;
        const solution = write(`${name}-solution.ts`, cell.text.replace(`function ${fn}(`, `export function ${fn}(`));
        const ok = await json(name, solution);
        assert.equal(ok.code, 0, ok.v.text);
        assert.equal(ok.v.status, 'correct');
        // the deliberately wrong solutions of test/mistakes/, copied out of the package (a file inside it is refused)
        write(`${name}-mistakes.ts`, fs.readFileSync(path.join(ROOT, 'test', 'mistakes', `${name}.ts`), 'utf8'));
        const wrongFile = write(
          `${name}-wrong.ts`,
          `import m from './${name}-mistakes';\nexport const ${fn} = m[${JSON.stringify(mistake)}];\n`,
        );
        const wrong = await json(name, wrongFile);
        assert.equal(wrong.code, 1, wrong.v.text);
        assert.equal(wrong.v.mistake?.id, mistake, wrong.v.text);
        assert.match(wrong.v.text, new RegExp(`bpttlab check ${name} FILE --case \\d`));
      },
    );
  }
  test('their names (at most 18 characters) are listed by bpttlab check --help', () => {
    const help = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'check', '--help'], {
      encoding: 'utf8',
    });
    assert.equal(help.status, 0, help.stderr);
    for (const [name] of cases) {
      assert.ok(name.length <= 18, name);
      assert.ok(help.stdout.replace(/\s+/g, ' ').includes(name), `${name} in:\n${help.stdout}`);
    }
  });
});

describe('answers taken from bpttlab are never judged correct', { concurrency: 4 }, () => {
  const PKG = path.join(ROOT, 'node_modules', 'bpttlab'); // a link to the package itself
  // the built answers module of exercise dc, as a path a student could paste
  const dcAnswers = (root: string) => JSON.stringify(path.join(root, 'dist', 'teach', 'exercises', 'answers', 'dc.js'));
  const files: [string, string, RegExp][] = [
    [
      "by package name (the issue's example)",
      `exports.gradC = require('bpttlab').exercises.getExercise('dc').solution;\n`,
      /it loads bpttlab\b/,
    ],
    [
      'by package name, a subpath',
      `exports.gradC = require('bpttlab/dist/teach/exercises/answers/dc').gradC.solution;\n`,
      /it loads bpttlab\/dist\/teach\/exercises\/answers\/dc/,
    ],
    [
      'by an ES import of the package',
      `import * as bp from 'bpttlab';\nexport const gradC = (dO: number[][]) => bp.exercises.cases('dc') && dO[0];\n`,
      /it loads bpttlab\b/,
    ],
    [
      'by a path into the package (dist)',
      `exports.gradC = require(${dcAnswers(ROOT)}).gradC.solution;\n`,
      /it loads dist\/teach\/exercises\/answers\/dc\.js/,
    ],
    [
      'by a path into the package (src)',
      `import { gradC as ex } from ` +
        `${JSON.stringify(path.join(ROOT, 'src', 'teach', 'exercises', 'answers', 'dc'))};\nexport const gradC = ` +
        `ex.solution;\n`,
      /it loads src\/teach\/exercises\/answers\/dc/,
    ],
    [
      'by a path through node_modules/bpttlab (a link to the package)',
      `exports.gradC = require(${dcAnswers(PKG)}).gradC.solution;\n`,
      /it loads dist\/teach\/exercises\/answers\/dc\.js/,
    ],
    [
      'by a path that does not exist in the package',
      `exports.gradC = require(${JSON.stringify(path.join(ROOT, 'dist', 'nowhere.js'))});\n`,
      /it loads dist\/nowhere\.js/,
    ],
    [
      'by a dynamic require at run time',
      `const name = ['bpt', 'tlab'].join('');\nexports.gradC = (dO) => ` +
        `require(name).exercises.getExercise('dc').solution(dO);\n`,
      /it loads bpttlab\b/,
    ],
    [
      'by a dynamic import() at load time',
      `const name = ['bpt', 'tlab'].join('');\nconst bp = await import(name);\nexport const gradC = (dO) => ` +
        `bp.exercises.getExercise('dc').solution(dO);\n`,
      /it loads bpttlab\b/,
    ],
    [
      "by reading the answer's file and evaluating it",
      `const fs = require('fs');\nconst code = ` +
        `fs.readFileSync(${JSON.stringify(path.join(ROOT, 'dist', 'teach', 'exercises', 'answers', 'dc.js'))}, ` +
        `'utf8');\nconst m = { exports: {} }; new Function('module', 'exports', 'require', code)(m, m.exports, ` +
        `require);\nexports.gradC = m.exports.gradC.solution;\n`,
      /it loads dist\/teach\/exercises\/answers\/dc\.js \(a file of bpttlab's own package\)/,
    ],
    [
      'by reading a solution notebook',
      `const fs = require('fs');\nconst nb = ` +
        `fs.readFileSync(${JSON.stringify(path.join(ROOT, 'notebooks', '21-exercises-backward.ipynb'))}, ` +
        `'utf8');\nexports.gradC = (dO) => dO[0];\n`,
      /it loads notebooks\/21-exercises-backward\.ipynb/,
    ],
  ];
  for (const [how, code, re] of files) {
    test(how, async () => {
      const f = write(`steal-${how.replace(/\W+/g, '-')}.${/^import |await /m.test(code) ? 'mts' : 'js'}`, code);
      const { code: exit, v } = await json('dc', f);
      assert.equal(v.correct, false, v.text);
      assert.equal(exit, 1, v.text);
      assert.equal(v.status, 'uses-bpttlab', v.text);
      assert.match(v.text, re);
    });
  }
  test('a student file inside the package itself is refused too', async () => {
    const { v } = await json(
      'dc',
      path.join(ROOT, 'src', 'teach', 'exercises', 'answers', 'dc.ts'),
      '--export',
      'gradC',
    );
    assert.equal(v.status, 'uses-bpttlab', v.text);
  });
});

describe("the verdict cannot be forged, and the student's code is contained", { concurrency: 4 }, () => {
  const FAKE = JSON.stringify({
    kind: 'verdict',
    verdict: {
      exercise: 'dc',
      status: 'correct',
      correct: true,
      casesPassed: 4,
      casesTotal: 4,
      text: '✔ dc: correct on all 4 cases',
    },
  });
  const forgeries: [string, string][] = [
    [
      "writes the checker's old verdict line to stdout and exits",
      `exports.gradC = () => { process.stdout.write('\\n\\u0001bpttlab-verdict ${FAKE}\\n'); process.exit(0); };\n`,
    ],
    [
      'appends it from an exit handler',
      `process.on('exit', () => process.stdout.write('\\n\\u0001bpttlab-verdict ${FAKE}\\n'));\nexports.gradC = ` +
        `(dO) => dO[0].map(() => 0);\n`,
    ],
    [
      'patches process.stdout.write to turn "correct":false into true',
      `const w = process.stdout.write.bind(process.stdout);\nprocess.stdout.write = (s, ...a) => ` +
        `w(String(s).replace(/"correct":false/g, '"correct":true').replace(/✘/g, '✔'), ...a);\nexports.gradC = (dO) ` +
        `=> dO[0].map(() => 0);\n`,
    ],
    [
      "writes fake messages on the child's own channel (fd 3)",
      `const fs = require('fs');\nfor (let i = 0; i < 4; i++) fs.writeSync(3, JSON.stringify({ kind: 'case', ` +
        `outcome: { index: i, ok: true, value: { k: 'vec', v: [0, 0, 0] } } }) + '\\n');\nfs.writeSync(3, ` +
        `'${FAKE}\\n' + JSON.stringify({ kind: 'done' }) + '\\n');\nexports.gradC = (dO) => dO[0];\n`,
    ],
    [
      'sends "done" early and exits',
      `const fs = require('fs');\nexports.gradC = (dO) => { fs.writeSync(3, JSON.stringify({ kind: 'done' }) + ` +
        `'\\n'); process.exit(0); };\n`,
    ],
    [
      'calls process.exit(0) in the middle of the check',
      `let n = 0;\nexports.gradC = (dO) => { if (++n === 2) process.exit(0); return dO[0].map((_, k) => ` +
        `dO.reduce((s, r) => s + r[k], 0)); };\n`,
    ],
    [
      'patches the globals a comparison might use',
      `Array.prototype.every = () => true; Array.prototype.some = () => false; Math.abs = () => 0; Number.isNaN = ` +
        `() => false; Object.is = () => true; JSON.stringify = () => '{"correct":true}';\nexports.gradC = (dO) => ` +
        `dO[0].map(() => 0);\n`,
    ],
    [
      'returns a getter that lies on a second read',
      `exports.gradC = (dO) => { const out = []; let n = 0; for (let k = 0; k < dO[0].length; k++) ` +
        `Object.defineProperty(out, k, { enumerable: true, get: () => (n++ < dO[0].length ? 0 : 1) }); return out; ` +
        `};\n`,
    ],
    [
      'throws an object whose getters throw',
      `exports.gradC = () => { throw new Proxy({}, { get() { throw new Error('x'); }, getPrototypeOf() { throw new ` +
        `Error('y'); } }); };\n`,
    ],
    [
      'returns a Proxy that throws',
      `exports.gradC = () => new Proxy([1, 2, 3], { get() { throw new Error('gotcha'); } });\n`,
    ],
  ];
  for (const [how, code] of forgeries) {
    test(how, async () => {
      const f = write(`forge-${how.replace(/\W+/g, '-')}.js`, code);
      const r = await run('dc', f, '--json');
      const lastLine = r.out.trim().split('\n').pop() ?? '';
      const v = JSON.parse(lastLine) as Verdict;
      assert.equal(v.correct, false, r.out);
      assert.equal(r.code, 1, r.out + r.err);
      assert.ok(v.casesTotal > 0);
      assert.doesNotMatch(v.text, /^✔/, "the verdict line is the checker's");
      assert.doesNotMatch(v.text + r.err, /node:internal|\n\s+at .*\(node:/, 'no Node internals');
    });
  }
  test('a background process it tries to start neither outlives nor slows the check', async () => {
    const marker = path.join(dir, `bg-${process.pid}`);
    const f = write(
      'bg.js',
      `const cp = require('child_process');\ntry { cp.spawn('sh', ['-c', 'sleep 30; touch ${marker}'], { detached: ` +
        `true, stdio: 'ignore' }).unref(); } catch (e) { console.log('refused:', e.code); }\nexports.gradC = ${SUM};\n`,
    );
    const t0 = Date.now();
    const r = await run('dc', f);
    const took = Date.now() - t0;
    assert.match(r.out, /refused: ERR_ACCESS_DENIED/, 'the child may not start processes');
    assert.equal(r.code, 0, r.out + r.err); // the answer itself is right
    assert.ok(took < 25_000, `took ${took} ms`);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(ps, new RegExp(marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no process of its is left');
  });
  test('timers and handles it leaves open do not keep the check waiting', async () => {
    const f = write(
      'handles.js',
      `setInterval(() => {}, 1000);\nrequire('net').createServer().listen(0);\nexports.gradC = ${SUM};\n`,
    );
    const t0 = Date.now();
    const r = await run('dc', f, '--timeout', '60');
    assert.ok(r.code === 0 || r.code === 1, r.out + r.err);
    assert.ok(Date.now() - t0 < 25_000, `took ${Date.now() - t0} ms`);
  });
  test('100 MB printed is "too much output", not a timeout', async () => {
    const f = write(
      'flood.js',
      `exports.gradC = (dO) => { const s = 'x'.repeat(1 << 20); for (let i = 0; i < 100; i++) ` +
        `process.stdout.write(s); return dO[0]; };\n`,
    );
    const { v, code } = await json('dc', f, '--timeout', '60');
    assert.equal(v.status, 'too-much-output', v.text);
    assert.equal(code, 1);
    assert.match(v.text, /printed too much/);
  });
  test('more memory than the limit is "out of memory"', async () => {
    const f = write(
      'memory.js',
      `exports.gradC = (dO) => { const a = []; for (let i = 0; i < 64; i++) a.push(Buffer.alloc(64 << 20, 1)); ` +
        `return dO[0]; };\n`,
    );
    const { v } = await json('dc', f, '--timeout', '60');
    assert.equal(v.status, 'out-of-memory', v.text);
  });
  test('a tiny --timeout still stops the check (the limit is never switched off)', async () => {
    const { v } = await json('dc', loop, '--timeout', '0.0001');
    assert.equal(v.status, 'timeout', v.text);
  });
});

describe('afterwards', () => {
  test('no temporary folder of a check is left behind', () => {
    assert.equal(os.tmpdir(), sandboxes);
    assert.deepEqual(fs.readdirSync(sandboxes), []);
  });
});
