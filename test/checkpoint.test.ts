// Checkpoints: exact round trip, exact resume, atomic save, and every kind of corrupt file rejected with a clear error.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Interrupted, type TrainIO } from '../src/cli/train';
import { BpttError } from '../src/model/errors';
import { PARAM_NAMES, paramData } from '../src/model/params';
import {
  type Checkpoint,
  checkpointOf,
  checkpointToJson,
  loadCheckpoint,
  parseCheckpoint,
  resumeTrainer,
  saveCheckpoint,
  tempPathFor,
} from '../src/train/checkpoint';
import { checkpointHeader, lockCheckpoint, removeStaleTemps } from '../src/train/checkpoint-lock';
import { makeTask } from '../src/train/tasks';
import { corpusFromText } from '../src/train/text';
import { Trainer } from '../src/train/trainer';
import { trainCli } from './train-cli';

const dir = mkdtempSync(join(tmpdir(), 'bpttlab-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TEXT = 'one two three four five six seven eight nine ten\n'.repeat(8);
const textSource = () => ({ kind: 'text' as const, corpus: corpusFromText(TEXT) });
const config = { hiddenSize: 6, seqLength: 9, batchSize: 2, optimizer: 'adam' as const, lr: 0.01, seed: 5 };

function trained(n: number): { t: Trainer; ck: Checkpoint } {
  const t = new Trainer(textSource(), config);
  t.run(n);
  return { t, ck: checkpointOf(t, { kind: 'text', file: 'numbers.txt' }) };
}

/** Bit-for-bit equality of two Float64Arrays (so −0 ≠ 0 and every last bit counts). */
function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  assert.deepEqual(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
    what,
  );
}

test('round trip is exact: every parameter bit (−0 included), the optimiser and trainer states, the vocabulary', () => {
  const { ck } = trained(4);
  ck.params.b[0] = -0; // initParams leaves zero biases, some of them −0; make sure one is
  const file = join(dir, 'exact.json');
  saveCheckpoint(file, ck);
  const back = loadCheckpoint(file);
  for (const n of PARAM_NAMES) sameBits(paramData(back.params, n), paramData(ck.params, n), n);
  assert.ok(Object.is(back.params.b[0], -0));
  assert.deepEqual(back.optimizer, ck.optimizer);
  assert.deepEqual(back.trainer, ck.trainer);
  assert.deepEqual(back.config, ck.config);
  assert.deepEqual(back.vocab?.chars, ck.vocab?.chars);
  assert.equal(back.iteration, 4);
  assert.equal(checkpointToJson(back), checkpointToJson(ck), 'writing it again gives the same text');
});

test('a resumed run continues exactly as the uninterrupted one (text streams and a task)', () => {
  const straight = new Trainer(textSource(), config);
  const all = straight.run(7).map((s) => s.loss);
  const { ck } = trained(3);
  const resumed = resumeTrainer(parseCheckpoint(checkpointToJson(ck)), textSource());
  const rest = resumed.run(4).map((s) => s.loss);
  assert.deepEqual(rest, all.slice(3));
  for (const n of PARAM_NAMES) sameBits(paramData(resumed.params, n), paramData(straight.params, n), n);
  assert.equal(resumed.history[3].iteration, 7);

  const task = { kind: 'task' as const, task: makeTask('copy', { lag: 4 }) };
  const cfg = { hiddenSize: 5, batchSize: 3, seed: 2, truncation: { kind: 'randomized' as const, k: 3 } };
  const a = new Trainer(task, cfg);
  const losses = a.run(6).map((s) => s.loss);
  const b = new Trainer(task, cfg);
  b.run(2);
  const c = resumeTrainer(
    parseCheckpoint(checkpointToJson(checkpointOf(b, { kind: 'task', name: 'copy', options: { lag: 4 } }))),
    task,
  );
  assert.deepEqual(
    c.run(4).map((s) => s.loss),
    losses.slice(2),
  );
});

test('saving is atomic: no temp file left, an old checkpoint replaced whole, or kept whole when the save fails', () => {
  const file = join(dir, 'atomic.json');
  const { ck } = trained(2);
  saveCheckpoint(file, ck);
  const { ck: later } = trained(3);
  saveCheckpoint(file, later);
  assert.equal(loadCheckpoint(file).iteration, 3);
  const before = readFileSync(file, 'utf8');
  const bad = trained(1).ck;
  bad.params.W.data[2] = Number.NaN;
  assert.throws(() => saveCheckpoint(file, bad), /parameter W has NaN at index 2/);
  assert.equal(readFileSync(file, 'utf8'), before, 'the old checkpoint is untouched');
  assert.throws(() => saveCheckpoint(join(dir, 'no-such-dir', 'x.json'), ck), /cannot save checkpoint/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

/** The checkpoint as JSON, edited, re-serialised; the parse must fail with a message matching `why`. */
// biome-ignore lint/suspicious/noExplicitAny: the test edits a parsed checkpoint's JSON freely
function rejects(edit: (doc: Record<string, any>) => void, why: RegExp): void {
  const doc = JSON.parse(checkpointToJson(trained(1).ck));
  edit(doc);
  assert.throws(
    () => parseCheckpoint(JSON.stringify(doc), 'ck.json'),
    (e: Error) => {
      assert.ok(e instanceof BpttError, `a BpttError, got ${e.name}`);
      assert.match(e.message, /^checkpoint ck\.json: /);
      assert.match(e.message, why);
      return true;
    },
  );
}

test('every kind of corrupt checkpoint is rejected with a message naming the problem', () => {
  const good = checkpointToJson(trained(1).ck);
  // not JSON at all, truncated, empty
  assert.throws(() => parseCheckpoint('hello', 'ck.json'), /checkpoint ck\.json: not valid JSON/);
  assert.throws(
    () => parseCheckpoint(good.slice(0, Math.floor(good.length / 2)), 'ck.json'),
    /not valid JSON \(truncated or not a checkpoint\?\)/,
  );
  assert.throws(() => parseCheckpoint('', 'ck.json'), /not valid JSON \(the file is empty\)/);
  assert.throws(() => parseCheckpoint('[1, 2]', 'ck.json'), /the top level must be an object/);
  // format and version
  rejects((d) => (d.format = 'something-else'), /format must be "bpttlab-checkpoint"/);
  rejects((d) => (d.version = 2), /version 2 is not supported: this bpttlab reads version 1/);
  rejects((d) => delete d.version, /version is missing/);
  // missing fields
  rejects((d) => delete d.params, /params is missing/);
  rejects((d) => delete d.params.W, /params\.W is missing/);
  rejects((d) => delete d.optimizer, /optimizer is missing/);
  rejects((d) => delete d.optimizer.slots.r, /optimizer\.slots\.r is missing/);
  rejects((d) => delete d.config.lr, /config\.lr is missing/);
  rejects((d) => delete d.trainer.streams, /trainer\.streams is missing/);
  rejects((d) => delete d.vocab, /vocab is missing/);
  // wrong shapes
  rejects((d) => d.params.W[1].pop(), /params\.W\[1\] has 5 entries, expected H×H → 6 columns/);
  rejects((d) => d.params.U.pop(), /params\.U has 5 rows, expected H×D \(H = 6\) = 6 rows/);
  rejects((d) => d.params.c.push(0), /params\.c has \d+ entries, expected \d+/);
  rejects((d) => d.optimizer.slots.s.V.pop(), /optimizer\.slots\.s\.V has \d+ entries but V has \d+/);
  rejects((d) => d.vocab.pop(), /vocab has \d+ characters but the model has D = \d+ inputs/);
  rejects((d) => d.trainer.streams[0].h.pop(), /trainer\.streams\[0\]\.h has 5 entries, expected 6/);
  rejects((d) => (d.config.hiddenSize = 7), /config\.hiddenSize is 7 but params\.W is 6×6/);
  // NaN / null / non-number entries
  rejects(
    (d) => (d.params.V[0][1] = null),
    /params\.V\[0\]\[1\] must be a finite number, got null \(NaN and ±Infinity are saved as null by JSON\)/,
  );
  rejects((d) => (d.params.b[2] = '0.5'), /params\.b\[2\] must be a finite number, got "0\.5"/);
  rejects((d) => (d.optimizer.slots.r.W[0] = null), /optimizer\.slots\.r\.W\[0\] must be a finite number, got null/);
  rejects((d) => (d.trainer.ema = null), /trainer\.ema must be a finite number/);
  // inconsistent values
  rejects((d) => (d.iteration = 9), /trainer\.iteration \(1\) differs from iteration \(9\)/);
  rejects((d) => (d.iteration = -1), /iteration must be an integer ≥ 0/);
  rejects((d) => (d.config.optimizer = 'lbfgs'), /config: unknown optimiser "lbfgs"/);
  rejects((d) => (d.source = { kind: 'tape' }), /source must be/);
  rejects((d) => (d.vocab = null), /vocab is null, but a character model/);
  assert.throws(
    () => loadCheckpoint(join(dir, 'missing.json')),
    /cannot read checkpoint .*missing\.json: no such file/,
  );
});

test('bpttlab train --checkpoint then --resume reaches the same parameters as one uninterrupted run', async () => {
  const data = join(dir, 'numbers.txt');
  writeFileSync(data, TEXT);
  const common = [
    '--data',
    data,
    '--hidden',
    '6',
    '--seq-length',
    '8',
    '--batch',
    '2',
    '--sample-every',
    '0',
    '--no-progress',
  ];
  await trainCli([...common, '--iterations', '12', '--checkpoint', join(dir, 'straight.json')]);
  await trainCli([...common, '--iterations', '5', '--checkpoint', join(dir, 'split.json')]);
  const text = await trainCli([
    '--resume',
    '--checkpoint',
    join(dir, 'split.json'),
    '--iterations',
    '12',
    '--sample-every',
    '0',
    '--no-progress',
  ]);
  assert.match(text, /resuming at iteration 5 of 12/);
  const [a, b] = [loadCheckpoint(join(dir, 'straight.json')), loadCheckpoint(join(dir, 'split.json'))];
  assert.equal(b.iteration, 12);
  for (const n of PARAM_NAMES) sameBits(paramData(b.params, n), paramData(a.params, n), n);
  await assert.rejects(
    trainCli(['--resume', '--checkpoint', join(dir, 'split.json'), '--hidden', '9', '--no-progress']),
    /--hidden 9 differs from the checkpoint's hiddenSize = 6/,
  );
  assert.ok(existsSync(join(dir, 'split.json')));
});

// --- no lost work: what a careless user types ---

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');

/** `bpttlab train ARGS` in this process; resolves to what it printed, its notes among it as `note: …` lines. */
function train(args: string[], io: TrainIO = {}): Promise<string> {
  const printed: string[] = [];
  return trainCli(args, printed, { note: (s) => printed.push(`note: ${s}\n`), ...io });
}

/** A fresh folder for one test, removed afterwards. */
function folder(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const tiny = (d: string): string[] => {
  const data = join(d, 'numbers.txt');
  writeFileSync(data, TEXT);
  return ['--data', data, '--hidden', '4', '--seq-length', '8', '--sample-every', '0', '--no-progress'];
};

/** A pid that no process has: a child that has run and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test(
  '--checkpoint never overwrites a file that is not a checkpoint: the training text, a source file (even with ' +
    '--overwrite)',
  async () => {
    const d = folder('not-a-checkpoint');
    const common = tiny(d);
    const data = common[1];
    await assert.rejects(
      train([...common, '--iterations', '3', '--checkpoint', data]),
      /--checkpoint .*numbers\.txt is the training text --data .*: saving would overwrite it/,
    );
    const source = join(d, 'model.ts');
    writeFileSync(source, 'export const x = 1;\n');
    for (const extra of [[], ['--overwrite']]) {
      await assert.rejects(
        train([...common, '--iterations', '3', '--checkpoint', source, ...extra]),
        /exists and is not a bpttlab checkpoint \(it starts with "export const x = 1;\?"\): refusing to overwrite it/,
      );
    }
    assert.equal(readFileSync(data, 'utf8'), TEXT);
    assert.equal(readFileSync(source, 'utf8'), 'export const x = 1;\n');
    assert.deepEqual(readdirSync(d).sort(), ['model.ts', 'numbers.txt'], 'no lock or temporary file is left');
  },
);

test("another run's checkpoint is replaced only with --overwrite; --resume keeps the run's id", async () => {
  const d = folder('another-run');
  const common = tiny(d);
  const ck = join(d, 'ck.json');
  await train([...common, '--iterations', '12', '--checkpoint', ck]);
  const first = loadCheckpoint(ck);
  assert.match(first.run ?? '', /^[0-9a-f]{8}$/);
  assert.deepEqual(checkpointHeader(ck), { kind: 'checkpoint', run: first.run, iteration: 12 });
  // the forgotten --resume: 12 iterations must not become 3
  await assert.rejects(
    train([...common, '--iterations', '3', '--checkpoint', ck]),
    new RegExp(
      `holds another run's checkpoint \\(run ${first.run}, iteration 12\\): continue it with --resume, or replace ` +
        `it with --overwrite`,
    ),
  );
  assert.equal(loadCheckpoint(ck).iteration, 12);
  await train(['--resume', '--checkpoint', ck, '--iterations', '14', '--sample-every', '0', '--no-progress']);
  assert.equal(loadCheckpoint(ck).run, first.run, '--resume continues the same run');
  await assert.rejects(
    train(['--resume', '--overwrite', '--checkpoint', ck]),
    /--resume continues the checkpoint and --overwrite replaces it: give one of them/,
  );
  await train([...common, '--iterations', '3', '--checkpoint', ck, '--overwrite']);
  const replaced = loadCheckpoint(ck);
  assert.equal(replaced.iteration, 3);
  assert.notEqual(replaced.run, first.run, 'a new run has a new id');
  // an empty file holds nothing to lose
  const empty = join(d, 'empty.json');
  writeFileSync(empty, '');
  await train([...common, '--iterations', '2', '--checkpoint', empty]);
  assert.equal(loadCheckpoint(empty).iteration, 2);
});

test('the checkpoint folder is checked at start, before any training', async () => {
  const d = folder('missing-folder');
  const out: string[] = [];
  await assert.rejects(
    train([...tiny(d), '--iterations', '5', '--checkpoint', join(d, 'no-such-folder', 'ck.json')], {
      out: (s) => out.push(s),
    }),
    /cannot use --checkpoint .*ck\.json: its folder .*no-such-folder does not exist/,
  );
  assert.deepEqual(out, [], 'nothing was trained or printed');
  writeFileSync(join(d, 'a-file'), 'x');
  await assert.rejects(
    train([...tiny(d), '--checkpoint', join(d, 'a-file', 'ck.json')]),
    /cannot use --checkpoint .*: .*a-file is not a folder|its folder .* cannot be read/,
  );
  await assert.rejects(train([...tiny(d), '--checkpoint', d]), /cannot use --checkpoint .*: it is a directory/);
});

test('a lock keeps two live runs off one checkpoint; the lock of a dead process is taken over', async () => {
  const d = folder('lock');
  const ck = join(d, 'ck.json');
  // a live holder: a child process that waits until we end it
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  try {
    const lock = { pid: holder.pid, host: hostname(), token: 'abc', started: '2024-01-01T00:00:00.000Z' };
    writeFileSync(`${ck}.lock`, JSON.stringify(lock));
    await assert.rejects(
      train([...tiny(d), '--iterations', '2', '--checkpoint', ck]),
      new RegExp(
        `checkpoint .*ck\\.json is in use by another run \\(pid ${holder.pid}, since 2024-01-01T00:00:00\\.000Z\\)`,
      ),
    );
    assert.ok(!existsSync(ck));
    assert.equal(JSON.parse(readFileSync(`${ck}.lock`, 'utf8')).token, 'abc', "the other run's lock is left alone");
    // a run on another machine cannot be asked whether it is alive: refused, with the way out
    writeFileSync(`${ck}.lock`, JSON.stringify({ ...lock, host: 'elsewhere' }));
    await assert.rejects(
      train([...tiny(d), '--checkpoint', ck]),
      /locked by a run on another machine .*on elsewhere.*; if no run uses it, delete .*ck\.json\.lock/,
    );
    // the holder died (kill -9 leaves its lock): taken over
    writeFileSync(`${ck}.lock`, JSON.stringify({ ...lock, pid: deadPid() }));
    await train([...tiny(d), '--iterations', '2', '--checkpoint', ck]);
    assert.equal(loadCheckpoint(ck).iteration, 2);
    assert.ok(!existsSync(`${ck}.lock`), 'released at the end');
  } finally {
    holder.kill('SIGKILL');
  }
  // the library form: lock, release, and nobody else meanwhile
  const lock = lockCheckpoint(ck);
  assert.ok(lock.holds());
  assert.throws(() => lockCheckpoint(ck), /is in use by another run \(pid \d+/);
  lock.release();
  assert.ok(!existsSync(`${ck}.lock`));
});

test(
  "temporary files of a save killed half-way are removed by the next run on that checkpoint (a live process's " +
    'are kept)',
  async () => {
    const d = folder('tmp');
    const ck = join(d, 'ck.json');
    const dead = tempPathFor(ck, deadPid(), 1700000000000);
    writeFileSync(dead, ''); // what kill -9 during a save leaves: an empty temporary file
    const live = tempPathFor(ck, process.pid, 1700000000001);
    writeFileSync(live, '');
    const other = join(d, '.other.json.123.456.tmp');
    writeFileSync(other, '');
    assert.deepEqual(removeStaleTemps(ck), [dead.split('/').pop()]);
    assert.ok(existsSync(live) && existsSync(other));
    rmSync(live);
    writeFileSync(dead, '');
    const printed = await train([...tiny(d), '--iterations', '2', '--checkpoint', ck]);
    assert.match(
      printed,
      /note: removed \.ck\.json\.\d+\.1700000000000\.tmp: left beside the checkpoint by a save that was killed/,
    );
    assert.ok(!existsSync(dead) && existsSync(other));
  },
);

test("the text's path is stored relative to the checkpoint's folder: --resume works from another folder", () => {
  const d = folder('relative');
  const elsewhere = folder('relative-elsewhere');
  writeFileSync(join(d, 'numbers.txt'), TEXT);
  const common = ['--hidden', '4', '--seq-length', '8', '--sample-every', '0', '--no-progress'];
  const a = spawnSync(
    process.execPath,
    [cli, 'train', '--data', 'numbers.txt', '--checkpoint', 'ck.json', '--iterations', '3', ...common],
    { cwd: d, encoding: 'utf8' },
  );
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(loadCheckpoint(join(d, 'ck.json')).source, {
    kind: 'text',
    file: 'numbers.txt',
    relativeTo: 'checkpoint',
  });
  const b = spawnSync(
    process.execPath,
    [cli, 'train', '--resume', '--checkpoint', join('..', 'relative', 'ck.json'), '--iterations', '5', ...common],
    { cwd: elsewhere, encoding: 'utf8' },
  );
  assert.equal(b.status, 0, b.stderr);
  assert.equal(loadCheckpoint(join(d, 'ck.json')).iteration, 5);
});

test('Ctrl-C stops at the end of the iteration, saves the checkpoint, restores the cursor and exits 130', async () => {
  const d = folder('interrupt');
  const ck = join(d, 'ck.json');
  const signals = new EventEmitter();
  const drawn: string[] = [];
  const terminal = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: 100,
    write: (s: string) => drawn.push(s) > 0,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let at = 0;
  await assert.rejects(
    train(
      [
        ...tiny(d).filter((a) => a !== '--no-progress'),
        '--iterations',
        '100000',
        '--checkpoint',
        ck,
        '--sample-every',
        '7',
      ],
      {
        progressStream: terminal as unknown as NodeJS.WritableStream,
        signals,
        out: (s) => {
          const m = /--- iteration (\d+)/.exec(s);
          if (m !== null && at === 0) {
            at = Number(m[1]);
            signals.emit('SIGINT'); // as if Ctrl-C came while the sample was printed
          }
        },
      },
    ),
    (e: Error) =>
      e instanceof Interrupted &&
      e.exitCode === 130 &&
      /interrupted \(SIGINT\) at iteration 7 of 100000; checkpoint saved: .*ck\.json \(continue with --resume/.test(
        e.message,
      ),
  );
  assert.equal(at, 7);
  assert.equal(loadCheckpoint(ck).iteration, 7, 'the iteration that was running finished and was saved');
  const screen = drawn.join('');
  assert.ok(screen.includes('\x1b[?25l'), 'the bar hid the cursor');
  assert.ok(
    screen.lastIndexOf('\x1b[?25h') > screen.lastIndexOf('\x1b[?25l'),
    'and showed it again before the command ended',
  );
  assert.equal(signals.listenerCount('SIGINT'), 0, 'its signal handlers are removed');
  assert.ok(!existsSync(`${ck}.lock`));
});

test(
  'a real SIGINT to a running `bpttlab train`: exit 130, one line, the checkpoint saved, no lock or temporary ' +
    'file left',
  async () => {
    const d = folder('sigint');
    const ck = join(d, 'ck.json');
    const child = spawn(
      process.execPath,
      [cli, 'train', ...tiny(d), '--iterations', '100000000', '--checkpoint', ck, '--checkpoint-every', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // the lock appears once the run has started; then it trains until told to stop
      for (let i = 0; i < 600 && !existsSync(`${ck}.lock`); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(existsSync(`${ck}.lock`), 'the run started within 60 s');
      child.kill('SIGINT');
      assert.equal(await exited, 130, err);
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(
      err,
      new RegExp(
        String.raw`^bpttlab: interrupted \(SIGINT\) at iteration \d+ of 100000000; ` +
          String.raw`checkpoint saved: .*ck\.json \(continue with --resume --checkpoint .*ck\.json\)\n$`,
      ),
    );
    const n = Number(/at iteration (\d+)/.exec(err)?.[1]);
    assert.equal(loadCheckpoint(ck).iteration, n);
    assert.deepEqual(readdirSync(d).sort(), ['ck.json', 'numbers.txt']);
  },
);

test('a closed output (the reader of a pipe left) stops the run quietly, after saving', async () => {
  const d = folder('epipe');
  const ck = join(d, 'ck.json');
  const child = spawn(
    process.execPath,
    [
      cli,
      'train',
      ...tiny(d),
      '--iterations',
      '100000000',
      '--sample-every',
      '1',
      '--sample-length',
      '5',
      '--checkpoint',
      ck,
      '--checkpoint-every',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise((r) => child.stdout.once('data', r)); // like `| head -1`: read a little, then go away
    child.stdout.destroy();
    assert.equal(await exited, 0, err);
  } finally {
    child.kill('SIGKILL');
  }
  assert.match(err, /^bpttlab: the output was closed at iteration \d+ of 100000000; checkpoint saved: /);
  assert.doesNotMatch(err, /EPIPE|at .*\.js:\d+/);
  assert.ok(loadCheckpoint(ck).iteration >= 1);
  assert.ok(!existsSync(`${ck}.lock`));
});
