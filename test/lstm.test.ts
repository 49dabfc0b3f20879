// The LSTM (src/model/lstm.ts): its hand-written backward pass against central differences per parameter and per
// step (random shapes, losses, masks, h(0), c(0) and truncation), and against PyTorch float64 nn.LSTM with the weights
// mapped (per entry |a − b| ≤ 1e-9 · max(1, |a| + |b|)), skipped with a note where PyTorch is missing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Rng } from '../src';
import {
  cellPathNorms,
  copyTask,
  formatLstmReport,
  fromRows,
  LSTM_PARAM_NAMES,
  type LstmParams,
  LstmTrainer,
  lstmBackward,
  lstmForward,
  lstmGradCheck,
  lstmGradData,
  rng,
} from '../src';
import type { Nested } from './helpers';
import { agreement, flat } from './helpers';
import { oracleResults, skipWithoutTorch } from './torch';
import { trainCli } from './train-cli';

interface LstmSpec {
  D: number;
  H: number;
  K: number;
  T: number;
  loss: 'softmax-ce' | 'squared';
  tokens: boolean;
  seed: number;
  withState: boolean;
  nullRate: number;
  truncate?: number;
}

const arb = (maxDim: number, maxT: number): fc.Arbitrary<LstmSpec> =>
  fc.record({
    D: fc.integer({ min: 1, max: maxDim }),
    H: fc.integer({ min: 1, max: maxDim }),
    K: fc.integer({ min: 1, max: maxDim }),
    T: fc.integer({ min: 1, max: maxT }),
    loss: fc.constantFrom<'softmax-ce' | 'squared'>('softmax-ce', 'squared'),
    tokens: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    withState: fc.boolean(),
    nullRate: fc.constantFrom(0, 0.3),
    truncate: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  });

const gauss = (r: Rng, rows: number, cols: number, s: number): number[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => s * r.normal()));

/** A case in the layout test/oracle/torch_lstm.py reads. */
function makeLstmCase(s: LstmSpec) {
  const r = rng(s.seed);
  const c = {
    loss: s.loss,
    params: {
      Wx: gauss(r, 4 * s.H, s.D, 1 / Math.sqrt(s.D)),
      Wh: gauss(r, 4 * s.H, s.H, 1 / Math.sqrt(s.H)),
      b: gauss(r, 1, 4 * s.H, 0.5)[0],
      V: gauss(r, s.K, s.H, 1 / Math.sqrt(s.H)),
      by: gauss(r, 1, s.K, 0.3)[0],
    },
    ...(s.withState ? { h0: gauss(r, 1, s.H, 0.5)[0], c0: gauss(r, 1, s.H, 0.8)[0] } : {}),
    ...(s.tokens ? { tokens: Array.from({ length: s.T }, () => r.int(s.D)) } : { x: gauss(r, s.T, s.D, 1) }),
    y: Array.from({ length: s.T }, () =>
      r.uniform() < s.nullRate ? null : s.loss === 'softmax-ce' ? r.int(s.K) : gauss(r, 1, s.K, 1)[0],
    ),
    ...(s.truncate === undefined ? {} : { truncate: s.truncate }),
  };
  return c;
}
type LstmCase = ReturnType<typeof makeLstmCase>;
const paramsOf = (c: LstmCase): LstmParams => ({
  Wx: fromRows(c.params.Wx),
  Wh: fromRows(c.params.Wh),
  b: Float64Array.from(c.params.b),
  V: fromRows(c.params.V),
  by: Float64Array.from(c.params.by),
});
const inputsOf = (c: LstmCase) => ('tokens' in c ? { tokens: c.tokens as number[] } : { x: c.x as number[][] });
const ysOf = (c: LstmCase) => c.y as (number | null)[] | (number[] | null)[];

