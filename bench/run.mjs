#!/usr/bin/env node
// The side-by-side benchmark: forward + backward of one sequence (softmax-CE) at four sizes, every engine in its
// own process, one after another, on the same deterministic case; each peer's gradients are checked against
// ours before it is timed. Prints a table of median ms per sequence with ratios to bpttlab; --json prints the
// records as one JSON array instead.
//
//   node bench/run.mjs [--json] [--sizes S1,S2,S3,S4] [--engines bpttlab,bpttlab-js,c,numpy,torch,tfjs] [--seconds 1.5]
//
// Peers (bench/peers/, see its README): numpy written the min-char-rnn way, PyTorch 1.13 float64 autograd,
// tfjs-core with the cpu backend (float32), and a plain C -O3 loop. Missing ones are skipped with a note.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'build', 'bench');
const PY = '/usr/bin/python3';
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const asJson = argv.includes('--json');
const sizes = opt('--sizes', 'S1,S2,S3,S4').split(',');
const wanted = opt('--engines', 'bpttlab,bpttlab-js,c,numpy,torch,tfjs').split(',');
const seconds = opt('--seconds', '1.5');
const note = (s) => process.stderr.write(`[bench] ${s}\n`);

const has = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
const peers = {
  bpttlab: { cmd: [process.execPath, join(ROOT, 'bench', 'bpttlab.mjs')], ok: existsSync(join(ROOT, 'dist', 'index.js')), how: 'npm run build', tol: 0 },
  // the same engine with its JavaScript kernel instead of WebAssembly SIMD (what runs where SIMD is missing)
  'bpttlab-js': { cmd: [process.execPath, join(ROOT, 'bench', 'bpttlab.mjs')], env: { BPTTLAB_KERNEL: 'js' }, ok: existsSync(join(ROOT, 'dist', 'index.js')), how: 'npm run build', tol: 1e-12 },
  c: { cmd: [join(BUILD, 'c_loop')], ok: has('gcc', ['--version']), how: 'apt-get install gcc', tol: 1e-9 },
  numpy: { cmd: [PY, join(ROOT, 'bench', 'peers', 'numpy_minchar.py')], ok: has(PY, ['-c', 'import numpy']), how: 'apt-get install python3-numpy', tol: 1e-9 },
  torch: { cmd: [PY, join(ROOT, 'bench', 'peers', 'torch_autograd.py')], ok: has(PY, ['-c', 'import torch']), how: 'apt-get install python3-torch', tol: 1e-9 },
  tfjs: { cmd: [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'peers', 'tfjs_cpu.ts')], ok: existsSync(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-cpu')), how: 'npm install', tol: 1e-4 },
};
if (!has(PY, ['--version'])) throw new Error(`${PY} is needed to write the cases (bench/peers/make_case.py, standard library only)`);
mkdirSync(BUILD, { recursive: true });
if (wanted.includes('c') && peers.c.ok) {
  const r = spawnSync('gcc', ['-O3', '-march=native', '-o', peers.c.cmd[0], join(ROOT, 'bench', 'peers', 'c_loop.c'), '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) {
    peers.c.ok = false;
    note(`C peer did not compile: ${r.stderr.trim().split('\n')[0]}`);
  }
}
const engines = wanted.filter((e) => {
  if (!peers[e]) throw new Error(`unknown engine ${e} (known: ${Object.keys(peers).join(', ')})`);
  if (!peers[e].ok) note(`skipping ${e}: not installed (${peers[e].how})`);
  return peers[e].ok;
});

function runJson(engine, args) {
  const r = spawnSync(peers[engine].cmd[0], [...peers[engine].cmd.slice(1), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, cwd: ROOT, env: { ...process.env, ...(peers[engine].env ?? {}) } });
  if (r.status !== 0) throw new Error(`${engine} ${args.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const flat = (v) => (Array.isArray(v) ? v.flatMap(flat) : [v]);
/** Worst per-entry |a − b| / (max(1, |a| + |b|)), and for float32 peers the norm-wise ‖a − b‖/‖b‖ per gradient. */
function gradError(got, want) {
  let entry = 0;
  let normwise = 0;
  for (const k of ['U', 'W', 'V', 'b', 'c', 'h0']) {
    const [a, b] = [flat(got.grads[k]), flat(want.grads[k])];
    let d2 = 0;
    let b2 = 0;
    a.forEach((x, i) => {
      entry = Math.max(entry, Math.abs(x - b[i]) / Math.max(1, Math.abs(x) + Math.abs(b[i])));
      d2 += (x - b[i]) ** 2;
      b2 += b[i] ** 2;
    });
    normwise = Math.max(normwise, Math.sqrt(d2) / Math.max(Math.sqrt(b2), 1e-300));
  }
  return { entry, normwise };
}

const records = [];
for (const size of sizes) {
  const casePath = join(BUILD, `case-${size}.json`);
  const made = spawnSync(PY, [join(ROOT, 'bench', 'peers', 'make_case.py'), '--size', size, '--seed', '1'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (made.status !== 0) throw new Error(`make_case.py --size ${size}: ${made.stderr}`);
  writeFileSync(casePath, made.stdout);
  const ours = runJson('bpttlab', ['--grad', casePath]);
  for (const engine of engines) {
    let check = null;
    if (engine !== 'bpttlab') {
      // equal in what they compute before they are timed: float64 peers per entry, tfjs (float32) norm-wise
      const e = gradError(runJson(engine, ['--grad', casePath]), ours);
      const measure = engine === 'tfjs' ? e.normwise : e.entry;
      check = { gradError: measure, rule: engine === 'tfjs' ? '‖a − b‖/‖b‖ per gradient' : '|a − b|/max(1, |a| + |b|) per entry', tol: peers[engine].tol };
      if (!(measure <= peers[engine].tol)) {
        note(`${engine} at ${size}: gradients differ from bpttlab's (${measure.toExponential(2)} > ${peers[engine].tol}); not timed`);
        continue;
      }
    }
    const rec = runJson(engine, ['--time', '--size', size, '--case', casePath, '--seconds', seconds]);
    records.push({ ...rec, size, engine: engine.startsWith('bpttlab') ? engine : rec.engine ?? engine, ...(check ?? {}), load1: loadavg()[0] });
    if (!asJson) note(`${size} ${engine}: ${rec.msPerSequence.toFixed(3)} ms per sequence`);
  }
}

if (asJson) {
  console.log(JSON.stringify(records, null, 1));
} else {
  const engineNames = [...new Set(records.map((r) => r.engine))];
  const cell = (size, e) => records.find((r) => r.size === size && r.engine === e);
  const lines = [`median ms per sequence (forward + backward, softmax-CE); ratio = engine / bpttlab (> 1: bpttlab is faster)`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`, ''];
  lines.push(['size', ...engineNames].map((s) => s.padEnd(18)).join(''));
  for (const size of sizes) {
    const base = cell(size, 'bpttlab')?.msPerSequence;
    lines.push([size, ...engineNames.map((e) => {
      const r = cell(size, e);
      if (!r) return '—';
      return base && e !== 'bpttlab' ? `${r.msPerSequence.toFixed(3)} (${(r.msPerSequence / base).toFixed(2)}×)` : r.msPerSequence.toFixed(3);
    })].map((s) => s.padEnd(18)).join(''));
  }
  console.log(lines.join('\n'));
}
