// Optimisers, clipping, truncation variants, the training loop, sampling and the `train` command.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { trainCommand } from '../src/cli/train';
import { close as agree } from '../src/model/agree';
import { backward, forward } from '../src/model/engine';
import { BpttError } from '../src/model/errors';
import { cloneParams, initParams, PARAM_NAMES, type Params } from '../src/model/params';
import { rng } from '../src/model/rng';
import { fromRows } from '../src/model/tensor';
import { formatLongRangeTable, longRangeTable } from '../src/teach/long-range';
import { clipByGlobalNorm, clipElementwise, clipGrads, gradCosine } from '../src/train/clip';
import { iterationSeed } from '../src/train/config';
import {
  gradData,
  makeOptimizer,
  type OptimizerName,
  type ParamGrads,
  restoreOptimizer,
  zeroGrads,
} from '../src/train/optim';
import { checkTemperature, drawToken, sampleText, sampleTokens } from '../src/train/sample';
import { copyTask, makeTask } from '../src/train/tasks';
import { corpusFromText } from '../src/train/text';
import { Trainer } from '../src/train/trainer';
import {
  estimateGradient,
  gradientGap,
  parseTruncation,
  reweightedGrads,
  type Truncation,
} from '../src/train/truncation';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(agree(a, b, tol), `${what}: ${a} vs ${b}`);

// --- optimisers: two steps each, against numbers worked out by hand (in 50-digit decimal arithmetic) ---

/** H = 1, D = 2, K = 1, so each parameter is a number or two we can follow. */
function tiny(): Params {
  return {
    U: fromRows([[0.5, -1]]),
    W: fromRows([[-0.3]]),
    V: fromRows([[0.2]]),
    b: Float64Array.of(0.1),
    c: Float64Array.of(-0.4),
  };
}
function grads(u0: number, u1: number, w: number, v: number, b: number, c: number): ParamGrads {
  return {
    dU: fromRows([[u0, u1]]),
    dW: fromRows([[w]]),
    dV: fromRows([[v]]),
    db: Float64Array.of(b),
    dc: Float64Array.of(c),
  };
}
const G1 = grads(1, -0.25, -2, 0.5, 0, 4);
const G2 = grads(3, -0.25, 0.5, -0.5, 0, -1);
type Flat = [number, number, number, number, number, number]; // U0, U1, W, V, b, c
const flat = (p: Params): Flat => [p.U.data[0], p.U.data[1], p.W.data[0], p.V.data[0], p.b[0], p.c[0]];

const EXPECTED: Record<OptimizerName, { opts: Record<string, number>; after: [Flat, Flat] }> = {
  // v ← 0.9 v − 0.1 g; θ ← θ + v.  U0: v = −0.1, θ = 0.4; then v = 0.9·(−0.1) − 0.1·3 = −0.39, θ = 0.01.
  sgd: {
    opts: { lr: 0.1, momentum: 0.9 },
    after: [
      [0.4, -0.975, -0.1, 0.15, 0.1, -0.8],
      [0.01, -0.9275, 0.03, 0.155, 0.1, -1.06],
    ],
  },
  // r ← r + g²; θ ← θ − 0.1 g / √(r + 1e-8). U0: r = 1, θ = 0.5 − 0.1/√1.00000001 = 0.4000000005; then r = 10, θ −=
  // 0.3/√(10 + 1e-8).
  adagrad: {
    opts: { lr: 0.1 },
    after: [
      [0.4000000005, -0.900000007999999, -0.200000000125, 0.10000000199999994, 0.1, -0.49999999996875],
      [0.3051316707423828, -0.8292893327097712, -0.22425356260009968, 0.1707106794115479, 0.1, -0.4757464374722501],
    ],
  },
  // r ← 0.999 r + 0.001 g²; θ ← θ − 0.01 g / √(r + 1e-8).  U0: r = 0.001, θ = 0.5 − 0.01/√0.00100001 = 0.18377...
  rmsprop: {
    opts: { lr: 0.01 },
    after: [
      [0.18377381511013371, -0.6837975291690616, 0.01622737073287157, -0.11622144165124793, 0.1, -0.7162276671957074],
      [-0.11624103599256977, -0.4601437591947865, -0.060505155760414264, 0.10743904105754945, 0.1, -0.6394950729335384],
    ],
  },
  // s ← 0.9 s + 0.1 g; r ← 0.999 r + 0.001 g²; θ ← θ − 0.1 (s/(1 − 0.9^t)) / (√(r/(1 − 0.999^t)) + 1e-8).
  // Step 1 is −0.1 g/(|g| + 1e-8) for every entry (bias correction undoes the averaging): U0 = 0.5 − 0.1/(1 + 1e-8).
  adam: {
    opts: { lr: 0.1 },
    after: [
      [0.400000001, -0.9000000039999998, -0.2000000005, 0.10000000199999996, 0.1, -0.49999999975],
      [0.30822188951233165, -0.8000000079999997, -0.1530531837013345, 0.10526315978947365, 0.1, -0.5469468167097273],
    ],
  },
};

