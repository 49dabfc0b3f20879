#!/usr/bin/env node
// The side-by-side benchmark: forward + backward of one sequence (softmax-CE) at four sizes, every engine in its
// own process, one after another, on the same deterministic case; each peer's gradients are checked against
// ours before it is timed. Prints a table of median ms per sequence with ratios to bpttlab; --json prints the
// records as one JSON array instead.
//
//   node bench/run.mjs [--json] [--sizes S1,S2,S3,S4] [--engines bpttlab,bpttlab-js,c,numpy,torch,tfjs] [--seconds 1.5]
//   (--dry-run: check the arguments and print what would run; a bad argument is one line and exit 2)
//
// Peers (bench/peers/, see its README): numpy written the min-char-rnn way, PyTorch 1.13 float64 autograd,
// tfjs-core with the cpu backend (float32), and a plain C -O3 loop. Missing ones are skipped with a note.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// In the repository the cases and the compiled C peer go to build/bench; in an installed package (no .git: its
// folder may not be ours to write) to a temporary folder removed at exit.
const INSTALLED = !existsSync(join(ROOT, '.git'));
const BUILD = INSTALLED ? mkdtempSync(join(tmpdir(), 'bpttlab-bench-')) : join(ROOT, 'build', 'bench');
if (INSTALLED) process.on('exit', () => rmSync(BUILD, { recursive: true, force: true }));
const PY = '/usr/bin/python3';
const SIZES = ['S1', 'S2', 'S3', 'S4', 'tiny', 'tiny-x', 'tiny-batch', 'tiny-batch-x']; // bench/peers/make_case.py
const ENGINES = ['bpttlab', 'bpttlab-js', 'c', 'numpy', 'torch', 'tfjs'];
const MAX_SECONDS = 600;
/** Bad arguments: one line and exit 2, as the bpttlab command line does. */
const usage = (msg) => {
  process.stderr.write(`[bench] ${msg}\n`);
  process.exit(2);
};

function parseArgs(argv) {
  const o = { json: false, dryRun: false, sizes: ['S1', 'S2', 'S3', 'S4'], engines: [...ENGINES], seconds: 1.5 };
  const list = (flag, v, known) => {
    const items = v.split(',').map((s) => s.trim());
    const bad = items.filter((s) => !known.includes(s));
    if (bad.length > 0)
      usage(
        `${flag}: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected a comma-separated list of ` +
          `${known.join(', ')}`,
      );
    return [...new Set(items)];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--dry-run') o.dryRun = true;
    else if (a === '--sizes' || a === '--engines' || a === '--seconds') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
      if (a === '--sizes') o.sizes = list(a, v, SIZES);
      else if (a === '--engines') o.engines = list(a, v, ENGINES);
      else {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_SECONDS)
          usage(`--seconds must be a number in (0, ${MAX_SECONDS}], got ${JSON.stringify(v)}`);
        o.seconds = n;
      }
    } else
      usage(
        `unknown argument ${JSON.stringify(a)} (usage: node bench/run.mjs [--json] [--sizes ` +
          `${SIZES.slice(0, 4).join(',')}] [--engines ${ENGINES.join(',')}] [--seconds 1.5])`,
      );
  }
  return o;
}

const args = parseArgs(process.argv.slice(2));
const asJson = args.json;
const sizes = args.sizes;
const wanted = args.engines;
const seconds = String(args.seconds);
if (args.dryRun) {
  console.log(JSON.stringify({ sizes, engines: wanted, seconds: args.seconds }));
  process.exit(0);
}
const note = (s) => process.stderr.write(`[bench] ${s}\n`);
// A peer that fails at run time is one line too (exit 1), not a stack trace.
process.on('uncaughtException', (e) => {
  note(`error: ${e.message}`);
  process.exit(1);
});

