// Analytic gradients against central differences: norm-wise relative error ≤ 1e-7 per parameter and per step.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backward, formatReport, forward, gradCheck, mat } from '../src';
import type { CaseSpec } from './helpers';
import { arbSpec, inputsOf, makeCase, paramsOf } from './helpers';

function check(spec: CaseSpec, extra: Parameters<typeof gradCheck>[3] = {}) {
  const c = makeCase(spec);
  return gradCheck(paramsOf(c), inputsOf(c), c.y, { loss: c.loss, h0: c.h0, truncate: c.truncate, ...extra });
}

test(
  'every gradient matches central differences to 1e-7 on random shapes, losses, masks and truncations (per ' +
    'parameter and per step)',
  () => {
    fc.assert(
      fc.property(arbSpec({ maxDim: 5, maxT: 9 }), (spec) => {
        const r = check(spec);
        assert.ok(r.pass, `${JSON.stringify(spec)}\n${formatReport(r)}`);
        // 'within noise' is for gradients tiny beside the loss (measured over 1500 random cases: 6 rows in 44160, all
        // with ‖a‖ < 4e-6·L and ‖a − n‖ < 0.04 × the floor). A wrong gradient would sit near or above the floor, not
        // far below it.
        for (const x of [...r.params, ...r.steps]) {
          if (x.passedBy !== 'noise') continue;
          const diff = x.relError * (x.analyticNorm + x.numericNorm);
          assert.ok(
            x.analyticNorm <= 1e-4 * Math.max(1, r.loss),
            `${x.name}(${x.t}): ‖a‖ = ${x.analyticNorm} is not tiny beside L = ${r.loss}`,
          );
          assert.ok(
            diff <= x.noiseFloor / 5,
            `${x.name}(${x.t}): ‖a − n‖ = ${diff} is not far below the noise floor ${x.noiseFloor}`,
          );
        }
        assert.equal(r.params.length, 6);
        assert.equal(r.steps.length, 5 * spec.T);
      }),
      // the first example is the case that found the old rule too strict (W(2) = 4e-5 with L = 9.6 passed by noise)
      {
        numRuns: 40,
        examples: [
          [
            {
              D: 2,
              H: 1,
              K: 4,
              T: 3,
              loss: 'softmax-ce',
              tokens: false,
              seed: 1311257152,
              withH0: false,
              nullRate: 0,
              truncate: undefined,
              scale: 1.5,
            },
          ],
        ],
      },
    );
  },
);

test('the textbook 2-point stencil (ε = 1e-5) also passes on a small case', () => {
  const r = check(
    { D: 3, H: 4, K: 3, T: 5, loss: 'softmax-ce', tokens: true, seed: 2, withH0: true, nullRate: 0 },
    { stencil: 2 },
  );
  assert.equal(r.stencil, 2);
  assert.equal(r.step, 1e-5);
  assert.ok(r.pass, formatReport(r));
});

test('edge shapes: H = D = K = 1 and T = 1, both losses, token and real inputs', () => {
  for (const loss of ['softmax-ce', 'squared'] as const) {
    for (const tokens of [true, false]) {
      for (const T of [1, 4]) {
        const r = check({ D: 1, H: 1, K: 1, T, loss, tokens, seed: 3, withH0: true, nullRate: 0 });
        assert.ok(r.pass, formatReport(r));
      }
    }
  }
});

test('T = 200: full and truncated BPTT match central differences (norm-wise 1e-7)', () => {
  for (const loss of ['softmax-ce', 'squared'] as const) {
    for (const truncate of [undefined, 20]) {
      const r = check({
        D: 4,
        H: 6,
        K: 3,
        T: 200,
        loss,
        tokens: loss === 'softmax-ce',
        seed: 17,
        withH0: true,
        nullRate: 0.1,
        truncate,
        scale: 1.2,
      });
      assert.ok(r.pass, formatReport(r));
      assert.equal(r.steps.length, 0, 'per-step check is off by default beyond T = 50');
    }
  }
});

