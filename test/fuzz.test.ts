// A careless user, at random: command lines built from every command's options with good, absurd and malformed
// values, random bytes as case files, texts, checkpoints and standard input, files that are devices, FIFOs, folders
// or the user's own work. Whatever comes, `bpttlab` must
//   - exit 0, 1 or 2 with its one-line errors: never a stack trace, never an "internal error";
//   - finish within its own time: a command still running after RUN_SECONDS is sent SIGINT (Ctrl-C) and must then
//     stop within GRACE_SECONDS (`train` saves its checkpoint and exits 130);
//   - lose no file: every file that was there is still there; a file that is not a checkpoint is unchanged; a
//     checkpoint changes only under --resume or --overwrite and is still a checkpoint; no lock or temporary file is
//     left behind.
// Seeded: BPTTLAB_FUZZ_SEED=n reruns one sequence of command lines (a failure prints its seed and case number);
// bounded: it starts no new command after BPTTLAB_FUZZ_SECONDS (default 60) and runs at most BPTTLAB_FUZZ_RUNS (200).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Rng, rng } from '../src/model/rng';
import { checkpointOf, loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint';
import { corpusFromText } from '../src/train/text';
import { Trainer } from '../src/train/trainer';
import { SMALL_CASE } from './helpers';

const SEED = Number(process.env.BPTTLAB_FUZZ_SEED ?? 11);
const BUDGET_SECONDS = Number(process.env.BPTTLAB_FUZZ_SECONDS ?? 60);
const MAX_RUNS = Number(process.env.BPTTLAB_FUZZ_RUNS ?? 200);
const RUN_SECONDS = 40; // generous: the machine may be shared; a bounded command line takes a few seconds
const GRACE_SECONDS = 20;

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'bpttlab-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// --- the workspace a careless user has ---

const TEXT =
  'In the beginning God created the heaven and the earth.\nAnd the earth was without form, and void.\n'.repeat(4);
const GOOD_CASE = SMALL_CASE;

function setUp(): void {
  writeFileSync(join(dir, 'text.txt'), TEXT);
  writeFileSync(join(dir, 'case.json'), JSON.stringify(GOOD_CASE));
  // a case whose backward pass overflows: V^T ∇o(t) = 1e308 + 1e308
  writeFileSync(
    join(dir, 'overflow.json'),
    JSON.stringify({
      loss: 'softmax-ce',
      params: { U: [[1e-306]], W: [[0.5]], V: [[1e308], [-1e308]], b: [0], c: [0, 0] },
      tokens: [0, 0],
      y: [1, 1],
    }),
  );
  writeFileSync(join(dir, 'precious.txt'), 'a week of notes that must never be overwritten\n'.repeat(20));
  writeFileSync(join(dir, 'solution.ts'), 'export function gradW(): number[][] { return [[0]]; }\n');
  const r = rng(SEED);
  writeFileSync(join(dir, 'random.bin'), Buffer.from(Array.from({ length: 4096 }, () => r.int(256))));
  const t = new Trainer(
    { kind: 'text', corpus: corpusFromText(TEXT, join(dir, 'text.txt')) },
    { hiddenSize: 4, seqLength: 8, seed: 3 },
  );
  t.run(2);
  saveCheckpoint(
    join(dir, 'ck.json'),
    checkpointOf(t, { kind: 'text', file: 'text.txt', relativeTo: 'checkpoint' }, 'fuzz0001'),
  );
  mkdirSync(join(dir, 'folder'));
  symlinkSync('/dev/zero', join(dir, 'zero.json'));
  symlinkSync('/dev/urandom', join(dir, 'urandom.txt'));
  spawnSync('mkfifo', [join(dir, 'fifo')]);
}

// --- random command lines ---

type Pool = readonly string[];
const ABSURD: Pool = [
  '',
  '-1',
  '0',
  'NaN',
  'Infinity',
  '1e308',
  '1e-300',
  '4294967296',
  '9007199254740993',
  'x',
  '--',
  '-',
  '1.5',
  ' 3',
  '0x10',
  '1e9',
];
const FILES: Pool = [
  'case.json',
  'text.txt',
  'ck.json',
  'precious.txt',
  'random.bin',
  'mutated.json',
  'folder',
  'zero.json',
  'urandom.txt',
  'fifo',
  'missing.json',
  '-',
  'folder/missing/x.json',
  'solution.ts',
];
const SEEDS: Pool = ['0', '1', '4294967295', '4294967296', '-1', 'abc'];
// the good case more often, so that valid lines run too
const CASES: Pool = ['case.json', 'case.json', 'case.json', 'overflow.json', ...FILES];

interface CommandSpec {
  /** Positional arguments, each from its pool. */
  args: Pool[];
  /** option → values (an empty pool: a flag). */
  options: Record<string, Pool>;
  /** Put first, so the random options that follow override them: keeps a valid command line cheap. */
  bound?: string[];
  /** Put last (they override): limits that belong to another command's owner. */
  always?: string[];
}

const COMMANDS: Record<string, CommandSpec> = {
  grad: { args: [CASES], options: { '--engine': ['fast', 'reference', 'torch'] } },
  gradcheck: {
    args: [CASES],
    options: {
      '--stencil': ['2', '4', '3'],
      '--step': ['1e-4', '1e-300', '1e300', '0.3'],
      '--tol': ['1e-7', '1', '1e-300'],
      '--samples': ['1', '2', '1e9'],
      '--seed': SEEDS,
      '--no-per-step': [],
      '--all-steps': [],
      '--json': [],
    },
  },
  train: {
    args: [],
    options: {
      '--data': [
        'text.txt',
        'precious.txt',
        'random.bin',
        'mutated.json',
        'zero.json',
        'urandom.txt',
        'fifo',
        'folder',
        'missing.txt',
        'case.json',
      ],
      '--task': ['copy', 'adding', 'reber', 'sine', 'parity'],
      '--lag': ['1', '3', '100000000'],
      '--symbols': ['1', '2', '50'],
      '--alphabet': ['2', '3', '1e9'],
      '--noise': [],
      '--hidden': ['2', '3', '100000'],
      '--seq-length': ['2', '5', '1000000'],
      '--batch': ['1', '2', '1000000'],
      '--optimizer': ['sgd', 'adagrad', 'rmsprop', 'adam', 'lbfgs'],
      '--lr': ['0.1', '1e308', '1e-9'],
      '--clip': ['0', '1', '5'],
      '--clip-mode': ['value', 'norm', 'both'],
      '--bptt': ['full', 'chunked:2', 'random:3', 'stream:2,4', 'stream:4,2', 'chunked:0', 'banana'],
      '--iterations': ['1', '3', '12', '1e20'],
      '--seed': SEEDS,
      '--sample-every': ['0', '1', '4'],
      '--sample-length': ['0', '5', '1000000000'],
      '--temperature': ['0', '0.8', '1e308', '-1'],
      '--checkpoint': [
        'ck.json',
        'new1.json',
        'new2.json',
        'precious.txt',
        'text.txt',
        'folder',
        'zero.json',
        'fifo',
        'folder/missing/ck.json',
        'random.bin',
      ],
      '--checkpoint-every': ['0', '1', '2'],
      '--resume': [],
      '--overwrite': [],
      '--json': [],
      '--no-progress': [],
    },
    bound: ['--iterations', '6', '--hidden', '4', '--seq-length', '8', '--sample-every', '0', '--sample-length', '20'],
  },
  bench: {
    args: [],
    options: {
      '--json': [],
      '--sizes': ['tiny', 'S1', 'X', 'tiny,tiny-x'],
      '--engines': ['bpttlab', 'bpttlab-js', 'c', 'X'],
      '--seconds': ['0.05', '0.1', '601'],
    },
    bound: ['--sizes', 'tiny', '--engines', 'bpttlab', '--seconds', '0.05'],
  },
  check: {
    args: [['dW', 'dV', 'forwardStep', 'nope', ''], FILES],
    options: {
      '--export': ['gradW', 'default', 'x'],
      '--case': ['0', '1', '99'],
      '--json': [],
      '--timeout': ['0', '-1', 'NaN', '1e9', '5'],
    },
    always: ['--timeout', '10'], // bounds the run when the drawn options set no timeout of their own
  },
  grade: { args: [FILES], options: { '--json': [], '--timeout': ['0', '5', 'x'] }, always: ['--timeout', '10'] },
};

interface Line {
  args: string[];
  stdin: Buffer;
  /** The file written as mutated.json for this line. */
  mutated: Buffer;
  /** Ctrl-C after this many seconds (a user who changed their mind), or never. */
  ctrlC: number | null;
}

function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[r.int(xs.length)];
}