test(
  'the LSTM backward pass matches central differences per parameter and per step, on random shapes, masks and ' +
    'truncations',
  () => {
    fc.assert(
      fc.property(arb(4, 6), (spec) => {
        const c = makeLstmCase(spec);
        const r = lstmGradCheck(paramsOf(c), inputsOf(c), ysOf(c), {
          loss: c.loss,
          h0: 'h0' in c ? c.h0 : undefined,
          c0: 'c0' in c ? c.c0 : undefined,
          truncate: spec.truncate,
        });
        assert.ok(r.pass, `${JSON.stringify(spec)}\n${formatLstmReport(r)}`);
        assert.equal(r.rows.length, 5 + 5 * spec.T + 2, 'five parameters, each per step, and h(0), c(0)');
      }),
      { numRuns: 25 },
    );
  },
);

test("a wrong summand is caught and located: step 2's forget-gate gradient scaled fails at step 2 only", () => {
  const spec: LstmSpec = {
    D: 3,
    H: 2,
    K: 3,
    T: 4,
    loss: 'softmax-ce',
    tokens: true,
    seed: 5,
    withState: false,
    nullRate: 0,
  };
  const c = makeLstmCase(spec);
  const p = paramsOf(c);
  const g = lstmBackward(p, lstmForward(p, inputsOf(c), ysOf(c)));
  const H = 2;
  const da = { ...g.da, data: g.da.data.slice() };
  for (let j = 0; j < H; j++) da.data[1 * 4 * H + H + j] *= 1.5; // step t = 2, the f block of ∇a(t) L
  const r = lstmGradCheck(p, inputsOf(c), ysOf(c), { grads: { ...g, da } });
  const failing = r.rows.filter((x) => !x.pass).map((x) => `${x.name}(${x.t})`);
  assert.deepEqual(failing, ['Wx(2)', 'Wh(2)', 'b(2)'], formatLstmReport(r));
});

test('∂c(t)/∂c(t−1) along the cell is diag(f(t)): cellPathNorms is the running max_j Π f_j', () => {
  const c = makeLstmCase({
    D: 2,
    H: 3,
    K: 2,
    T: 6,
    loss: 'squared',
    tokens: false,
    seed: 9,
    withState: true,
    nullRate: 0,
  });
  const fw = lstmForward(paramsOf(c), inputsOf(c), ysOf(c), { loss: 'squared' });
  const n = cellPathNorms(fw, 6);
  assert.equal(n[6], 1);
  const f = (s: number, j: number) => fw.gates.data[(s - 1) * 12 + 3 + j];
  for (let k = 0; k < 6; k++) {
    const want = Math.max(
      ...[0, 1, 2].map((j) => Array.from({ length: 6 - k }, (_, i) => f(k + 1 + i, j)).reduce((a, b) => a * b, 1)),
    );
    assert.ok(Math.abs(n[k] - want) <= 1e-15, `k = ${k}`);
  }
});

test('bad LSTM shapes are one-line errors naming the parameter and the shapes', () => {
  const c = makeLstmCase({
    D: 2,
    H: 3,
    K: 2,
    T: 3,
    loss: 'softmax-ce',
    tokens: true,
    seed: 1,
    withState: false,
    nullRate: 0,
  });
  const p = paramsOf(c);
  assert.throws(
    () => lstmForward({ ...p, Wh: fromRows(c.params.Wh.slice(0, 6)) }, inputsOf(c), ysOf(c)),
    /Wh in a\(t\) = b \+ Wx x\(t\) \+ Wh h\(t-1\).* must be 4H×H = 12×3, got 6×3/,
  );
  assert.throws(
    () => lstmForward(p, inputsOf(c), ysOf(c), { c0: [1, 2] }),
    /c\(0\) of the LSTM must have length H = 3, got 2/,
  );
  assert.throws(
    () => lstmBackward(p, lstmForward(p, inputsOf(c), ysOf(c)), { truncate: 0 }),
    /truncate must be an integer ≥ 1/,
  );
});

interface TorchLstmResult {
  loss: number;
  h: Nested;
  c: Nested;
  o: Nested;
  grads: Record<string, Nested>;
}