for (const name of Object.keys(EXPECTED) as OptimizerName[]) {
  test(`${name}: the first two steps match hand-computed values`, () => {
    const p = tiny();
    const opt = makeOptimizer(name, p, EXPECTED[name].opts);
    opt.step(p, G1);
    flat(p).forEach((v, i) => close(v, EXPECTED[name].after[0][i], 1e-14, `${name} step 1 entry ${i}`));
    opt.step(p, G2);
    flat(p).forEach((v, i) => close(v, EXPECTED[name].after[1][i], 1e-14, `${name} step 2 entry ${i}`));
    assert.equal(opt.t, 2);
  });

  test(`${name}: state() → restoreOptimizer continues exactly as the original`, () => {
    const p = tiny();
    const a = makeOptimizer(name, p, EXPECTED[name].opts);
    a.step(p, G1);
    const q = cloneParams(p);
    const copy = restoreOptimizer(JSON.parse(JSON.stringify(a.state())), q);
    a.step(p, G2);
    copy.step(q, G2);
    assert.deepEqual(flat(q), flat(p));
    assert.equal(copy.t, a.t);
  });
}

test('optimisers: bad settings and mismatched state are errors that name the setting', () => {
  const p = tiny();
  assert.throws(() => makeOptimizer('adam', p, { lr: -1 }), /learning rate.*positive/);
  assert.throws(() => makeOptimizer('sgd', p, { momentum: 1 }), /momentum.*\[0, 1\)/);
  assert.throws(() => makeOptimizer('nesterov' as OptimizerName, p), /unknown optimiser "nesterov"/);
  const st = makeOptimizer('adam', p).state();
  const bigger = initParams({ inputSize: 3, hiddenSize: 1, outputSize: 1 });
  assert.throws(() => restoreOptimizer(st, bigger), /slots\.s\.U has 2 entries but U has 3/);
  assert.throws(
    () => makeOptimizer('sgd', p).step(p, grads(Number.NaN, 0, 0, 0, 0, 0)),
    /∇U L has a non-finite entry NaN at index 0/,
  );
  assert.equal(p.U.data[0], 0.5, 'and nothing was updated');
});

// --- clipping ---

test('clip by global norm scales every gradient by max/‖g‖ only when ‖g‖ > max', () => {
  const g = grads(3, 0, 0, 0, 0, 4); // ‖g‖ = 5
  const r = clipByGlobalNorm(g, 1);
  assert.equal(r.clipped, true);
  close(r.normBefore, 5, 1e-15, 'norm before');
  close(r.scale, 0.2, 1e-15, 'scale');
  close(g.dU.data[0], 0.6, 1e-15, 'dU');
  close(g.dc[0], 0.8, 1e-15, 'dc');
  close(r.normAfter, 1, 1e-15, 'norm after');
  const h = grads(0.3, 0, 0, 0, 0, 0.4);
  const s = clipByGlobalNorm(h, 1);
  assert.equal(s.clipped, false);
  assert.deepEqual(Array.from(h.dU.data), [0.3, 0]);
});

