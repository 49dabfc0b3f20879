// The fast Float64Array engine against the mathjs reference (per entry, tol 1e-12), on random shapes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  BpttError,
  backward,
  forward,
  forwardBatch,
  gradsChunkByChunk,
  initParams,
  runCase,
  stepContribution,
  toRows,
} from '../src';
import { close as agree } from '../src/model/agree';
import { arbSpec, assertResultsAgree, inputsOf, makeCase, paramsOf, RESULT_FIELDS } from './helpers';

test('fast engine equals the mathjs reference to 1e-12 on random shapes, losses, inputs, masks and truncations', () => {
  fc.assert(
    fc.property(arbSpec(), (spec) => {
      const c = makeCase(spec);
      const fast = runCase(c, 'fast') as unknown as Record<string, unknown>;
      const ref = runCase(c, 'reference') as unknown as Record<string, unknown>;
      assertResultsAgree(fast, ref, 1e-12, RESULT_FIELDS, JSON.stringify(spec));
    }),
    { numRuns: 150 },
  );
});

test('fast engine equals the reference at T = 200 with truncation 7 and real inputs', () => {
  for (const loss of ['softmax-ce', 'squared'] as const) {
    const c = makeCase({
      D: 3,
      H: 5,
      K: 4,
      T: 200,
      loss,
      tokens: false,
      seed: 11,
      withH0: true,
      nullRate: 0.2,
      truncate: 7,
    });
    assertResultsAgree(runCase(c) as never, runCase(c, 'reference') as never, 1e-12, RESULT_FIELDS, loss);
  }
});

test('per-step contributions of eqs 10.22–10.28 sum to the gradients', () => {
  fc.assert(
    fc.property(arbSpec({ maxT: 8 }), (spec) => {
      const c = makeCase(spec);
      const p = paramsOf(c);
      const fw = forward(p, inputsOf(c), c.y, { loss: c.loss, h0: c.h0 });
      const g = backward(p, fw, { truncate: c.truncate });
      const sums = {
        dU: new Float64Array(g.dU.data.length),
        dW: new Float64Array(g.dW.data.length),
        dV: new Float64Array(g.dV.data.length),
        db: new Float64Array(g.db.length),
        dc: new Float64Array(g.dc.length),
      };
      for (let t = 1; t <= fw.T; t++) {
        const s = stepContribution(p, fw, g, t);
        const parts = { dU: s.dU.data, dW: s.dW.data, dV: s.dV.data, db: s.db, dc: s.dc };
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) parts[k].forEach((v, i) => (sums[k][i] += v));
      }
      const whole = { dU: g.dU.data, dW: g.dW.data, dV: g.dV.data, db: g.db, dc: g.dc };
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) {
        sums[k].forEach((v, i) => assert.ok(agree(v, whole[k][i], 1e-12), `${k}[${i}]`));
      }
    }),
    { numRuns: 60 },
  );
});

test('truncate k ≥ T gives exactly full BPTT, and truncate 1 keeps only the V^T ∇o(t) term in ∇h(t)', () => {
  const c = makeCase({ D: 3, H: 4, K: 3, T: 6, loss: 'softmax-ce', tokens: true, seed: 5, withH0: true, nullRate: 0 });
  const p = paramsOf(c);
  const fw = forward(p, inputsOf(c), c.y, { h0: c.h0 });
  const full = backward(p, fw);
  for (const k of [6, 7, 100]) assert.deepEqual(backward(p, fw, { truncate: k }).dW.data, full.dW.data);
  const one = backward(p, fw, { truncate: 1 });
  for (let t = 0; t < fw.T; t++) {
    // with k = 1 every step is its own chunk: ∇h(t) L = V^T ∇o(t) L (eq 10.19 at every step)
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let kk = 0; kk < 3; kk++) s += p.V.data[kk * 4 + j] * one.dO.data[t * 3 + kk];
      assert.ok(Math.abs(one.dh.data[t * 4 + j] - s) < 1e-15);
    }
  }
});

test('∇h(0) = W^T H(1) ∇h(1) L, and truncation gives ∇h(0) from the first chunk only', () => {
  const c = makeCase({ D: 2, H: 3, K: 2, T: 5, loss: 'squared', tokens: false, seed: 9, withH0: true, nullRate: 0 });
  const p = paramsOf(c);
  const fw = forward(p, inputsOf(c), c.y, { loss: 'squared', h0: c.h0 });
  for (const k of [undefined, 2]) {
    const g = backward(p, fw, { truncate: k });
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += p.W.data[i * 3 + j] * g.dtanh.data[i] * g.dh.data[i];
      assert.ok(Math.abs(g.dh0[j] - s) < 1e-15);
    }
  }
});

