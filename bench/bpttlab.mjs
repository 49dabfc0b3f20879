#!/usr/bin/env node
// bpttlab's side of the benchmark: the same command line as the peers in bench/peers/.
//   node bench/bpttlab.mjs --grad CASE.json                     → {"loss", "grads": {U, W, V, b, c, h0}}
//   node bench/bpttlab.mjs --time --size S1 --case CASE.json [--seconds 1.5]
// Runs the compiled engine (dist/), as a user of the package would. A batch case ({"batch": [...]}) runs
// forwardBatch: B sequences side by side, each step's products matrix–matrix.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bp = require('../dist/index.js');

const argv = process.argv.slice(2);
const opt = (k) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};

function load(path) {
  const c = JSON.parse(readFileSync(path, 'utf8'));
  const p = bp.caseParams(c);
  const seqs = c.batch ?? [c];
  const xs = seqs.map((s) => (s.tokens ? { tokens: s.tokens } : { x: s.x }));
  const ys = seqs.map((s) => s.y);
  const h0 = c.params.h0;
  const batched = c.batch !== undefined;
  // Each call overwrites the previous call's result arrays (`into`, `gradsInto`), as a training loop would.
  let last = null;
  const run = () => {
    const into = last?.fw;
    const fw = batched
      ? bp.forwardBatch(p, xs, ys, { h0: h0 && (Array.isArray(h0[0]) ? h0 : [h0]), into })
      : bp.forward(p, xs[0], ys[0], { h0, into });
    last = { fw, g: bp.backward(p, fw, { gradsInto: last?.g }) };
    return last;
  };
  return { run, B: seqs.length, T: ys[0].length, H: p.W.rows };
}

if (opt('--grad')) {
  const { run, B, H } = load(opt('--grad'));
  const { fw, g } = run();
  const rows = (m) => bp.toRows(m);
  const h0 =
    B === 1 ? Array.from(g.dh0) : Array.from({ length: B }, (_, s) => Array.from(g.dh0.subarray(s * H, (s + 1) * H)));
  console.log(
    JSON.stringify({
      loss: fw.loss,
      grads: { U: rows(g.dU), W: rows(g.dW), V: rows(g.dV), b: Array.from(g.db), c: Array.from(g.dc), h0 },
    }),
  );
} else if (argv.includes('--time')) {
  const size = opt('--size') ?? 'S1';
  const seconds = Number(opt('--seconds') ?? 1.5);
  if (!opt('--case')) throw new Error('bench/bpttlab.mjs --time needs --case CASE.json (bench/run.mjs makes one)');
  const { run, B, T, H } = load(opt('--case'));
  let loss = 0;
  const warm = performance.now() + Math.min(1000, seconds * 400);
  while (performance.now() < warm) loss = run().fw.loss;
  // Bytes of typed arrays one call allocates (off the JS heap, so visible in memoryUsage().arrayBuffers until a GC):
  // with the results reused, only the small per-call copies of inputs and targets remain.
  const ab0 = process.memoryUsage().arrayBuffers;
  run();
  const bytesPerCall = Math.max(0, process.memoryUsage().arrayBuffers - ab0);
  const times = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || times.length < 3) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
  const rec = {
    size,
    engine: bp.kernelName() === 'wasm' ? 'bpttlab' : 'bpttlab-js',
    kernel: bp.kernelName(),
    msPerSequence: q(0.5) / B,
    runs: times.length,
    medianMs: q(0.5),
    p10Ms: q(0.1),
    p90Ms: q(0.9),
    loss,
    ...(B > 1 ? { msPerBatch: q(0.5), batch: B } : {}),
    bytesPerCall,
    bytesPerStepHidden: bytesPerCall / (T * B * H * 8),
    node: process.version,
  };
  console.log(JSON.stringify(rec));
} else {
  console.error('usage: bench/bpttlab.mjs --grad CASE.json | --time --size S1 --case CASE.json [--seconds 1.5]');
  process.exit(2);
}