test('clip elementwise cuts each entry to [−limit, limit] (min-char-rnn) and counts the cut entries', () => {
  const g = grads(7, -0.25, -9, 5, 0, -5.5);
  const r = clipElementwise(g);
  assert.equal(r.entries, 3);
  assert.deepEqual(flatGrads(g), [5, -0.25, -5, 5, 0, -5]);
  assert.equal(clipGrads(grads(1, 1, 1, 1, 1, 1), { kind: 'value', limit: 5 }).clipped, false);
  assert.throws(() => clipElementwise(g, 0), /limit must be a positive number/);
});

test('gradCosine: norm clipping keeps the direction (cos = 1); entry clipping turns it when only some are cut', () => {
  const g = grads(7, -0.25, -9, 5, 0, -5.5);
  const byNorm = grads(7, -0.25, -9, 5, 0, -5.5);
  clipByGlobalNorm(byNorm, 1);
  close(gradCosine(g, byNorm), 1, 1e-15, 'norm clip');
  const byValue = grads(7, -0.25, -9, 5, 0, -5.5);
  clipElementwise(byValue, 5);
  // by hand: g = (7, −0.25, −9, 5, 0, −5.5), clipped (5, −0.25, −5, 5, 0, −5); g·c = 35 + 0.0625 + 45 + 25 + 27.5
  const dot = 35 + 0.0625 + 45 + 25 + 27.5;
  const want = dot / (Math.hypot(7, 0.25, 9, 5, 5.5) * Math.hypot(5, 0.25, 5, 5, 5));
  close(gradCosine(g, byValue), want, 1e-15, 'value clip');
  assert.ok(want < 0.99);
  assert.equal(gradCosine(grads(0, 0, 0, 0, 0, 0), grads(0, 0, 0, 0, 0, 0)), 1);
  assert.equal(gradCosine(g, grads(0, 0, 0, 0, 0, 0)), 0);
});

function flatGrads(g: ParamGrads): number[] {
  return PARAM_NAMES.flatMap((n) => Array.from(gradData(g, n)));
}

// --- truncation variants ---

function longCase(T: number, seed: number): { p: Params; tokens: number[]; ys: (number | null)[] } {
  const r = rng(seed);
  const p = initParams({ inputSize: 4, hiddenSize: 5, outputSize: 3, seed, scale: 1.5, biasStd: 0.3 });
  const tokens = Array.from({ length: T }, () => r.int(4));
  const ys = Array.from({ length: T }, (_, t) => (t % 3 === 1 ? null : r.int(3)));
  return { p, tokens, ys };
}

function assertGradsClose(
  a: ParamGrads & { dh0: Float64Array },
  b: ParamGrads & { dh0: Float64Array },
  tol: number,
  what: string,
): void {
  for (const n of PARAM_NAMES)
    gradData(a, n).forEach((v, i) => close(v, gradData(b, n)[i], tol, `${what} ∇${n}[${i}]`));
  a.dh0.forEach((v, i) => close(v, b.dh0[i], tol, `${what} ∇h(0)[${i}]`));
}

test(
  'every variant equals full BPTT when it cannot cut: chunked k ≥ T, BPTT(T, T), BPTT(k1, k2 ≥ T), randomized ' +
    'with π = 1',
  () => {
    const T = 9;
    const { p, tokens, ys } = longCase(T, 3);
    const h0 = [0.1, -0.2, 0.3, 0, 0.5];
    const full = estimateGradient(p, tokens, ys, { kind: 'full' }, { h0 }).grads;
    const same: Truncation[] = [
      { kind: 'chunked', k: T },
      { kind: 'chunked', k: 50 },
      { kind: 'streaming', k1: T, k2: T },
      { kind: 'streaming', k1: 2, k2: T }, // windows all reach back to step 1: each loss once, with its full gradient
      { kind: 'streaming', k1: 4, k2: 20 },
      { kind: 'randomized', k: Infinity },
    ];
    for (const v of same) {
      assertGradsClose(estimateGradient(p, tokens, ys, v, { h0 }).grads, full, 1e-12, JSON.stringify(v));
      const gap = gradientGap(p, tokens, ys, v, { h0 });
      assert.ok(gap.relError < 1e-12 && Math.abs(gap.cosine - 1) < 1e-12, JSON.stringify(v));
    }
    const cut = gradientGap(p, tokens, ys, { kind: 'chunked', k: 2 }, { h0 });
    assert.ok(cut.relError > 1e-3, `chunked k = 2 must differ from full BPTT, got ${cut.relError}`);
  },
);

