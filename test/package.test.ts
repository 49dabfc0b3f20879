// What a user who installs the package gets: `npm pack`, install the tarball into an empty project, and use the
// `bpttlab` command from there — `grad` on a case file, `check` on a TypeScript solution (no tsx, no devDependency:
// the check bundles the file itself), and `bench` with bpttlab's own engine. Everything happens in a temporary
// folder that the test removes, also when it fails.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SMALL_CASE } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const NPM = process.env.npm_execpath; // the npm that runs `npm test`, when it does

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const [cmd, argv] = NPM ? [process.execPath, [NPM, ...args]] : ['npm', args];
  return spawnSync(cmd, argv, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
}

const DW_SOLUTION = `// A student's solution, in TypeScript, as bpttlab check takes it.
export function gradW(h0: number[], h: number[][], dh: number[][]): number[][] {
  const nh = h0.length;
  const dW: number[][] = Array.from({ length: nh }, () => new Array<number>(nh).fill(0));
  for (let t = 0; t < h.length; t++) {
    const prev = t === 0 ? h0 : h[t - 1];
    for (let i = 0; i < nh; i++) {
      const da = (1 - h[t][i] * h[t][i]) * dh[t][i];
      for (let j = 0; j < nh; j++) dW[i][j] += da * prev[j];
    }
  }
  return dW;
}
`;

describe('the packed package, installed into an empty project', { timeout: 10 * 60_000 }, () => {
  let dir = '';
  let project = '';
  let bin = '';
  const bpttlab = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [bin, ...args], { cwd: project, encoding: 'utf8', maxBuffer: 64 << 20 });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-pack-'));
    const packed = npm(['pack', '--pack-destination', dir, '--json'], ROOT);
    assert.equal(packed.status, 0, `npm pack failed:\n${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    for (const f of [
      'dist/cli/main.js',
      'dist/index.js',
      'bench/run.mjs',
      'bench/bpttlab.mjs',
      'bench/peers/make_case.py',
      'data/genesis.txt',
    ]) {
      assert.ok(files.includes(f), `the package holds ${f}`);
    }
    assert.ok(
      !files.some((f) => f.startsWith('test/') || f.startsWith('notebooks/')),
      'tests and notebooks stay in the repository',
    );
    project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'a-course', version: '1.0.0', private: true }),
    );
    // --prefer-offline: the dependencies are in npm's cache after the project's own install
    const installed = npm(['install', '--prefer-offline', '--no-save', path.join(dir, info.filename)], project);
    assert.equal(installed.status, 0, `npm install of the tarball failed:\n${installed.stderr}`);
    bin = path.join(project, 'node_modules', 'bpttlab', 'dist', 'cli', 'main.js');
    assert.ok(fs.existsSync(path.join(project, 'node_modules', '.bin', 'bpttlab')), 'npm linked the bpttlab command');
    assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'tsx')), 'tsx (a devDependency) is not installed');
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('bpttlab grad prints the gradients of a case file', () => {
    const file = path.join(project, 'case.json');
    fs.writeFileSync(file, JSON.stringify(SMALL_CASE));
    const r = bpttlab('grad', 'case.json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { loss: number; grads: Record<string, unknown> };
    assert.ok(Number.isFinite(out.loss) && out.loss > 0);
    assert.deepEqual(Object.keys(out.grads).sort(), ['U', 'V', 'W', 'b', 'c', 'h0']);
    // the same numbers as the repository's own build
    const here = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'grad', file], {
      encoding: 'utf8',
    });
    assert.equal(r.stdout, here.stdout);
  });

  test('bpttlab check takes a TypeScript solution (correct: exit 0; a classic mistake: exit 1, named)', () => {
    fs.writeFileSync(path.join(project, 'dW.ts'), DW_SOLUTION);
    const ok = bpttlab('check', 'dW', 'dW.ts', '--json');
    assert.equal(ok.status, 0, `${ok.stdout}${ok.stderr}`);
    assert.equal((JSON.parse(ok.stdout.trim().split('\n').pop() ?? '') as { status: string }).status, 'correct');
    fs.writeFileSync(path.join(project, 'dW-wrong.ts'), DW_SOLUTION.replace('t === 0 ? h0 : h[t - 1]', 'h[t]'));
    const wrong = bpttlab('check', 'dW', 'dW-wrong.ts', '--json');
    assert.equal(wrong.status, 1, `${wrong.stdout}${wrong.stderr}`);
    const v = JSON.parse(wrong.stdout.trim().split('\n').pop() ?? '') as { status: string; mistake?: { id: string } };
    assert.deepEqual([v.status, v.mistake?.id], ['mistake', 'uses-h-t']);
  });

  test("bpttlab bench runs the benchmark with bpttlab's own engine", () => {
    const r = bpttlab('bench', '--sizes', 'S1', '--engines', 'bpttlab', '--seconds', '0.2', '--json');
    assert.equal(r.status, 0, r.stderr);
    const records = JSON.parse(r.stdout) as { engine: string; size: string; medianMs: number }[];
    const s1 = records.find((x) => x.engine === 'bpttlab' && x.size === 'S1');
    assert.ok(s1 && s1.medianMs > 0, r.stdout);
    assert.ok(
      !fs.existsSync(path.join(project, 'node_modules', 'bpttlab', 'build')),
      'nothing written into the installed package',
    );
  });
});
