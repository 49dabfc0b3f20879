// The lab's limits: a run that cannot fit, or could not save its checkpoint, is refused before it starts, with the
// figure; a gradient check that cannot judge says so; a long check says how long it takes and shows its progress.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gradCheck } from '../src/check/gradcheck';
import { Progress } from '../src/cli/progress';
import { engineMemory, formatBytes, formatDuration, MAX_VOCAB } from '../src/io/limits';
import { initParams } from '../src/model/params';
import { literal } from './helpers';
import { trainCli } from './train-cli';

const dir = mkdtempSync(join(tmpdir(), 'bpttlab-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `bpttlab train ARGS` in this process: the error it is refused with, and what it printed before (nothing, we expect).
 */
async function refusal(args: string[]): Promise<{ message: string; printed: string }> {
  const printed: string[] = [];
  try {
    await trainCli(['--no-progress', ...args], printed, { note: (s) => printed.push(s) });
  } catch (e) {
    return { message: (e as Error).message, printed: printed.join('') };
  }
  throw new Error(`train ${args.join(' ')} was not refused`);
}

test('a run needing more memory than the lab allows is refused, with the figure, before allocating', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--hidden', '100000'],
      new RegExp(
        String.raw`this run \(D = \d+, n_h = 100000, K = \d+, τ = 25, B = 1, adagrad\) ` +
          String.raw`needs about [\d.]+ GiB of memory \(.*the parameters \(U 100000×\d+, W 100000×100000, ` +
          String.raw`V \d+×100000\) 74\.\d GiB\), more than this lab allows \([\d.]+ GiB, `,
      ),
    ],
    [
      ['--task', 'copy', '--alphabet', '1e9'],
      /this run \(D = 1000000002, n_h = 64, K = 1000000000, τ = 11, B = 1, adagrad\) needs about [\d.]+ TiB of memory/,
    ],
    [
      ['--task', 'copy', '--lag', '100000000'],
      /τ = 100000001, .*needs about [\d.]+ GiB of memory \(the activations of 100000001 steps [\d.]+ GiB/,
    ],
    // full BPTT runs the B = 4 sequences as one batch, so the activations of all 4·10^8 steps count
    [
      ['--task', 'adding', '--lag', '100000000', '--batch', '4'],
      /τ = 100000000, B = 4, .*needs about [\d.]+ TiB of memory \(.*the activations of 400000000 steps/,
    ],
  ];
  for (const [args, message] of cases) {
    const t0 = performance.now();
    const r = await refusal(args);
    assert.match(r.message, message);
    assert.equal(r.printed, '', 'refused before the run printed its settings');
    assert.ok(performance.now() - t0 < 30_000, 'and at once (generous bound: it allocates nothing)');
  }
});

test('a checkpoint too big for Node to write and read back: refused before training, with the figure', async () => {
  // P ≈ 10.3 million parameters, with adam's two slots: up to 26 characters for each of 31 million numbers
  const r = await refusal([
    '--task',
    'copy',
    '--alphabet',
    '10000',
    '--hidden',
    '500',
    '--optimizer',
    'adam',
    '--checkpoint',
    join(dir, 'big.json'),
  ]);
  assert.match(
    r.message,
    new RegExp(
      String.raw`^a checkpoint of this run \(D = 10002, n_h = 500, K = 10000, τ = 11, B = 1, adam\) ` +
        String.raw`can be up to 763\.4 MiB of JSON \(the parameters and adam's state\), ` +
        String.raw`more than the 512\.0 MiB a checkpoint can be`,
    ),
  );
  assert.deepEqual(readdirSync(dir), [], 'no checkpoint, lock or temporary file');
});

test(
  'a text with more distinct characters than a character model handles, or too short to hold text out, is ' +
    'refused at once',
  async () => {
    const wide = join(dir, 'wide.txt');
    // planes 2 and 3: all distinct, no surrogates
    const chars = Array.from({ length: MAX_VOCAB + 10 }, (_, i) => String.fromCodePoint(0x20000 + i));
    writeFileSync(wide, chars.join(''));
    const r = await refusal(['--data', wide]);
    assert.match(
      r.message,
      new RegExp(
        `wide\\.txt has ${MAX_VOCAB + 10} distinct characters, more than a character model here handles ` +
          `\\(${MAX_VOCAB}\\)`,
      ),
    );
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'abcdefghij');
    const s = await refusal(['--data', short, '--seq-length', '2', '--iterations', '10000']);
    assert.match(
      s.message,
      literal(
        'short.txt has 10 characters: its held-out tenth (1 character(s)) ' +
          'is too short to measure the loss on (at least 2 are needed); ' +
          'use a text of at least 16 characters',
      ),
    );
    assert.equal(s.printed, '', 'found before 10 000 iterations, not after');
    rmSync(wide);
    rmSync(short);
  },
);