test('hand-checkable case: H = 1, D = 1, K = 1, squared loss (numbers worked out in the comment)', () => {
  // a(1) = 0.5·1 = 0.5, h(1) = tanh(0.5) = 0.46211715726000974; o(1) = 2·h(1) = 0.9242343145200195
  // L = ½(o(1) − 1)² = 0.0028701...; ∇o(1) L = o(1) − 1; ∇h(1) L = V·∇o(1); ∇a(1) L = (1 − h²)·∇h(1)
  const p = {
    U: { rows: 1, cols: 1, data: Float64Array.of(0.5) },
    W: { rows: 1, cols: 1, data: Float64Array.of(0.9) },
    V: { rows: 1, cols: 1, data: Float64Array.of(2) },
    b: Float64Array.of(0),
    c: Float64Array.of(0),
  };
  const fw = forward(p, [[1]], [[1]], { loss: 'squared' });
  const h1 = Math.tanh(0.5);
  assert.equal(fw.h.data[0], h1);
  assert.equal(fw.o.data[0], 2 * h1);
  assert.equal(fw.loss, 0.5 * (2 * h1 - 1) ** 2);
  const g = backward(p, fw);
  const dO = 2 * h1 - 1;
  assert.equal(g.dc[0], dO); // eq 10.22
  assert.equal(g.dV.data[0], dO * h1); // eq 10.24
  const da = (1 - h1 * h1) * (2 * dO);
  assert.ok(Math.abs(g.db[0] - da) < 1e-16); // eq 10.23
  assert.ok(Math.abs(g.dU.data[0] - da) < 1e-16); // eq 10.28 with x(1) = 1
  assert.equal(g.dW.data[0], 0); // eq 10.26: h(0) = 0
  assert.ok(Math.abs(g.dh0[0] - 0.9 * da) < 1e-16);
});

test('softmax cross-entropy is computed stably: huge logits give a finite loss and ∇o = ŷ − 1_y', () => {
  const p = {
    U: { rows: 1, cols: 1, data: Float64Array.of(1) },
    W: { rows: 1, cols: 1, data: Float64Array.of(0) },
    V: { rows: 2, cols: 1, data: Float64Array.of(800, -800) },
    b: Float64Array.of(5),
    c: Float64Array.of(0, 0),
  };
  const fw = forward(p, [0], [1]);
  assert.ok(Number.isFinite(fw.loss) && fw.loss > 1000);
  const g = backward(p, fw);
  assert.deepEqual(Array.from(g.dO.data), [1, -1]);
});

test('bad shapes name the parameter, the equation and both shapes', () => {
  const p = initParams({ inputSize: 2, hiddenSize: 3, outputSize: 2, seed: 1 });
  const badW = { ...p, W: { rows: 3, cols: 2, data: new Float64Array(6) } };
  assert.throws(
    () => forward(badW, [0, 1], [0, 1]),
    (e: Error) =>
      e instanceof BpttError &&
      /W in a\(t\) = b \+ W h\(t-1\) \+ U x\(t\) \(eq 10\.8\) must be H×H = 3×3, got 3×2/.test(e.message),
  );
  const badV = { ...p, V: { rows: 2, cols: 4, data: new Float64Array(8) } };
  assert.throws(() => forward(badV, [0], [0]), /V in o\(t\) = c \+ V h\(t\) \(eq 10\.10\) must be K×H = 2×3, got 2×4/);
  assert.throws(() => forward(p, [0, 2], [0, 1]), /token x\(2\) must be an index in 0\.\.1 \(D = 2\)/);
  assert.throws(() => forward(p, [[1, 2, 3]], [0]), /eq 10\.8.* must be T×D = 1×2, got 1×3/);
  assert.throws(() => forward(p, [0, 1], [0]), /y must have one target per step, T = 2, got 1/);
  assert.throws(() => forward(p, [0], [2]), /y\(1\) must be a class index in 0\.\.1 \(K = 2\)/);
  assert.throws(() => forward(p, [0], [[1, 2, 3]], { loss: 'squared' }), /y\(1\) must be a vector of length K = 2/);
  assert.throws(
    () => forward(p, [0], [0], { h0: [1, 2] }),
    /h\(0\) in a\(1\) = b \+ W h\(0\) \+ U x\(1\) \(eq 10\.8\) must have length H = 3, got 2/,
  );
  assert.throws(() => forward(p, [], []), /empty/);
  const fw = forward(p, [0, 1], [0, 1]);
  assert.throws(() => backward(p, fw, { truncate: 0 }), /truncate must be an integer ≥ 1/);
  assert.throws(() => backward(p, fw, { truncate: 1.5 }), /truncate must be an integer ≥ 1/);
});