test('PyTorch float64 nn.LSTM with the weights mapped agrees to 1e-9 (loss, h, c, o, every gradient), random cases ' +
  'with truncation', { skip: skipWithoutTorch }, () => {
  const specs = fc.sample(arb(6, 12), { numRuns: 40, seed: Date.now() % 100000 });
  const cases = specs.map(makeLstmCase);
  const results = oracleResults<TorchLstmResult>('torch_lstm.py', cases);
  cases.forEach((c, i) => {
    const p = paramsOf(c);
    const fw = lstmForward(p, inputsOf(c), ysOf(c), {
      loss: c.loss,
      h0: 'h0' in c ? c.h0 : undefined,
      c0: 'c0' in c ? c.c0 : undefined,
    });
    const g = lstmBackward(p, fw, { truncate: 'truncate' in c ? c.truncate : undefined });
    const T = fw.T,
      H = fw.sizes.H;
    const mine: Record<string, number[]> = {
      loss: [fw.loss],
      h: Array.from(fw.hAll.data.subarray(H)),
      c: Array.from(fw.cAll.data.subarray(H)),
      o: Array.from(fw.o.data),
      ...Object.fromEntries(LSTM_PARAM_NAMES.map((n) => [`grads.${n}`, Array.from(lstmGradData(g, n))])),
      'grads.h0': Array.from(g.dh0),
      'grads.c0': Array.from(g.dc0),
    };
    const want = results[i];
    for (const [k, v] of Object.entries(mine)) {
      const w =
        k === 'loss'
          ? [want.loss]
          : flat(k.startsWith('grads.') ? want.grads[k.slice(6)] : (want as unknown as Record<string, Nested>)[k]);
      const { worst, index } = agreement(v, w, 1e-9);
      assert.ok(worst <= 1, `${JSON.stringify(specs[i])} T = ${T}: ${k}[${index}] = ${v[index]}, PyTorch ${w[index]}`);
    }
  });
});

test('train --task copy --model lstm runs LstmTrainer with the flags given; what it cannot do is refused', async () => {
  const text = await trainCli([
    '--task',
    'copy',
    '--lag',
    '5',
    '--noise',
    '--model',
    'lstm',
    '--hidden',
    '6',
    '--batch',
    '4',
    '--optimizer',
    'adam',
    '--lr',
    '0.01',
    '--clip',
    '1',
    '--clip-mode',
    'norm',
    '--iterations',
    '20',
    '--sample-every',
    '0',
    '--no-progress',
    '--json',
    '--seed',
    '3',
  ]);
  const summary = JSON.parse(text.trim().split('\n').pop() as string) as {
    model: string;
    heldOutAccuracy: number;
    heldOutLoss: number;
    iterations: number;
  };
  const t = new LstmTrainer(copyTask(5, 1, 4, true), {
    hiddenSize: 6,
    batchSize: 4,
    optimizer: 'adam',
    lr: 0.01,
    clip: { kind: 'norm', max: 1 },
    seed: 3,
  });
  t.run(20);
  const ev = t.evaluate();
  assert.equal(summary.model, 'lstm');
  assert.equal(summary.iterations, 20);
  assert.equal(summary.heldOutLoss, ev.loss);
  assert.equal(summary.heldOutAccuracy, ev.accuracy);
  await assert.rejects(
    trainCli(['--model', 'lstm', '--iterations', '2', '--no-progress']),
    /--model lstm trains on a synthetic task: give --task/,
  );
  await assert.rejects(
    trainCli(['--task', 'copy', '--model', 'lstm', '--grad-checkpoint-every', '3', '--no-progress']),
    /--model lstm does not support --grad-checkpoint-every/,
  );
  await assert.rejects(
    trainCli(['--task', 'copy', '--model', 'lstm', '--bptt', 'random:4', '--no-progress']),
    /--model lstm supports --bptt full or chunked:K/,
  );
  await assert.rejects(trainCli(['--task', 'copy', '--model', 'gru', '--no-progress']), /--model/);
});
