// The WebAssembly SIMD product equals its JavaScript twin on every remainder shape, the committed binary is the
// one src/model/kernels.wat assembles to, and the engine gives the reference's numbers with either kernel.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { close as agree } from '../src/model/agree';
import { gemmNT } from '../src/model/gemm-js';
import { kernelName, Workspace } from '../src/model/kernels';
import { rng } from '../src/model/rng';

test('the engine runs the WebAssembly kernel here (Node 20 has WebAssembly SIMD)', () => {
  assert.equal(kernelName(), 'wasm');
});

test(
  'C = A B^T (and C += A B^T) agree between WebAssembly and JavaScript for every m, n, k remainder, touching ' +
    'nothing outside C',
  () => {
    const ws = new Workspace();
    const r = rng(7);
    for (let m = 1; m <= 6; m++) {
      for (let n = 1; n <= 9; n++) {
        for (const k of [1, 2, 3, 5, 8, 13]) {
          for (const acc of [false, true]) {
            ws.begin(m * k + n * k + m * n + 8);
            const a = ws.alloc(m * k);
            const b = ws.alloc(n * k);
            const guard = ws.alloc(2);
            const c = ws.alloc(m * n);
            const after = ws.alloc(2);
            const M = ws.f64;
            for (let i = a; i < c + m * n; i++) M[i] = r.normal();
            M[after] = M[after + 1] = 42;
            const [A, B, C] = [M.slice(a, a + m * k), M.slice(b, b + n * k), M.slice(c, c + m * n)];
            const g = M.slice(guard, guard + 2);
            ws.gemm(m, n, k, a, b, c, acc);
            gemmNT(m, n, k, A, 0, B, 0, C, 0, acc);
            for (let i = 0; i < m * n; i++) assert.ok(agree(M[c + i], C[i], 1e-13), `m=${m} n=${n} k=${k} [${i}]`);
            assert.deepEqual(
              [M[guard], M[guard + 1], M[after], M[after + 1]],
              [g[0], g[1], 42, 42],
              `wrote outside C at m=${m} n=${n} k=${k}`,
            );
          }
        }
      }
    }
  },
);

test('src/model/kernels-wasm.ts is what src/model/kernels.wat assembles to', () => {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-wasm.mjs'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

test('with BPTTLAB_KERNEL=js the engine falls back to JavaScript and still equals the PyTorch fixtures', () => {
  const script = `
    const { kernelName, runCase, close } = require('./src');
    const fs = require('fs'), path = require('path');
    if (kernelName() !== 'js') throw new Error('kernel ' + kernelName());
    const dir = 'test/fixtures/torch';
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const { case: c, expected } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const got = runCase(c);
      const a = [got.loss, ...got.grads.W.flat(), ...got.grads.U.flat(), ...got.grads.h0];
      const b = [expected.loss, ...expected.grads.W.flat(), ...expected.grads.U.flat(), ...expected.grads.h0];
      a.forEach((x, i) => { if (!close(x, b[i], 1e-9)) throw new Error(f + ' entry ' + i); });
    }
    console.log('ok');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, BPTTLAB_KERNEL: 'js' },
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /ok/);
});
