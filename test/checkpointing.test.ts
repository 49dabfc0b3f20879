// Gradient checkpointing (src/train/checkpointing.ts): the gradients of full BPTT, whatever k is.
// Bitwise against k = 1 (every state kept, nothing recomputed: the same operations in the same order); per entry
// |a − b| ≤ 1e-12 · max(1, |a| + |b|) against the engine's backward() (blocked products: another summation order).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backward, checkpointedGrads, checkpointStates, copyTask, corpusFromText, forward, Trainer } from '../src';
import type { TrainOptions } from '../src/cli/train';
import { preflight } from '../src/cli/train-preflight';
import { memoryLimit } from '../src/io/limits';
import { resolveConfig, type Source } from '../src/train/config';
import { makeTask } from '../src/train/tasks';
import { agreement, arbSpec, inputsOf, makeCase, paramsOf } from './helpers';
import { trainCli } from './train-cli';

const FIELDS = ['dU', 'dW', 'dV', 'db', 'dc', 'dh0'] as const;
const data = (v: Float64Array | { data: Float64Array }): Float64Array => (v instanceof Float64Array ? v : v.data);

test('checkpointed gradients equal full BPTT on random cases: bitwise across k, to 1e-12 against backward()', () => {
  fc.assert(
    fc.property(arbSpec({ maxDim: 6, maxT: 30 }), fc.integer({ min: 1, max: 40 }), (spec, k) => {
      const c = makeCase({ ...spec, truncate: undefined });
      const p = paramsOf(c);
      const xs = inputsOf(c);
      const every1 = checkpointedGrads(p, xs, c.y, { every: 1, loss: c.loss, h0: c.h0 });
      const everyK = checkpointedGrads(p, xs, c.y, { every: k, loss: c.loss, h0: c.h0 });
      const fw = forward(p, xs, c.y, { loss: c.loss, h0: c.h0 });
      const full = backward(p, fw);
      assert.equal(everyK.loss, every1.loss, 'the loss, bitwise');
      for (const f of FIELDS) {
        assert.deepEqual(
          data(everyK[f]),
          data(every1[f]),
          `${f}: k = ${k} against k = 1, bitwise (${JSON.stringify(spec)})`,
        );
        const { worst, index } = agreement(data(everyK[f]), data(full[f]), 1e-12);
        assert.ok(
          worst <= 1,
          `${f}[${index}]: ${data(everyK[f])[index]} against backward()'s ${data(full[f])[index]} ` +
            `(${JSON.stringify(spec)}, k = ${k})`,
        );
      }
      assert.ok(agreement([everyK.loss], [fw.loss], 1e-12).worst <= 1, 'the loss against forward()');
      assert.ok(
        agreement(everyK.hT, fw.h.data.subarray((spec.T - 1) * spec.H), 1e-12).worst <= 1,
        'h(τ) against forward()',
      );
    }),
    { numRuns: 80 },
  );
});

test('what is stored and recomputed: ⌈τ/k⌉ + 1 checkpoints, k + 1 segment rows, τ − ⌈τ/k⌉ recomputed steps', () => {
  const c = makeCase({
    D: 3,
    H: 5,
    K: 3,
    T: 100,
    loss: 'softmax-ce',
    tokens: true,
    seed: 7,
    withH0: false,
    nullRate: 0,
  });
  const p = paramsOf(c);
  for (const k of [1, 2, 7, 10, 33, 100, 250]) {
    const g = checkpointedGrads(p, inputsOf(c), c.y, { every: k });
    const kk = Math.min(k, 100);
    assert.equal(g.every, kk);
    assert.equal(g.checkpoints, Math.ceil(100 / kk) + 1);
    assert.equal(g.segmentRows, kk + 1);
    assert.equal(g.storedBytes, (g.checkpoints + g.segmentRows) * 5 * 8);
    assert.equal(g.checkpoints + g.segmentRows, checkpointStates(100, k));
    assert.equal(g.recomputedSteps, 100 - Math.ceil(100 / kk), `k = ${k}`);
  }
  // τ/k + k is least at k = √τ = 10
  const states = Array.from({ length: 100 }, (_, i) => checkpointStates(100, i + 1));
  assert.equal(states.indexOf(Math.min(...states)) + 1, 10);
});