test('sampling checks only the requested number of entries, reproducibly', () => {
  const spec: CaseSpec = {
    D: 10,
    H: 12,
    K: 8,
    T: 6,
    loss: 'softmax-ce',
    tokens: true,
    seed: 4,
    withH0: false,
    nullRate: 0,
  };
  const a = check(spec, { samples: 5, seed: 9, perStep: false });
  const b = check(spec, { samples: 5, seed: 9, perStep: false });
  assert.ok(a.pass);
  assert.deepEqual(
    a.params.map((c) => c.entries),
    [5, 5, 5, 5, 5, 5],
  );
  assert.deepEqual(
    a.params.map((c) => c.worst?.index),
    b.params.map((c) => c.worst?.index),
  );
});

test('a wrong gradient fails, and the per-step rows say which step is wrong', () => {
  const c = makeCase({ D: 3, H: 4, K: 3, T: 5, loss: 'softmax-ce', tokens: true, seed: 21, withH0: true, nullRate: 0 });
  const p = paramsOf(c);
  const fw = forward(p, inputsOf(c), c.y, { h0: c.h0 });
  const g = backward(p, fw);
  // Sign flipped in ∇W: fails at the parameter level.
  const flipped = {
    ...g,
    dW: mat(
      4,
      4,
      g.dW.data.map((v) => -v),
    ),
  };
  const r1 = gradCheck(p, inputsOf(c), c.y, { h0: c.h0, grads: flipped });
  assert.equal(r1.pass, false);
  assert.deepEqual(
    r1.params.filter((x) => !x.pass).map((x) => x.name),
    ['W'],
  );
  // A corrupted ∇a(3) = H(3) ∇h(3) L in the per-step record: the per-step rows point at step 3 only.
  const da = mat(5, 4, g.da.data.slice());
  for (let j = 0; j < 4; j++) da.data[2 * 4 + j] *= 0.5;
  const r2 = gradCheck(p, inputsOf(c), c.y, { h0: c.h0, grads: { ...g, da } });
  const badSteps = [...new Set(r2.steps.filter((x) => !x.pass).map((x) => x.t))];
  assert.deepEqual(badSteps, [3]);
  assert.match(formatReport(r2), /FAIL\s+3\s+∇W/);
});

test('a vanished gradient (∇h(0) after 120 steps of a contracting W, scored only at the end) passes', () => {
  const c = makeCase({
    D: 2,
    H: 3,
    K: 2,
    T: 120,
    loss: 'softmax-ce',
    tokens: true,
    seed: 8,
    withH0: true,
    nullRate: 0,
    scale: 0.2,
  });
  // scored at the last step only, like the adding problem
  c.y = c.y.map((y, t) => (t === 119 ? y : null)) as typeof c.y;
  const r = gradCheck(paramsOf(c), inputsOf(c), c.y, { h0: c.h0, perStep: false });
  const h0 = r.params.find((x) => x.name === 'h0');
  assert.ok(h0 && h0.analyticNorm < 1e-20);
  assert.ok(r.pass, formatReport(r));
});

test('a tiny but correct gradient (saturated tanh) passes as "within noise" and is marked so in the table', () => {
  // H = 1 with a large weight: h(3) is saturated, so step 3's summand of ∇U is ~6e-7 and the ratio is noise-bound
  const c = makeCase({
    D: 1,
    H: 1,
    K: 1,
    T: 3,
    loss: 'squared',
    tokens: false,
    seed: 7,
    withH0: false,
    nullRate: 0,
    scale: 1.5,
  });
  const r = gradCheck(paramsOf(c), inputsOf(c), c.y, { loss: 'squared' });
  const u3 = r.steps.find((x) => x.name === 'U' && x.t === 3);
  assert.ok(r.pass && u3 && u3.passedBy === 'noise' && u3.relError > r.tol && u3.analyticNorm < 1e-6);
  assert.match(formatReport(r, { allSteps: true }), /ok~\s+3\s+∇U/);
  // the same tiny summand made wrong by 1% is not within noise
  const p = paramsOf(c);
  const fw = forward(p, inputsOf(c), c.y, { loss: 'squared' });
  const g = backward(p, fw);
  const da = mat(3, 1, g.da.data.slice());
  da.data[2] *= 1.01;
  const bad = gradCheck(p, inputsOf(c), c.y, { loss: 'squared', grads: { ...g, da } });
  assert.equal(bad.steps.find((x) => x.name === 'U' && x.t === 3)?.pass, false);
});
