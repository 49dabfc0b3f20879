// Checkpoints: exact round trip, exact resume, atomic save, and every kind of corrupt file rejected with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Checkpoint, checkpointOf, checkpointToJson, loadCheckpoint, parseCheckpoint, resumeTrainer, saveCheckpoint } from '../src/checkpoint';
import { trainCommand } from '../src/commands/train';
import { corpusFromText, makeTask } from '../src/data';
import { PARAM_NAMES, paramData } from '../src/rnn';
import { BpttError } from '../src/tensor';
import { Trainer } from '../src/train';

const dir = mkdtempSync(join(tmpdir(), 'bpttlab-ckpt-'));
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
  assert.deepEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), what);
}

test('round trip is exact: every parameter bit (−0 included), the optimiser state, the trainer state, the vocabulary', () => {
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
  const c = resumeTrainer(parseCheckpoint(checkpointToJson(checkpointOf(b, { kind: 'task', name: 'copy', options: { lag: 4 } }))), task);
  assert.deepEqual(c.run(4).map((s) => s.loss), losses.slice(2));
});

test('saving is atomic: no temp file is left, an existing checkpoint is replaced whole, a failed save keeps the old one', () => {
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
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

/** The checkpoint as JSON, edited, re-serialised; the parse must fail with a message matching `why`. */
function rejects(edit: (doc: Record<string, any>) => void, why: RegExp): void {
  const doc = JSON.parse(checkpointToJson(trained(1).ck));
  edit(doc);
  assert.throws(() => parseCheckpoint(JSON.stringify(doc), 'ck.json'), (e: Error) => {
    assert.ok(e instanceof BpttError, `a BpttError, got ${e.name}`);
    assert.match(e.message, /^checkpoint ck\.json: /);
    assert.match(e.message, why);
    return true;
  });
}

test('every kind of corrupt checkpoint is rejected with a message naming the problem', () => {
  const good = checkpointToJson(trained(1).ck);
  // not JSON at all, truncated, empty
  assert.throws(() => parseCheckpoint('hello', 'ck.json'), /checkpoint ck\.json: not valid JSON/);
  assert.throws(() => parseCheckpoint(good.slice(0, Math.floor(good.length / 2)), 'ck.json'), /not valid JSON \(truncated or not a checkpoint\?\)/);
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
  rejects((d) => (d.params.V[0][1] = null), /params\.V\[0\]\[1\] must be a finite number, got null \(NaN and ±Infinity are saved as null by JSON\)/);
  rejects((d) => (d.params.b[2] = '0.5'), /params\.b\[2\] must be a finite number, got "0\.5"/);
  rejects((d) => (d.optimizer.slots.r.W[0] = null), /optimizer\.slots\.r\.W\[0\] must be a finite number, got null/);
  rejects((d) => (d.trainer.ema = null), /trainer\.ema must be a finite number/);
  // inconsistent values
  rejects((d) => (d.iteration = 9), /trainer\.iteration \(1\) differs from iteration \(9\)/);
  rejects((d) => (d.iteration = -1), /iteration must be an integer ≥ 0/);
  rejects((d) => (d.config.optimizer = 'lbfgs'), /config: unknown optimiser "lbfgs"/);
  rejects((d) => (d.source = { kind: 'tape' }), /source must be/);
  rejects((d) => (d.vocab = null), /vocab is null, but a character model/);
  assert.throws(() => loadCheckpoint(join(dir, 'missing.json')), /cannot read checkpoint .*missing\.json: no such file/);
});

test('bpttlab train --checkpoint then --resume reaches the same parameters as one uninterrupted run', async () => {
  const data = join(dir, 'numbers.txt');
  writeFileSync(data, TEXT);
  const run = async (args: string[]): Promise<string> => {
    const out: string[] = [];
    const cmd = trainCommand({ out: (s) => out.push(s) }).configureOutput({ writeErr: () => undefined });
    await new Command('bpttlab').exitOverride().addCommand(cmd).parseAsync(['train', ...args], { from: 'user' });
    return out.join('');
  };
  const common = ['--data', data, '--hidden', '6', '--seq-length', '8', '--batch', '2', '--sample-every', '0', '--no-progress'];
  await run([...common, '--iterations', '12', '--checkpoint', join(dir, 'straight.json')]);
  await run([...common, '--iterations', '5', '--checkpoint', join(dir, 'split.json')]);
  const text = await run(['--resume', '--checkpoint', join(dir, 'split.json'), '--iterations', '12', '--sample-every', '0', '--no-progress']);
  assert.match(text, /resuming at iteration 5 of 12/);
  const [a, b] = [loadCheckpoint(join(dir, 'straight.json')), loadCheckpoint(join(dir, 'split.json'))];
  assert.equal(b.iteration, 12);
  for (const n of PARAM_NAMES) sameBits(paramData(b.params, n), paramData(a.params, n), n);
  await assert.rejects(run(['--resume', '--checkpoint', join(dir, 'split.json'), '--hidden', '9', '--no-progress']), /--hidden 9 differs from the checkpoint's hiddenSize = 6/);
  assert.ok(existsSync(join(dir, 'split.json')));
});