/** A good file with a few bytes flipped, inserted or cut: nearly valid, the most interesting kind of bad input. */
function mutate(r: Rng, good: Buffer): Buffer {
  const b = Array.from(good);
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const at = r.int(b.length + 1);
    const kind = r.int(4);
    if (kind === 0) b[Math.min(at, b.length - 1)] = r.int(256);
    else if (kind === 1)
      b.splice(at, 0, ...Buffer.from(pick(r, ['9e999', '-', '"', 'null', '[', '}', '\ufeff', '1e308', ',', '0'])));
    else if (kind === 2) b.splice(at, 1 + r.int(8));
    else b.length = Math.max(0, at);
  }
  return Buffer.from(b);
}

function randomBytes(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(256)));
}

function commandLine(r: Rng, goodCheckpoint: Buffer): Line {
  const names = [...Object.keys(COMMANDS), 'train', 'train']; // train has the most to lose: drawn three times as often
  const u = r.uniform();
  const name = u < 0.05 ? pick(r, ['', 'frob', '--help', '-h', 'help', '--version', 'GRAD']) : pick(r, names);
  const spec = COMMANDS[name];
  const args: string[] = [];
  if (spec) {
    args.push(name, ...(spec.bound ?? []));
    for (const pool of spec.args)
      if (r.uniform() < 0.9) args.push(r.uniform() < 0.85 ? pick(r, pool) : pick(r, ABSURD));
    const options = Object.keys(spec.options);
    const count = r.int(6);
    for (let i = 0; i < count; i++) {
      const o = pick(r, options);
      args.push(o);
      const pool = spec.options[o];
      if (pool.length > 0 && r.uniform() < 0.95) args.push(r.uniform() < 0.75 ? pick(r, pool) : pick(r, ABSURD));
    }
    if (r.uniform() < 0.1)
      args.splice(1 + r.int(args.length), 0, pick(r, ['--frobnicate', 'extra', '-x', '--', '--help']));
    args.push(...(spec.always ?? []));
  } else if (name !== '') args.push(name);
  const sources = [Buffer.from(JSON.stringify(GOOD_CASE)), goodCheckpoint, Buffer.from(TEXT)];
  const mutated = r.uniform() < 0.2 ? randomBytes(r, r.int(2000)) : mutate(r, pick(r, sources));
  const stdin = r.uniform() < 0.5 ? mutate(r, Buffer.from(JSON.stringify(GOOD_CASE))) : randomBytes(r, r.int(3000));
  const ctrlC = name === 'train' && r.uniform() < 0.2 ? 0.2 + 2 * r.uniform() : null;
  return { args, stdin, mutated, ctrlC };
}