test('the probe is called after the forward pass and after each segment is recomputed', () => {
  const c = makeCase({ D: 2, H: 3, K: 2, T: 10, loss: 'squared', tokens: false, seed: 3, withH0: true, nullRate: 0.3 });
  let calls = 0;
  const seen: number[] = [];
  checkpointedGrads(paramsOf(c), inputsOf(c), c.y, {
    every: 4,
    loss: 'squared',
    h0: c.h0,
    probe: () => calls++,
    onYhat: (t) => seen.push(t),
  });
  assert.equal(calls, 1 + 3); // segments [0, 4], [4, 8], [8, 10]
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('a bad k or a bad h(0) is a one-line error naming it', () => {
  const c = makeCase({ D: 2, H: 3, K: 2, T: 5, loss: 'softmax-ce', tokens: true, seed: 3, withH0: false, nullRate: 0 });
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => checkpointedGrads(paramsOf(c), inputsOf(c), c.y, { every: bad }),
      /every must be an integer ≥ 1 \(gradient checkpointing/,
    );
  }
  assert.throws(() => checkpointedGrads(paramsOf(c), inputsOf(c), c.y, { every: 2, h0: [1, 2] }), /h\(0\).*must/);
  assert.throws(() => checkpointedGrads(paramsOf(c), inputsOf(c), [], { every: 2 }), /one target per step/);
});

// --- in training: Trainer.gradCheckpointEvery and `bpttlab train --grad-checkpoint-every` ---

test('a Trainer with gradient checkpointing makes the same updates as one without, to rounding', () => {
  const run = (every: number | null) => {
    const t = new Trainer(
      { kind: 'task', task: copyTask(5) },
      { hiddenSize: 8, batchSize: 2, optimizer: 'adam', lr: 0.01, clip: { kind: 'norm', max: 1 }, seed: 3 },
    );
    t.gradCheckpointEvery = every;
    return t.run(25);
  };
  const plain = run(null);
  const ck = run(3);
  assert.ok(
    agreement(
      ck.map((s) => s.loss),
      plain.map((s) => s.loss),
      1e-9,
    ).worst <= 1,
    'losses per iteration',
  );
  assert.deepEqual(
    ck.map((s) => s.accuracy),
    plain.map((s) => s.accuracy),
  );
  const text = new Trainer(
    {
      kind: 'text',
      corpus: corpusFromText('in the beginning god created the heaven and the earth. '.repeat(20), 'genesis'),
    },
    { hiddenSize: 6, seqLength: 10, batchSize: 2 },
  );
  const text2 = new Trainer(
    {
      kind: 'text',
      corpus: corpusFromText('in the beginning god created the heaven and the earth. '.repeat(20), 'genesis'),
    },
    { hiddenSize: 6, seqLength: 10, batchSize: 2 },
  );
  text2.gradCheckpointEvery = 4;
  assert.ok(
    agreement(
      text2.run(15).map((s) => s.loss),
      text.run(15).map((s) => s.loss),
      1e-9,
    ).worst <= 1,
    'text: the state carried across windows',
  );
});

test('train --grad-checkpoint-every k: the same run as without it; refused with truncation; in --help', async () => {
  const common = [
    '--task',
    'copy',
    '--lag',
    '5',
    '--hidden',
    '8',
    '--iterations',
    '20',
    '--sample-every',
    '0',
    '--no-progress',
    '--json',
    '--optimizer',
    'adam',
    '--lr',
    '0.01',
  ];
  const a = JSON.parse((await trainCli(common)).trim().split('\n').pop() as string) as Record<string, number>;
  const b = JSON.parse(
    (await trainCli([...common, '--grad-checkpoint-every', '3'])).trim().split('\n').pop() as string,
  ) as Record<string, number>;
  assert.ok(
    Math.abs(a.smoothedLoss - b.smoothedLoss) <= 1e-9 * Math.max(1, Math.abs(a.smoothedLoss)),
    `${a.smoothedLoss} vs ${b.smoothedLoss}`,
  );
  await assert.rejects(
    trainCli([...common, '--bptt', 'chunked:2', '--grad-checkpoint-every', '3']),
    /--grad-checkpoint-every computes full BPTT's gradient .* chunked/,
  );
  await assert.rejects(trainCli([...common, '--grad-checkpoint-every', '0']), /grad-checkpoint-every/);
  const help: string[] = [];
  await assert.rejects(trainCli(['--help'], help)); // commander ends --help with an exception under exitOverride
  assert.match(
    help.join(''),
    /--grad-checkpoint-every <k>\s+gradient checkpointing\s+\(not the saved\s+--checkpoint\)/,
  );
});

test(
  'the memory preflight counts what checkpointing keeps (about τ/k + k hidden states, not τ + 1): a run refused ' +
    'without --grad-checkpoint-every k is accepted with it',
  async () => {
    const limit = memoryLimit().bytes;
    // Full BPTT stores ≥ 8·(6 n_h + 3K) bytes of activations per step and as much again of workspace, ≈ 5.7 KB at
    // n_h = 64; checkpointed, what grows with τ is evaluation's forward pass and ŷ(t), ≈ 2.2 KB a step. A τ of
    // limit / 4 KB lies between the two on any machine.
    const lag = Math.ceil(limit / 4000);
    const source: Source = { kind: 'task', task: makeTask('copy', { lag }) };
    const config = resolveConfig({ hiddenSize: 64 }, source);
    const T = source.task.steps;
    const k = Math.ceil(Math.sqrt(T));
    const opts = (every?: number) => ({ sampleLength: 200, gradCheckpointEvery: every }) as TrainOptions;
    assert.throws(
      () => preflight(source, config, opts()),
      new RegExp(`τ = ${T}, B = 1, adagrad\\) needs about [\\d.]+ [GT]iB of memory \\(the activations of ${T} steps`),
    );
    assert.doesNotThrow(() => preflight(source, config, opts(k)));
    // with truncation, checkpointing does not apply (the run is refused once set up): the estimate stays full BPTT's
    assert.throws(() =>
      preflight(source, resolveConfig({ hiddenSize: 64, truncation: { kind: 'chunked', k: 5 } }, source), opts(k)),
    );

    // too large either way: the same one-line refusal, naming k and a smaller figure
    const figure = async (args: string[]): Promise<number> => {
      const e = await trainCli(['--task', 'copy', '--lag', '100000000', '--no-progress', ...args]).then(
        () => assert.fail('not refused'),
        (err: Error) => err,
      );
      const m = /^this run \(.*\) needs about ([\d.]+) GiB of memory \(.*\), more than this lab allows \(/.exec(
        e.message,
      );
      assert.ok(m, e.message);
      return Number(m[1]);
    };
    const full = await figure([]);
    const checkpointed = await figure(['--grad-checkpoint-every', '10000']);
    assert.ok(checkpointed < full / 2, `${checkpointed} GiB with k = 10000 vs ${full} GiB without`);
  },
);