const has = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
const peers = {
  bpttlab: {
    cmd: [process.execPath, join(ROOT, 'bench', 'bpttlab.mjs')],
    ok: existsSync(join(ROOT, 'dist', 'index.js')),
    how: 'npm run build',
    tol: 0,
  },
  // the same engine with its JavaScript kernel instead of WebAssembly SIMD (what runs where SIMD is missing)
  'bpttlab-js': {
    cmd: [process.execPath, join(ROOT, 'bench', 'bpttlab.mjs')],
    env: { BPTTLAB_KERNEL: 'js' },
    ok: existsSync(join(ROOT, 'dist', 'index.js')),
    how: 'npm run build',
    tol: 1e-12,
  },
  c: { cmd: [join(BUILD, 'c_loop')], ok: has('gcc', ['--version']), how: 'apt-get install gcc', tol: 1e-9 },
  numpy: {
    cmd: [PY, join(ROOT, 'bench', 'peers', 'numpy_minchar.py')],
    ok: has(PY, ['-c', 'import numpy']),
    how: 'apt-get install python3-numpy',
    tol: 1e-9,
  },
  torch: {
    cmd: [PY, join(ROOT, 'bench', 'peers', 'torch_autograd.py')],
    ok: has(PY, ['-c', 'import torch']),
    how: 'apt-get install python3-torch',
    tol: 1e-9,
  },
  tfjs: {
    cmd: [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'peers', 'tfjs_cpu.ts')],
    ok: existsSync(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-cpu')),
    how: 'npm install',
    tol: 1e-4,
  },
};
if (!has(PY, ['--version']))
  throw new Error(`${PY} is needed to write the cases (bench/peers/make_case.py, standard library only)`);
mkdirSync(BUILD, { recursive: true });
if (wanted.includes('c') && peers.c.ok) {
  const r = spawnSync(
    'gcc',
    ['-O3', '-march=native', '-o', peers.c.cmd[0], join(ROOT, 'bench', 'peers', 'c_loop.c'), '-lm'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    peers.c.ok = false;
    note(`C peer did not compile: ${r.stderr.trim().split('\n')[0]}`);
  }
}
const engines = wanted.filter((e) => {
  if (!peers[e].ok) note(`skipping ${e}: not installed (${peers[e].how})`);
  return peers[e].ok;
});

function runJson(engine, args) {
  const r = spawnSync(peers[engine].cmd[0], [...peers[engine].cmd.slice(1), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    cwd: ROOT,
    env: { ...process.env, ...(peers[engine].env ?? {}) },
  });
  if (r.status !== 0)
    throw new Error(`${engine} ${args.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
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
  const made = spawnSync(PY, [join(ROOT, 'bench', 'peers', 'make_case.py'), '--size', size, '--seed', '1'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (made.status !== 0) throw new Error(`make_case.py --size ${size}: ${made.stderr}`);
  writeFileSync(casePath, made.stdout);
  const ours = runJson('bpttlab', ['--grad', casePath]);
  for (const engine of engines) {
    let check = null;
    if (engine !== 'bpttlab') {
      // equal in what they compute before they are timed: float64 peers per entry, tfjs (float32) norm-wise
      const e = gradError(runJson(engine, ['--grad', casePath]), ours);
      const measure = engine === 'tfjs' ? e.normwise : e.entry;
      check = {
        gradError: measure,
        rule: engine === 'tfjs' ? '‖a − b‖/‖b‖ per gradient' : '|a − b|/max(1, |a| + |b|) per entry',
        tol: peers[engine].tol,
      };
      if (!(measure <= peers[engine].tol)) {
        note(
          `${engine} at ${size}: gradients differ from bpttlab's (${measure.toExponential(2)} > ` +
            `${peers[engine].tol}); not timed`,
        );
        continue;
      }
    }
    const rec = runJson(engine, ['--time', '--size', size, '--case', casePath, '--seconds', seconds]);
    records.push({
      ...rec,
      size,
      engine: engine.startsWith('bpttlab') ? engine : (rec.engine ?? engine),
      ...(check ?? {}),
      load1: loadavg()[0],
    });
    if (!asJson) note(`${size} ${engine}: ${rec.msPerSequence.toFixed(3)} ms per sequence`);
  }
}

if (asJson) {
  console.log(JSON.stringify(records, null, 1));
} else {
  const engineNames = [...new Set(records.map((r) => r.engine))];
  const cell = (size, e) => records.find((r) => r.size === size && r.engine === e);
  const lines = [
    `median ms per sequence (forward + backward, softmax-CE); ratio = engine / bpttlab (> 1: bpttlab is faster)`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    '',
  ];
  lines.push(['size', ...engineNames].map((s) => s.padEnd(18)).join(''));
  for (const size of sizes) {
    const base = cell(size, 'bpttlab')?.msPerSequence;
    lines.push(
      [
        size,
        ...engineNames.map((e) => {
          const r = cell(size, e);
          if (!r) return '—';
          return base && e !== 'bpttlab'
            ? `${r.msPerSequence.toFixed(3)} (${(r.msPerSequence / base).toFixed(2)}×)`
            : r.msPerSequence.toFixed(3);
        }),
      ]
        .map((s) => s.padEnd(18))
        .join(''),
    );
  }
  console.log(lines.join('\n'));
}