test('the memory estimate counts all the engine allocates: parameters, activations, workspace, optimiser state', () => {
  const m = engineMemory({ D: 65, H: 100, K: 65, T: 25, B: 1, real: false, slots: 1 });
  const P = 100 * 65 + 100 * 100 + 65 * 100 + 100 + 65;
  assert.equal(m.parts[0].bytes, 8 * P);
  assert.equal(m.parts.find((p) => p.what.startsWith('the gradients'))?.bytes, 8 * P * 3);
  assert.ok(m.workspace >= 8 * (100 * 100 + 65 * 100 + 25 * 65), 'the workspace holds W, V and o(t) at least');
  assert.equal(formatBytes(8 * 2 ** 30), '8.0 GiB');
  assert.equal(formatBytes(Infinity), 'more than 1024 TiB');
  assert.deepEqual(
    [formatDuration(0.2), formatDuration(40), formatDuration(700), formatDuration(12600)],
    ['1 s', '40 s', '12 min', '3.5 h'],
  );
});

test(
  'gradCheck: an ε that cannot move the parameters gives "cannot judge", never a pass; progress counts every ' +
    'central difference',
  () => {
    const p = initParams({ inputSize: 3, hiddenSize: 4, outputSize: 3, seed: 2 });
    const calls: [number, number][] = [];
    const ok = gradCheck(p, [0, 2, 1], [1, 0, 2], { onProgress: (d, t) => calls.push([d, t]) });
    assert.equal(ok.verdict, 'pass');
    assert.deepEqual(calls[0], [0, calls[0][1]]);
    const [done, total] = calls[calls.length - 1];
    assert.equal(done, total, 'the last call says all done');
    assert.ok(
      calls.every(([d, t], i) => d <= t && (i === 0 || d === calls[i - 1][0] + 1)),
      'one call per central difference, never past the total',
    );
    const entries = [...ok.params, ...ok.steps].reduce((s, c) => s + c.entries, 0);
    assert.equal(total, entries, 'no row needed a smaller ε here');
    const blind = gradCheck(p, [0, 2, 1], [1, 0, 2], { step: 1e-300 });
    assert.equal(blind.verdict, 'cannot judge');
    assert.equal(blind.pass, false);
    assert.match(blind.why ?? '', /ε = 1e-300 is too small to change the parameters/);
  },
);

test('progress: a note up front when the check is long, a bar only on a terminal, nothing for a short check', () => {
  let now = 0;
  const notes: string[] = [];
  const drawn: string[] = [];
  const terminal = {
    isTTY: true,
    columns: 100,
    write: (s: string) => drawn.push(s) > 0,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => terminal,
    once: () => terminal,
    removeListener: () => terminal,
  };
  const make = (isTTY: boolean) =>
    new Progress({
      stream: { ...terminal, isTTY } as unknown as NodeJS.WritableStream,
      note: (s) => notes.push(s),
      what: (n) => `${n} differences`,
      advice: 'use fewer',
      now: () => now,
    });
  // long: 100 of 10 000 done after 1.5 s → about 150 s, 3 min, in all
  const long = make(true);
  long.update(0, 10000);
  now = 1500;
  long.update(100, 10000);
  assert.deepEqual(notes, ['this check takes about 3 min (10000 differences); use fewer']);
  now = 3000;
  long.update(5000, 10000);
  long.stop();
  assert.match(drawn.join(''), /gradcheck \|.*\| 50% \| 5000\/10000/);
  // short: half done after 1 s → 2 s in all: no note; not a terminal: no bar
  notes.length = 0;
  drawn.length = 0;
  now = 0;
  const short = make(false);
  now = 1000;
  short.update(50, 100);
  short.stop();
  assert.deepEqual(notes, []);
  assert.deepEqual(drawn, []);
  // a check that ends within its first second shows nothing at all
  now = 0;
  const quick = make(true);
  now = 900;
  quick.update(100, 100);
  quick.stop();
  assert.deepEqual([notes, drawn], [[], []]);
});
