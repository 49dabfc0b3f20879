// The suite must go red when a gradient is broken. Each mutant is a copy of src/ with one classic BPTT mistake
// planted; the copy is held against the PyTorch fixtures and the gradient check, and must fail. The unmutated
// copy (the control) must pass, so a failure means the mistake was caught, not that the harness is broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const work = join(root, 'build', 'mutants'); // inside the project so node_modules resolves; git-ignored

const mutants: [string, string, string, string][] = [
  // [name, file, original text, planted mistake]
  ['control (no mistake)', 'rnn.ts', '', ''],
  ['wrong sign in ∇o(t) = ŷ − 1_y', 'losses.ts', 'dout[off + y] -= 1;', 'dout[off + y] += 1;'],
  ["tanh' factor dropped", 'rnn.ts', 'M[da + at + i] = (1 - hi * hi) * dhi;', 'M[da + at + i] = dhi;'],
  ["tanh' applied twice", 'rnn.ts', 'M[da + at + i] = (1 - hi * hi) * dhi;', 'M[da + at + i] = (1 - hi * hi) * (1 - hi * hi) * dhi;'],
  ['h(t) where h(t−1) belongs in ∇W', 'rnn.ts', 'ws.transpose(R, H, fw.hAll.data, 0, hPrevT);', 'ws.transpose(R, H, fw.hAll.data, n, hPrevT);'],
  ['∇h(t+1) not carried back', 'rnn.ts', 'const dhi = M[dh + at + i] + M[carry + i];', 'const dhi = M[dh + at + i];'],
  ['V^T ∇o(t) forgotten in ∇h(t)', 'rnn.ts', 'ws.gemm(R, H, K, dOw, Vt, dh, false);', ''],
  ['W instead of W^T in the recursion', 'rnn.ts', 'ws.transpose(H, H, p.W.data, 0, Wt);', 'M.set(p.W.data, Wt);'],
  ['no sum over time in ∇c', 'rnn.ts', 'dc[j] += dO.data[r * K + j];', 'dc[j] = dO.data[r * K + j];'],
  ['∇b summed without H(t)', 'rnn.ts', 'db[i] += M[da + r * H + i];', 'db[i] += M[dh + r * H + i];'],
  ['the recursion skips every other step', 'rnn.ts', 'ws.gemm(B, H, H, da + at, Wt, carry, false);', 'if (t % 2 === 0) ws.gemm(B, H, H, da + at, Wt, carry, false);'],
];

const checker = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCase, gradCheck, caseParams } from './src';
const dir = ${JSON.stringify(join(root, 'test', 'fixtures', 'torch'))};
const bad: string[] = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  if (bad.length > 0) break; // one disagreement is enough to catch a mutant
  const { case: c, expected } = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const got = runCase(c);
  const pairs: [number[], number[]][] = ['U', 'W', 'V', 'b', 'c', 'h0'].map((k) => [[got.grads[k]].flat(2), [expected.grads[k]].flat(2)]);
  if (pairs.some(([a, b]) => a.some((v, i) => !(Math.abs(v - b[i]) <= 1e-9 * Math.max(1, Math.abs(v) + Math.abs(b[i])))))) bad.push(f);
  if (c.y.length <= 12) {
    const r = gradCheck(caseParams(c), c.tokens ? { tokens: c.tokens } : { x: c.x }, c.y, { loss: c.loss, h0: c.h0, truncate: c.truncate, perStep: false });
    if (!r.pass) bad.push(f + ' (gradcheck)');
  }
}
console.log(bad.length === 0 ? 'all fixtures agree' : bad.length + ' disagreements, e.g. ' + bad.slice(0, 3).join(', '));
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