test('BPTT(k, k) is chunked truncation k when k divides T; randomized with k = 1 (π = 0) is chunked k = 1', () => {
  // (When k does not divide T the last BPTT(k, k) window still reaches k steps back from T, into the previous chunk.)
  const { p, tokens, ys } = longCase(12, 4);
  for (const k of [1, 2, 3, 4, 6]) {
    const chunked = estimateGradient(p, tokens, ys, { kind: 'chunked', k }).grads;
    assertGradsClose(
      estimateGradient(p, tokens, ys, { kind: 'streaming', k1: k, k2: k }).grads,
      chunked,
      1e-12,
      `BPTT(${k}, ${k})`,
    );
  }
  assertGradsClose(
    estimateGradient(p, tokens, ys, { kind: 'randomized', k: 1 }).grads,
    estimateGradient(p, tokens, ys, { kind: 'chunked', k: 1 }).grads,
    1e-12,
    'randomized k=1',
  );
});

test('randomized truncation is unbiased: the exact expectation over every ξ pattern is full BPTT', () => {
  // T = 4 boundaries, π = 1/2: ξ_t ∈ {0, 2}, each pattern with probability 1/16. Σ P(ξ) g(ξ) must be the full gradient.
  const T = 4;
  const { p, tokens, ys } = longCase(T, 5);
  const fw = forward(p, tokens, ys);
  const full = estimateGradient(p, tokens, ys, { kind: 'full' }).grads;
  const mean = { ...zeroGrads(p), dh0: new Float64Array(5) };
  for (let mask = 0; mask < 1 << T; mask++) {
    const xi = Array.from({ length: T }, (_, t) => ((mask >> t) & 1 ? 2 : 0));
    const g = reweightedGrads(p, fw, xi);
    for (const n of PARAM_NAMES) gradData(g, n).forEach((v, i) => (gradData(mean, n)[i] += v / (1 << T)));
    g.dh0.forEach((v, i) => (mean.dh0[i] += v / (1 << T)));
  }
  assertGradsClose(mean, full, 1e-12, 'E[g(ξ)]');
  // and a single draw is not the full gradient (it is an estimate)
  const one = gradientGap(p, tokens, ys, { kind: 'randomized', k: 2 }, { seed: 7 });
  assert.ok(one.relError > 1e-6);
});

test('gradientGap: ∇V and ∇c never change (they use only ∇o(t)); truncation shows in ∇W, ∇U, ∇b', () => {
  const { p, tokens, ys } = longCase(30, 6);
  const gap = gradientGap(p, tokens, ys, { kind: 'chunked', k: 3 });
  assert.equal(gap.perParam.V.relError, 0);
  assert.equal(gap.perParam.c.relError, 0);
  assert.ok(gap.perParam.W.relError > 1e-3);
  assert.ok(gap.cosine < 1 && gap.cosine > 0);
});

test('parseTruncation reads the command-line forms and rejects the rest', () => {
  assert.deepEqual(parseTruncation('full'), { kind: 'full' });
  assert.deepEqual(parseTruncation('8'), { kind: 'chunked', k: 8 });
  assert.deepEqual(parseTruncation('random:5'), { kind: 'randomized', k: 5 });
  assert.deepEqual(parseTruncation('stream:2,10'), { kind: 'streaming', k1: 2, k2: 10 });
  assert.throws(() => parseTruncation('stream:10,2'), /1 ≤ k1 ≤ k2/);
  assert.throws(() => parseTruncation('chunked:0'), /k must be an integer ≥ 1/);
  assert.throws(() => parseTruncation('half'), /bad truncation "half"/);
});

// --- the training loop ---

const TEXT = 'the cat sat on the mat.\nthe dog sat on the log.\n'.repeat(20);

