// errorAgainstDraws: the error of the mean of N draws of a truncation variant. An unbiased estimator's error falls
// like 1/√N; a deterministic (biased) one's stays at its bias, whatever N.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initParams } from '../src/model/params';
import { rng } from '../src/model/rng';
import {
  backwardSteps,
  errorAgainstDraws,
  estimateGradient,
  gradientGap,
  streamingWindows,
} from '../src/train/truncation';

function longCase(T: number, seed: number): { p: ReturnType<typeof initParams>; tokens: number[]; ys: number[] } {
  const r = rng(seed);
  const p = initParams({ inputSize: 4, hiddenSize: 5, outputSize: 3, seed, scale: 1.5, biasStd: 0.3 });
  return { p, tokens: Array.from({ length: T }, () => r.int(4)), ys: Array.from({ length: T }, () => r.int(3)) };
}

/** The least-squares slope of log y against log x. */
function logLogSlope(x: number[], y: number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  return lx.reduce((s, v, i) => s + (v - mx) * (ly[i] - my), 0) / lx.reduce((s, v) => s + (v - mx) ** 2, 0);
}

test('chunked truncation: the same error for every N, = gradientGap (deterministic: its error is its bias)', () => {
  const { p, tokens, ys } = longCase(20, 1);
  const e = errorAgainstDraws(p, tokens, ys, { kind: 'chunked', k: 4 }, { counts: [1, 3, 10] });
  const gap = gradientGap(p, tokens, ys, { kind: 'chunked', k: 4 }).relError;
  assert.ok(gap > 1e-3);
  e.rmsRelError.forEach((v) => assert.ok(Math.abs(v - gap) <= 1e-12 * gap, `${v} vs ${gap}`));
  assert.equal(e.variant, 'chunked k=4');
});

test('randomized truncation: one draw is gradientGap with the same seed; the mean of N draws falls like 1/√N', () => {
  const { p, tokens, ys } = longCase(20, 2);
  const one = errorAgainstDraws(p, tokens, ys, { kind: 'randomized', k: 3 }, { counts: [1], repeats: 1, seed: 5 });
  const gap = gradientGap(p, tokens, ys, { kind: 'randomized', k: 3 }, { seed: 5 }).relError;
  assert.ok(Math.abs(one.rmsRelError[0] - gap) <= 1e-12 * gap, `${one.rmsRelError[0]} vs ${gap}`);
  const counts = [1, 4, 16, 64, 256];
  const e = errorAgainstDraws(p, tokens, ys, { kind: 'randomized', k: 3 }, { counts, repeats: 12, seed: 2 });
  const slope = logLogSlope(counts, e.rmsRelError);
  assert.ok(slope > -0.65 && slope < -0.35, `slope of log error against log N: ${slope}, expected about −1/2`);
  assert.ok(e.rmsRelError[4] < e.rmsRelError[0] / 8, 'no floor: 256 draws are over 8 times closer than one');
});

test('randomized truncation that never cuts (k = Infinity, π = 1) is exact for every N; bad counts are errors', () => {
  const { p, tokens, ys } = longCase(10, 3);
  const e = errorAgainstDraws(p, tokens, ys, { kind: 'randomized', k: Infinity }, { counts: [1, 2], repeats: 2 });
  e.rmsRelError.forEach((v) => assert.ok(v < 1e-13, String(v)));
  assert.throws(
    () => errorAgainstDraws(p, tokens, ys, { kind: 'chunked', k: 2 }, { counts: [2, 1] }),
    /counts must be increasing integers ≥ 1, got \[2,1\]/,
  );
  assert.throws(
    () => errorAgainstDraws(p, tokens, ys, { kind: 'chunked', k: 2 }, { counts: [] }),
    /counts must be increasing integers/,
  );
  assert.throws(
    () => errorAgainstDraws(p, tokens, ys, { kind: 'chunked', k: 2 }, { counts: [1], repeats: 0 }),
    /repeats must be an integer ≥ 1, got 0/,
  );
});

test(
  'streamingWindows: BPTT(k1, k2) windows end every k1 steps and reach back k2; the oldest loss of a window ' +
    'reaches k2 − k1 + 1',
  () => {
    assert.deepEqual(streamingWindows(10, 3, 5), [
      { start: 1, scoreFrom: 1, end: 3 },
      { start: 2, scoreFrom: 4, end: 6 },
      { start: 5, scoreFrom: 7, end: 9 },
      { start: 6, scoreFrom: 10, end: 10 },
    ]);
    for (const w of streamingWindows(40, 8, 16).slice(1)) {
      assert.equal(w.end - w.start + 1, 16, 'the newest loss reaches back k2 steps');
      assert.equal(w.scoreFrom - w.start + 1, 16 - 8 + 1, 'the oldest reaches back k2 − k1 + 1');
    }
    // every loss is scored exactly once
    const scored = streamingWindows(23, 4, 7).flatMap((w) =>
      Array.from({ length: w.end - w.scoreFrom + 1 }, (_, i) => w.scoreFrom + i),
    );
    assert.deepEqual(
      scored,
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    assert.deepEqual(streamingWindows(0, 2, 3), []);
    assert.throws(() => streamingWindows(10, 3, 2), /needs integers 1 ≤ k1 ≤ k2/);
  },
);

test('backwardSteps: T for full, chunked and randomized; the summed window lengths for BPTT(k1, k2)', () => {
  assert.equal(backwardSteps({ kind: 'full' }, 40), 40);
  assert.equal(backwardSteps({ kind: 'chunked', k: 8 }, 40), 40);
  assert.equal(backwardSteps({ kind: 'randomized', k: 8 }, 40), 40);
  assert.equal(backwardSteps({ kind: 'streaming', k1: 8, k2: 16 }, 40), 8 + 4 * 16);
  assert.equal(backwardSteps({ kind: 'streaming', k1: 3, k2: 5 }, 10), 3 + 5 + 5 + 5);
  assert.equal(backwardSteps({ kind: 'streaming', k1: 5, k2: 5 }, 20), 20, 'BPTT(k, k) is chunked: each step once');
});

test(
  "estimateGradient reuses a previous result's arrays (into, gradsInto) and gets the same numbers as a fresh " + 'pass',
  () => {
    const a = longCase(12, 4);
    const b = longCase(12, 5);
    for (const v of [{ kind: 'full' }, { kind: 'chunked', k: 5 }] as const) {
      const first = estimateGradient(a.p, b.tokens, b.ys, v); // another sequence: its arrays get overwritten below
      const reused = estimateGradient(a.p, a.tokens, a.ys, v, { into: first.fw, gradsInto: first.backward });
      const fresh = estimateGradient(a.p, a.tokens, a.ys, v);
      assert.equal(reused.fw.h.data.buffer, first.fw.h.data.buffer, 'the arrays were reused (h is a view into them)');
      assert.equal(reused.grads.dW.data, first.grads.dW.data);
      assert.deepEqual(Array.from(reused.grads.dW.data), Array.from(fresh.grads.dW.data));
      assert.deepEqual(Array.from(reused.grads.dU.data), Array.from(fresh.grads.dU.data));
      assert.deepEqual(Array.from(reused.grads.db), Array.from(fresh.grads.db));
      assert.deepEqual(Array.from(reused.grads.dh0), Array.from(fresh.grads.dh0));
      assert.equal(reused.loss, fresh.loss);
    }
  },
);
