// Teacher forcing (src/model/teacher-forcing.ts): the gradient of the output-to-hidden model has no recursion through
// time, and it is the gradient of the teacher-forced loss (central differences, norm-wise ≤ 1e-7, random shapes).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  circleSequence,
  compareNumeric,
  initTf,
  mat,
  numericGradient,
  rng,
  TF_PARAM_NAMES,
  type TfParams,
  type TfSequence,
  tfBackward,
  tfForward,
  tfGradData,
  tfParamData,
} from '../src';

function randomCase(D: number, H: number, K: number, T: number, seed: number): { p: TfParams; s: TfSequence } {
  const r = rng(seed);
  const p = initTf({ inputSize: D, hiddenSize: H, outputSize: K, seed: seed + 1, scale: 1.2 });
  p.b.forEach((_, i, a) => (a[i] = 0.3 * r.normal()));
  const s = {
    x: mat(
      T,
      D,
      Float64Array.from({ length: T * D }, () => r.normal()),
    ),
    y: mat(
      T + 1,
      K,
      Float64Array.from({ length: (T + 1) * K }, () => r.normal()),
    ),
  };
  return { p, s };
}

test('the teacher-forced gradient matches central differences of the loss on random shapes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 1e6 }),
      (D, H, K, T, seed) => {
        const { p, s } = randomCase(D, H, K, T, seed);
        const g = tfBackward(p, s, tfForward(p, s));
        for (const name of TF_PARAM_NAMES) {
          const num = numericGradient(
            (v) => {
              const q = {
                ...p,
                [name]: name === 'b' || name === 'c' ? v : mat(p[name].rows, p[name].cols, v),
              } as TfParams;
              return tfForward(q, s).loss;
            },
            tfParamData(p, name),
          );
          const c = compareNumeric(tfGradData(g, name), num);
          assert.ok(
            c.pass || c.maxAbsDiff < 1e-9 /* a gradient at rounding level (e.g. a saturated unit) */,
            `${name}: rel ${c.relError} (D ${D} H ${H} K ${K} T ${T} seed ${seed})`,
          );
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('no recursion through time: ∇h(t) L = Vᵀ ∇o(t) L at every step; changing a target y(t−1) moves only L(t)', () => {
  const { p, s } = randomCase(2, 3, 2, 6, 7);
  const fw = tfForward(p, s);
  const g = tfBackward(p, s, fw);
  for (let t = 0; t < 6; t++) {
    for (let i = 0; i < 3; i++) {
      let want = 0;
      for (let k = 0; k < 2; k++) want += p.V.data[k * 3 + i] * (fw.o.data[t * 2 + k] - s.y.data[(t + 1) * 2 + k]);
      assert.equal(g.dh.data[t * 3 + i], want);
    }
  }
  const moved = { x: s.x, y: mat(7, 2, s.y.data.slice()) };
  moved.y.data[2 * 2] += 0.1; // y(2): the target of step 2 and what step 3 is fed
  const after = tfForward(p, moved);
  const changed = Array.from(after.losses)
    .map((l, t) => (l !== fw.losses[t] ? t + 1 : 0))
    .filter((t) => t > 0);
  assert.deepEqual(changed, [2, 3]);
});

test('free running feeds o(t−1); its gradient is refused with a clear error; bad shapes are named', () => {
  const p = initTf({ inputSize: 1, hiddenSize: 4, outputSize: 2, seed: 3 });
  const s = circleSequence(rng(1), 5, 12);
  const free = tfForward(p, s, 'free');
  for (let t = 1; t < 5; t++)
    assert.deepEqual(
      Array.from(free.fed.data.subarray(t * 2, t * 2 + 2)),
      Array.from(free.o.data.subarray((t - 1) * 2, t * 2)),
    );
  assert.throws(() => tfBackward(p, s, free), /tfBackward differentiates the teacher-forced pass/);
  assert.throws(
    () => tfForward({ ...p, W: mat(4, 3) }, s),
    /W in a\(t\) = b \+ W y\(t-1\) \+ U x\(t\).* must be H×K = 4×2, got 4×3/,
  );
});
