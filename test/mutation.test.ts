// The suite must go red when a gradient is broken. Each mutant is a copy of src/ with one classic BPTT mistake
// planted; the copy is held against the PyTorch fixtures and the gradient check, and must fail. The unmutated
// copy (the control) must pass, so a failure means the mistake was caught, not that the harness is broken.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..');
const work = join(root, 'build', 'mutants'); // inside the project so node_modules resolves; git-ignored

const mutants: [string, string, string, string][] = [
  // [name, file, original text, planted mistake]
  ['control (no mistake)', 'model/engine.ts', '', ''],
  ['wrong sign in ∇o(t) = ŷ − 1_y', 'model/losses.ts', 'dout[off + y] -= 1;', 'dout[off + y] += 1;'],
  ["tanh' factor dropped", 'model/engine.ts', 'M[da.at + at + i] = (1 - hi * hi) * dhi;', 'M[da.at + at + i] = dhi;'],
  [
    "tanh' applied twice",
    'model/engine.ts',
    'M[da.at + at + i] = (1 - hi * hi) * dhi;',
    'M[da.at + at + i] = (1 - hi * hi) * (1 - hi * hi) * dhi;',
  ],
  [
    'h(t) where h(t−1) belongs in ∇W',
    'model/engine.ts',
    'ws.loadTransposed(rowsOf(hAll, 0, daT.cols))',
    'ws.loadTransposed(rowsOf(hAll, hAll.rows - daT.cols, daT.cols))',
  ],
  [
    '∇h(t+1) not carried back',
    'model/engine.ts',
    'const dhi = M[dh.at + at + i] + M[carry.at + i];',
    'const dhi = M[dh.at + at + i];',
  ],
  [
    'V^T ∇o(t) forgotten in ∇h(t)',
    'model/engine.ts',
    'ws.mulT(dh, ws.load(dO), ws.loadTransposed(p.V));',
    'ws.f64.fill(0, dh.at, dh.at + dh.rows * dh.cols);',
  ],
  [
    'W instead of W^T in the recursion',
    'model/engine.ts',
    'ws.loadTransposed(p.W), hAll, dh,',
    'ws.load(p.W), hAll, dh,',
  ],
  ['no sum over time in ∇c', 'model/engine.ts', 'dc[j] += dO.data[r * K + j];', 'dc[j] = dO.data[r * K + j];'],
  [
    '∇b summed without H(t)',
    'model/engine.ts',
    'inputBackward(ws, fw.inputs, da, daT, dU, db);',
    'inputBackward(ws, fw.inputs, da, daT, dU, new Float64Array(H)); for (let r = 0; r < R; r++) for (let i = 0; i ' +
      '< H; i++) db[i] += ws.f64[dh.at + r * H + i];',
  ],
  [
    'the recursion skips every other step',
    'model/engine.ts',
    'ws.mulT(carry, rowsOf(da, t * B, B), Wt);',
    'if (t % 2 === 0) ws.mulT(carry, rowsOf(da, t * B, B), Wt);',
  ],
];

const checker = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCase, gradCheck, caseParams, close } from './src';
const dir = ${JSON.stringify(join(root, 'test', 'fixtures', 'torch'))};
const bad: string[] = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  if (bad.length > 0) break; // one disagreement is enough to catch a mutant
  const { case: c, expected } = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const got = runCase(c);
  const names = ['U', 'W', 'V', 'b', 'c', 'h0'];
  const pairs: [number[], number[]][] = names.map((k) => [[got.grads[k]].flat(2), [expected.grads[k]].flat(2)]);
  if (pairs.some(([a, b]) => a.some((v, i) => !close(v, b[i], 1e-9)))) bad.push(f);
  if (c.y.length <= 12) {
    const inputs = c.tokens ? { tokens: c.tokens } : { x: c.x };
    const options = { loss: c.loss, h0: c.h0, truncate: c.truncate, perStep: false };
    const r = gradCheck(caseParams(c), inputs, c.y, options);
    if (!r.pass) bad.push(f + ' (gradcheck)');
  }
}
const summary = bad.length + ' disagreements, e.g. ' + bad.slice(0, 3).join(', ');
console.log(bad.length === 0 ? 'all fixtures agree' : summary);
process.exit(bad.length === 0 ? 0 : 1);
`;

for (const [name, file, from, to] of mutants) {
  test(`mutant: ${name} → ${from ? 'caught' : 'passes'}`, () => {
    const dir = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    if (from) {
      const path = join(dir, 'src', file);
      const text = readFileSync(path, 'utf8');
      assert.ok(text.includes(from), `the mutation target "${from}" is no longer in src/${file}: update this test`);
      writeFileSync(path, text.replace(from, to));
    }
    writeFileSync(join(dir, 'check.ts'), checker);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'check.ts')], { cwd: root, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    if (from) assert.equal(r.status, 1, `mistake not caught: ${r.stdout}${r.stderr}`);
    else assert.equal(r.status, 0, `the unmutated copy fails: ${r.stdout}${r.stderr}`);
  });
}