test('same seed, same run: identical losses and parameters; another seed differs', () => {
  const run = (seed: number): { losses: number[]; p: Params } => {
    const t = new Trainer(
      { kind: 'text', corpus: corpusFromText(TEXT) },
      { hiddenSize: 8, seqLength: 10, batchSize: 2, seed, truncation: { kind: 'randomized', k: 4 } },
    );
    const losses = t.run(15).map((s) => s.loss);
    return { losses, p: t.params };
  };
  const [a, b, c] = [run(3), run(3), run(4)];
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.p.W.data, b.p.W.data);
  assert.notDeepEqual(a.losses, c.losses);
  assert.notEqual(iterationSeed(3, 0), iterationSeed(3, 1));
});

test("a minibatch sums the B sequences' gradients; the reported loss is Σ L(t) / scored steps", () => {
  const corpus = corpusFromText(TEXT, 'text', { validFraction: 0 });
  const t = new Trainer(
    { kind: 'text', corpus },
    {
      hiddenSize: 6,
      seqLength: 7,
      batchSize: 2,
      optimizer: 'sgd',
      lr: 0.05,
      optimizerOptions: { momentum: 0 },
      clip: null,
    },
  );
  const before = { W: t.params.W.data.slice(), V: t.params.V.data.slice() };
  // the two streams start at 0 and at ⌊(n − 1)/2⌋, both from h = 0
  const spacing = Math.floor((corpus.train.length - 1) / 2);
  let sumLoss = 0;
  const dW = new Float64Array(before.W.length);
  const dV = new Float64Array(before.V.length);
  for (const s of [0, spacing]) {
    const xs = Array.from(corpus.train.subarray(s, s + 7));
    const ys = Array.from(corpus.train.subarray(s + 1, s + 8));
    const fw = forward(t.params, xs, ys);
    const g = backward(t.params, fw);
    sumLoss += fw.loss;
    g.dW.data.forEach((v, i) => (dW[i] += v));
    g.dV.data.forEach((v, i) => (dV[i] += v));
  }
  const stats = t.step();
  assert.equal(stats.scored, 14);
  close(stats.loss, sumLoss / 14, 1e-14, 'loss per character');
  close(stats.perplexity as number, Math.exp(stats.smoothed), 1e-14, 'perplexity = exp(smoothed loss)');
  close(stats.smoothed, stats.loss, 1e-12, 'the bias-corrected average of one value is that value');
  t.params.W.data.forEach((v, i) => close(v, before.W[i] - 0.05 * dW[i], 1e-13, `W[${i}]`)); // plain SGD: θ − ε Σ_b g_b
  t.params.V.data.forEach((v, i) => close(v, before.V[i] - 0.05 * dV[i], 1e-13, `V[${i}]`));
});

test('the training loop reports how often it clipped', () => {
  const src = { kind: 'text' as const, corpus: corpusFromText(TEXT) };
  const always = new Trainer(src, { hiddenSize: 8, seqLength: 10, clip: { kind: 'norm', max: 1e-6 } }).run(5);
  assert.ok(always.every((s) => s.clipped) && always[4].clipFraction === 1);
  const never = new Trainer(src, { hiddenSize: 8, seqLength: 10, clip: { kind: 'norm', max: 1e6 } }).run(5);
  assert.ok(never.every((s) => !s.clipped) && never[4].clipFraction === 0);
});

test('a character model learns a small text: loss far below log V, and argmax samples reproduce it', () => {
  const corpus = corpusFromText(TEXT, 'text', { validFraction: 0 });
  const t = new Trainer(
    { kind: 'text', corpus },
    { hiddenSize: 24, seqLength: 16, optimizer: 'adam', lr: 0.01, clip: { kind: 'norm', max: 5 } },
  );
  const first = t.step();
  t.run(600);
  const last = t.history[t.history.length - 1];
  const logV = Math.log(corpus.vocab.size);
  assert.ok(first.loss > 0.8 * logV, `starts near log V = ${logV}: ${first.loss}`);
  assert.ok(last.smoothed < 0.35 * logV, `ends far below log V = ${logV}: ${last.smoothed}`);
  const s = t.sample({ prime: 'the ', length: 40, temperature: 0 });
  assert.ok(/^(cat|dog) sat on the (mat|log)/.test(s), `sample: ${JSON.stringify(s)}`);
});