test('NaN or Inf is reported with its step and quantity, never carried along', () => {
  const p = initParams({ inputSize: 2, hiddenSize: 3, outputSize: 2, seed: 1 });
  assert.throws(
    () =>
      forward(
        p,
        [
          [0, 1],
          [NaN, 1],
        ],
        [0, 1],
      ),
    /x\(2\)\[0\] must be finite, got NaN/,
  );
  const bad = { ...p, b: Float64Array.of(0, Infinity, 0) };
  assert.throws(() => forward(bad, [0], [0]), /parameter b has a non-finite entry Infinity at index 1/);
  // o(t) overflows to ±Inf only through the squared loss with enormous V: reported at the step where it appears
  const huge = { ...p, V: { rows: 2, cols: 3, data: Float64Array.of(1e308, 1e308, 1e308, 0, 0, 0) } };
  assert.throws(
    () =>
      forward(
        huge,
        [0, 1],
        [
          [0, 0],
          [0, 0],
        ],
        { loss: 'squared' },
      ),
    /forward pass: (o|ŷ)\(1\)\[0\] is (Infinity|-Infinity|NaN)|L\(1\) is Infinity/,
  );
});

test('initParams is reproducible from its seed and scales as 1/√fan_in', () => {
  const a = initParams({ inputSize: 50, hiddenSize: 200, outputSize: 10, seed: 42 });
  const b = initParams({ inputSize: 50, hiddenSize: 200, outputSize: 10, seed: 42 });
  assert.deepEqual(a.W.data, b.W.data);
  const std = Math.sqrt(a.W.data.reduce((s, v) => s + v * v, 0) / a.W.data.length);
  assert.ok(Math.abs(std - 1 / Math.sqrt(200)) < 0.003, `std ${std}`);
  assert.notDeepEqual(initParams({ inputSize: 50, hiddenSize: 200, outputSize: 10, seed: 43 }).W.data, a.W.data);
  assert.throws(() => initParams({ inputSize: 0, hiddenSize: 2, outputSize: 2 }), /inputSize must be an integer ≥ 1/);
  assert.equal(toRows(a.U).length, 200);
});

test('a minibatch (forwardBatch) gives each sequence its own h(t) and the sum of the per-sequence gradients', () => {
  fc.assert(
    fc.property(arbSpec({ maxT: 8 }), fc.integer({ min: 1, max: 5 }), (spec, B) => {
      const cases = Array.from({ length: B }, (_, i) => makeCase({ ...spec, seed: spec.seed + i }));
      const p = paramsOf(cases[0]); // one set of parameters, B different sequences
      const h0 = spec.withH0 ? cases.map((c) => c.h0 as number[]) : undefined;
      const fw = forwardBatch(
        p,
        cases.map(inputsOf),
        cases.map((c) => c.y),
        { loss: spec.loss, h0 },
      );
      const g = backward(p, fw, { truncate: spec.truncate });
      const { H } = fw.sizes;
      const sum = {
        dU: new Float64Array(g.dU.data.length),
        dW: new Float64Array(g.dW.data.length),
        dV: new Float64Array(g.dV.data.length),
        db: new Float64Array(H),
        dc: new Float64Array(g.dc.length),
      };
      let loss = 0;
      cases.forEach((c, s) => {
        const f1 = forward(p, inputsOf(c), c.y, { loss: spec.loss, h0: c.h0 });
        const g1 = backward(p, f1, { truncate: spec.truncate });
        loss += f1.loss;
        for (let t = 0; t < spec.T; t++) {
          for (let i = 0; i < H; i++)
            assert.ok(Math.abs(fw.h.data[(t * B + s) * H + i] - f1.h.data[t * H + i]) < 1e-14);
        }
        for (let i = 0; i < H; i++) assert.ok(Math.abs(g.dh0[s * H + i] - g1.dh0[i]) < 1e-12);
        const parts = { dU: g1.dU.data, dW: g1.dW.data, dV: g1.dV.data, db: g1.db, dc: g1.dc };
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) parts[k].forEach((v, i) => (sum[k][i] += v));
      });
      assert.ok(Math.abs(fw.loss - loss) <= 1e-12 * Math.max(1, loss));
      const whole = { dU: g.dU.data, dW: g.dW.data, dV: g.dV.data, db: g.db, dc: g.dc };
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) {
        sum[k].forEach((v, i) => assert.ok(agree(v, whole[k][i], 1e-12), `${k}[${i}]: ${v} vs ${whole[k][i]}`));
      }
    }),
    { numRuns: 60 },
  );
});