// --- running one, and what must hold afterwards ---

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  interrupted: boolean;
  killed: boolean;
}

function runOne(line: Line): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...line.args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    let killed = false;
    child.stdout.on('data', (b: Buffer) => (stdout = (stdout + b.toString()).slice(-20000)));
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-20000)));
    child.stdin.on('error', () => undefined); // the command may not read its stdin at all
    child.stdin.end(line.stdin);
    const ctrlC = setTimeout(
      () => {
        interrupted = true;
        child.kill('SIGINT');
      },
      (line.ctrlC ?? RUN_SECONDS) * 1000,
    );
    const kill = setTimeout(
      () => {
        killed = true;
        child.kill('SIGKILL');
      },
      (RUN_SECONDS + GRACE_SECONDS) * 1000,
    );
    child.on('close', (code, signal) => {
      clearTimeout(ctrlC);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, interrupted, killed });
    });
  });
}

interface Snapshot {
  [name: string]: { hash: string; checkpoint: boolean };
}

function snapshot(): Snapshot {
  const s: Snapshot = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    // devices, the FIFO, the folder: not content
    if (st === undefined || !st.isFile() || name === 'mutated.json') continue;
    const bytes = readFileSync(p);
    let checkpoint = false;
    try {
      loadCheckpoint(p);
      checkpoint = true;
    } catch {
      // not a checkpoint
    }
    s[name] = { hash: createHash('sha256').update(bytes).digest('hex'), checkpoint };
  }
  return s;
}