test('full BPTT learns the copy task at lag 20; chunked k = 4 stays near chance (random symbols fill the wait)', () => {
  const task = copyTask(20, 1, 4, true);
  const acc = (truncation: Truncation): number => {
    const t = new Trainer(
      { kind: 'task', task },
      {
        hiddenSize: 16,
        batchSize: 8,
        optimizer: 'adam',
        lr: 0.02,
        clip: { kind: 'norm', max: 1 },
        truncation,
        seed: 3,
      },
    );
    t.run(400);
    return t.evaluate({ examples: 200 }).accuracy;
  };
  const full = acc({ kind: 'full' });
  const cut = acc({ kind: 'chunked', k: 4 });
  assert.ok(full > 0.8, `full BPTT accuracy ${full}`);
  assert.ok(cut < 0.4, `chunked k = 4 accuracy ${cut} (chance 0.25)`);
});

test('longRangeTable and its Markdown form', () => {
  const rows = longRangeTable({
    lags: [3],
    variants: [{ kind: 'full' }, { kind: 'chunked', k: 2 }],
    seeds: [1],
    iterations: 5,
  });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].variant, 'full');
  const md = formatLongRangeTable(rows);
  assert.match(
    md,
    new RegExp(
      [
        String.raw`^\| lag \| full \| chunked k=2 \| chance \|`,
        String.raw`\|---:\|---:\|---:\|---:\|`,
        String.raw`\| 3 \| \d\.\d\d \| \d\.\d\d \| 0\.25 \|$`,
      ].join('\n'),
    ),
  );
});

test('longRangeTable: the mean over the seeds and their spread (sample standard deviation)', () => {
  const [row] = longRangeTable({ lags: [3], variants: [{ kind: 'chunked', k: 2 }], seeds: [1, 2, 3], iterations: 5 });
  assert.equal(row.perSeed.length, 3);
  const mean = (row.perSeed[0] + row.perSeed[1] + row.perSeed[2]) / 3;
  close(row.accuracy, mean, 1e-15, 'mean');
  close(row.std, Math.sqrt(row.perSeed.reduce((a, v) => a + (v - mean) ** 2, 0) / 2), 1e-15, 'std with n − 1');
  assert.equal(
    longRangeTable({ lags: [3], variants: [{ kind: 'full' }], seeds: [1], iterations: 2 })[0].std,
    0,
    'one seed: no spread',
  );
});

test('trainer settings are checked with messages that name the field', () => {
  const src = { kind: 'text' as const, corpus: corpusFromText(TEXT) };
  assert.throws(() => new Trainer(src, { hiddenSize: 0 }), /hiddenSize must be an integer ≥ 1, got 0/);
  assert.throws(() => new Trainer(src, { seqLength: 10_000 }), /fewer than seqLength \+ 1/);
  assert.throws(() => new Trainer(src, { clip: { kind: 'norm', max: -1 } }), /clip must be null/);
  assert.throws(() => new Trainer(src, { smoothing: 1 }), /smoothing must be in \[0, 1\)/);
});

// --- sampling ---