test('forwardBatch rejects sequences of different lengths or kinds, naming the sequence', () => {
  const p = initParams({ inputSize: 2, hiddenSize: 3, outputSize: 2, seed: 1 });
  assert.throws(() => forwardBatch(p, [[0, 1], [1]], [[0, 1], [1]]), /sequence 0 has T = 2, sequence 1 has T = 1/);
  assert.throws(
    () =>
      forwardBatch(
        p,
        [
          [0, 1],
          [
            [1, 0],
            [0, 1],
          ],
        ],
        [
          [0, 1],
          [1, 0],
        ],
      ),
    /sequence 1 mixes token and real-vector inputs/,
  );
  assert.throws(
    () =>
      forwardBatch(
        p,
        [[0, 1]],
        [
          [0, 1],
          [1, 0],
        ],
      ),
    /1 input sequences but 2 target sequences/,
  );
});

test("into / gradsInto: a pass can overwrite the previous result's arrays and gives the same numbers", () => {
  const c = makeCase({
    D: 3,
    H: 5,
    K: 4,
    T: 7,
    loss: 'softmax-ce',
    tokens: true,
    seed: 3,
    withH0: true,
    nullRate: 0.2,
    truncate: 3,
  });
  const c2 = makeCase({
    D: 3,
    H: 5,
    K: 4,
    T: 7,
    loss: 'softmax-ce',
    tokens: true,
    seed: 4,
    withH0: true,
    nullRate: 0.2,
    truncate: 3,
  });
  const p = paramsOf(c);
  const fresh = (cc: typeof c) => {
    const fw = forward(p, inputsOf(cc), cc.y, { h0: cc.h0 });
    return { fw, g: backward(p, fw, { truncate: 3 }) };
  };
  const first = fresh(c);
  const want = fresh(c2);
  const fw2 = forward(p, inputsOf(c2), c2.y, { h0: c2.h0, into: first.fw });
  const g2 = backward(p, fw2, { truncate: 3, gradsInto: first.g });
  assert.equal(fw2.h.data.buffer, first.fw.h.data.buffer, 'the hidden states were written in place');
  assert.equal(g2.dW, first.g.dW, 'the ∇W matrix was reused');
  assert.deepEqual(Array.from(fw2.h.data), Array.from(want.fw.h.data));
  assert.equal(fw2.loss, want.fw.loss);
  for (const k of ['dU', 'dW', 'dV', 'dh', 'da', 'dO', 'dtanh'] as const)
    assert.deepEqual(Array.from(g2[k].data), Array.from(want.g[k].data), k);
  for (const k of ['db', 'dc', 'dh0'] as const) assert.deepEqual(Array.from(g2[k]), Array.from(want.g[k]), k);
  // a result of other shapes is not reused
  const other = forward(initParams({ inputSize: 3, hiddenSize: 2, outputSize: 4 }), [0, 1], [1, 2], { into: first.fw });
  assert.notEqual(other.h.data.buffer, first.fw.h.data.buffer);
});

test('gradsChunkByChunk (one chunk at a time, O(k·H) memory) equals backward with truncate k', () => {
  fc.assert(
    fc.property(arbSpec({ maxT: 12 }), fc.integer({ min: 1, max: 6 }), (spec, k) => {
      const c = makeCase(spec);
      const p = paramsOf(c);
      const fw = forward(p, inputsOf(c), c.y, { loss: c.loss, h0: c.h0 });
      const g = backward(p, fw, { truncate: k });
      const t = gradsChunkByChunk(p, inputsOf(c), c.y, { loss: c.loss, h0: c.h0, truncate: k });
      assert.ok(Math.abs(t.loss - fw.loss) <= 1e-12 * Math.max(1, fw.loss));
      const pairs: [Float64Array, Float64Array, string][] = [
        [t.dU.data, g.dU.data, 'dU'],
        [t.dW.data, g.dW.data, 'dW'],
        [t.dV.data, g.dV.data, 'dV'],
        [t.db, g.db, 'db'],
        [t.dc, g.dc, 'dc'],
        [t.dh0, g.dh0, 'dh0'],
      ];
      for (const [a, b, name] of pairs) a.forEach((v, i) => assert.ok(agree(v, b[i], 1e-12), `${name}[${i}]`));
    }),
    { numRuns: 80 },
  );
});