/** Every broken promise of the contract for one command line, in words (empty: it behaved). */
function problems(line: Line, o: Outcome, before: Snapshot, afterwards: Snapshot): string[] {
  const p: string[] = [];
  if (o.killed)
    p.push(`still running ${GRACE_SECONDS} s after SIGINT (sent after ${line.ctrlC ?? RUN_SECONDS} s): a hang`);
  const expected = o.interrupted ? [0, 1, 2, 130] : [0, 1, 2];
  if (o.signal !== null && !(o.interrupted && o.signal === 'SIGINT')) p.push(`ended by signal ${o.signal}`);
  if (o.signal === null && !expected.includes(o.code as number)) p.push(`exit code ${o.code}`);
  const trace =
    /^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)$|node:internal|Node\.js v\d|internal error|Unhandled|throw er;/m.exec(o.stderr);
  if (trace !== null) p.push(`a stack trace or a crash on stderr: ${JSON.stringify(trace[0])}`);
  if (o.code === 2 && !o.interrupted) {
    const lines = o.stderr.trimEnd().split('\n');
    const last = lines[lines.length - 1] ?? '';
    if (!/^(bpttlab: |\[bench\] )/.test(last))
      p.push(`exit 2 without a one-line "bpttlab: ..." error last on stderr: ${JSON.stringify(last.slice(0, 200))}`);
  }
  const named = (flag: string): string | undefined => {
    const i = line.args.lastIndexOf(flag);
    return i >= 0 ? line.args[i + 1] : undefined;
  };
  const mayChange =
    line.args[0] === 'train' && (line.args.includes('--resume') || line.args.includes('--overwrite'))
      ? named('--checkpoint')
      : undefined;
  for (const [name, was] of Object.entries(before)) {
    const now = afterwards[name];
    if (now === undefined) p.push(`${name} was deleted`);
    else if (now.hash !== was.hash) {
      if (!was.checkpoint) p.push(`${name} (not a checkpoint) was changed`);
      else if (name !== mayChange) p.push(`checkpoint ${name} was changed without --resume or --overwrite naming it`);
      else if (!now.checkpoint) p.push(`checkpoint ${name} is no longer a valid checkpoint`);
    }
  }
  for (const name of Object.keys(afterwards)) {
    if (name in before) continue;
    if (!afterwards[name].checkpoint) p.push(`left a new file that is not a checkpoint: ${name}`);
  }
  for (const name of readdirSync(dir)) if (/\.(lock|tmp)$/.test(name)) p.push(`left ${name} behind`);
  return p;
}

test(`fuzz: random command lines and random bytes at grad, gradcheck, train, bench, check, grade (seed ${SEED}, at ` +
  `most ${BUDGET_SECONDS} s)`, {
  timeout: (BUDGET_SECONDS + RUN_SECONDS + GRACE_SECONDS + 120) * 1000,
}, async () => {
  assert.ok(existsSync(cli), 'dist/cli/main.js is built (npm run build)');
  setUp();
  const goodCheckpoint = readFileSync(join(dir, 'ck.json'));
  const r = rng(SEED);
  const t0 = performance.now();
  const failures: string[] = [];
  const counts: Record<string, Record<string, number>> = {}; // command → exit code → how many
  let runs = 0;
  while (runs < MAX_RUNS && (performance.now() - t0) / 1000 < BUDGET_SECONDS) {
    const line = commandLine(r, goodCheckpoint);
    writeFileSync(join(dir, 'mutated.json'), line.mutated);
    const before = snapshot();
    const o = await runOne(line);
    const found = problems(line, o, before, snapshot());
    runs++;
    const key = `${line.args[0] ?? '(none)'}${line.ctrlC === null ? '' : ' + Ctrl-C'}`;
    counts[key] ??= {};
    counts[key][String(o.code ?? o.signal)] = (counts[key][String(o.code ?? o.signal)] ?? 0) + 1;
    if (found.length > 0) {
      failures.push(
        `seed ${SEED}, case ${runs}: bpttlab ${line.args.map((a) => JSON.stringify(a)).join(' ')} (exit ` +
          `${o.code ?? o.signal})\n  ${found.join('\n  ')}\n  stderr: ` +
          `${o.stderr.trim().split('\n').slice(-6).join('\n          ')}`,
      );
      if (failures.length >= 5) break;
    }
    // a changed checkpoint is fine; put the original back, so that every case starts from the same workspace
    writeFileSync(join(dir, 'ck.json'), goodCheckpoint);
    for (const name of readdirSync(dir)) if (/^new\d\.json$|\.lock$|\.tmp$/.test(name)) rmSync(join(dir, name));
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary = Object.entries(counts).map(
    ([k, v]) =>
      `${k} (${Object.entries(v)
        .map(([code, n]) => `exit ${code}: ${n}`)
        .join(', ')})`,
  );
  process.stdout.write(
    `# fuzz: ${runs} command lines in ${seconds.toFixed(0)} s (seed ${SEED}): ${summary.join('; ')}\n`,
  );
  assert.deepEqual(failures, [], `rerun with BPTTLAB_FUZZ_SEED=${SEED}:\n${failures.join('\n')}`);
  assert.ok(runs >= 10, `only ${runs} command lines ran in ${BUDGET_SECONDS} s`);
});