test('temperature: 0 is argmax, negative or NaN is an error, 1 samples softmax(o)', () => {
  const o = [1, 3, 2];
  const r = rng(1);
  assert.equal(drawToken(o, 0, r), 1);
  assert.equal(drawToken(o, 1e-9, r), 1, 'a tiny temperature is argmax too, without overflow');
  for (const bad of [-1, Number.NaN, Infinity])
    assert.throws(() => checkTemperature(bad), /temperature must be a finite number > 0/);
  const counts = [0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[drawToken(o, 1, r)]++;
  const z = o.reduce((s, v) => s + Math.exp(v), 0);
  o.forEach((v, k) => close(counts[k] / N, Math.exp(v) / z, 0.015, `frequency of ${k}`));
  const hot = [0, 0, 0];
  for (let i = 0; i < N; i++) hot[drawToken(o, 100, r)]++;
  assert.ok(Math.min(...hot) / N > 0.3, 'a high temperature is nearly uniform');
});

test('sampling is seeded and checks its inputs', () => {
  const p = initParams({ inputSize: 5, hiddenSize: 4, outputSize: 5, seed: 2, scale: 2 });
  const a = sampleTokens(p, { length: 30, seed: 9, prime: [1, 2] }).tokens;
  assert.deepEqual(sampleTokens(p, { length: 30, seed: 9, prime: [1, 2] }).tokens, a);
  assert.notDeepEqual(sampleTokens(p, { length: 30, seed: 10, prime: [1, 2] }).tokens, a);
  const corpus = corpusFromText('abcde');
  assert.throws(
    () => sampleText(p, corpus.vocab, { prime: 'abz', length: 3 }),
    /unknown character "z" \(U\+007A\) at line 1, column 3/,
  );
  const notChar = initParams({ inputSize: 2, hiddenSize: 2, outputSize: 3 });
  assert.throws(() => sampleTokens(notChar, { length: 1 }), /D must equal K/);
});

// --- the command ---

function program(out: string[]): Command {
  return new Command('bpttlab')
    .exitOverride()
    .addCommand(trainCommand({ out: (s) => out.push(s) }).configureOutput({ writeErr: () => undefined }));
}

test('bpttlab train --task copy: trains, reports held-out accuracy and a JSON summary', async () => {
  const out: string[] = [];
  await program(out).parseAsync(
    [
      'train',
      '--task',
      'copy',
      '--lag',
      '3',
      '--iterations',
      '120',
      '--hidden',
      '12',
      '--batch',
      '4',
      '--optimizer',
      'adam',
      '--lr',
      '0.02',
      '--sample-every',
      '60',
      '--no-progress',
      '--json',
    ],
    { from: 'user' },
  );
  const text = out.join('');
  assert.match(text, /copy task: remember 1 symbol\(s\) of 4 for 3 steps/);
  assert.match(text, /iteration 60: loss [\d.]+ per scored step; held-out accuracy [\d.]+ \(chance 0\.25\)/);
  const summary = JSON.parse(out[out.length - 1]);
  assert.equal(summary.iterations, 120);
  assert.ok(summary.heldOutAccuracy > 0.9, `accuracy ${summary.heldOutAccuracy}`);
});

test('bpttlab train on a text file prints samples; bad input is a BpttError or a commander error', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bpttlab-train-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 't.txt');
  writeFileSync(file, TEXT);
  const out: string[] = [];
  await program(out).parseAsync(
    [
      'train',
      '--data',
      file,
      '--iterations',
      '40',
      '--hidden',
      '8',
      '--seq-length',
      '10',
      '--sample-every',
      '20',
      '--sample-length',
      '30',
      '--no-progress',
    ],
    { from: 'user' },
  );
  const text = out.join('');
  assert.match(text, /uniform baseline log V = [\d.]+ nats per character/);
  assert.match(
    text,
    /--- iteration 20: loss [\d.]+ per character \(perplexity [\d.]+\); sample at temperature 0\.8:\n[^\n]*/,
  );
  assert.match(text, /done: 40 iterations/);
  await assert.rejects(
    program([]).parseAsync(['train', '--data', join(dir, 'missing.txt'), '--no-progress'], { from: 'user' }),
    (e: Error) => e instanceof BpttError && /no such file/.test(e.message),
  );
  await assert.rejects(
    program([]).parseAsync(['train', '--task', 'copy', '--bptt', 'stream:9,3'], { from: 'user' }),
    BpttError,
  );
  await assert.rejects(program([]).parseAsync(['train', '--resume'], { from: 'user' }), /--resume needs --checkpoint/);
  await assert.rejects(
    program([]).parseAsync(['train', '--optimizer', 'lbfgs'], { from: 'user' }),
    /commander\.invalidArgument|Allowed choices/,
  );
  await assert.rejects(
    program([]).parseAsync(['train', '--temperature', '-1'], { from: 'user' }),
    /expected a number ≥ 0/,
  );
});

test('tasks used by the command exist under their names', () => {
  for (const n of ['adding', 'copy', 'reber', 'sine']) assert.equal(makeTask(n).name, n);
  assert.throws(() => makeTask('parity'), /unknown task "parity"/);
});
