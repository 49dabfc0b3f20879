// The notebooks' independent checks: nudge o(t), h(t), a(t) or one per-step parameter copy, rerun the forward pass
// from there, and compare with the formula norm-wise (‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12) ≤ 1e-7). Each check must pass
// for the right formula and fail for the classic wrong ones, or it checks nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backward,
  compareNumeric,
  expectFiniteDiff,
  expectFiniteDiffs,
  type Forward,
  forward,
  type Grads,
  lossAfterH,
  lossesAfterH,
  matTVec,
  matVec,
  nextState,
  numericGradA,
  numericGradH,
  numericGradient,
  numericGradO,
  numericJacobian,
  numericParamGrad,
  numericStepJacobian,
  type Params,
  row,
  stepContribution,
  toRows,
} from '../src';
import { close as agree } from '../src/model/agree';
import type { CaseSpec } from './helpers';
import { inputsOf, makeCase, paramsOf } from './helpers';

interface Run {
  p: Params;
  xs: ReturnType<typeof inputsOf>;
  ys: ReturnType<typeof makeCase>['y'];
  loss: 'softmax-ce' | 'squared';
  h0?: number[];
  fw: Forward;
  g: Grads;
}

function run(spec: CaseSpec): Run {
  const c = makeCase(spec);
  const p = paramsOf(c);
  const xs = inputsOf(c);
  const fw = forward(p, xs, c.y, { loss: c.loss, h0: c.h0 });
  return { p, xs, ys: c.y, loss: c.loss, h0: c.h0, fw, g: backward(p, fw) };
}

const SPECS: CaseSpec[] = [
  { D: 4, H: 3, K: 4, T: 5, loss: 'softmax-ce', tokens: true, seed: 3, withH0: true, nullRate: 0 },
  { D: 3, H: 4, K: 2, T: 6, loss: 'squared', tokens: false, seed: 8, withH0: true, nullRate: 0.3 },
  { D: 2, H: 1, K: 3, T: 1, loss: 'softmax-ce', tokens: false, seed: 5, withH0: false, nullRate: 0 },
];

const agrees = (a: ArrayLike<number>, n: ArrayLike<number>, what: string): void => {
  const c = compareNumeric(a, n);
  assert.ok(c.pass, `${what}: ‖a − n‖/(‖a‖ + ‖n‖) = ${c.relError}`);
};
const disagrees = (a: ArrayLike<number>, n: ArrayLike<number>, what: string): void => {
  const c = compareNumeric(a, n);
  assert.ok(c.relError > 1e-3, `${what} should fail the check, but ‖a − n‖/(‖a‖ + ‖n‖) = ${c.relError}`);
};

/** H(t) v, the diagonal of the tanh Jacobian at step t applied to v. */
const timesH = (r: Run, t: number, v: ArrayLike<number>): Float64Array =>
  Float64Array.from(row(r.fw.hAll, t), (h, i) => (1 - h * h) * v[i]);

describe('nudging h(t), a(t), o(t): the backward pass agrees with the rerun forward pass', () => {
  for (const spec of SPECS) {
    test(`${spec.loss}, ${spec.tokens ? 'tokens' : 'real inputs'}, n_h = ${spec.H}, τ = ${spec.T}`, () => {
      const r = run(spec);
      const { T } = r.fw;
      for (let t = 1; t <= T; t++) {
        agrees(row(r.g.dO, t - 1), numericGradO(r.fw, t), `∇o(${t}) L (eq 10.18)`);
        agrees(row(r.g.dh, t - 1), numericGradH(r.p, r.fw, t), `∇h(${t}) L (eqs 10.19–10.21)`);
        agrees(row(r.g.da, t - 1), numericGradA(r.p, r.fw, t), `∇a(${t}) L = H(${t}) ∇h(${t}) L`);
      }
      agrees(r.g.dh0, numericGradH(r.p, r.fw, 0), '∇h(0) L');
      agrees(row(r.g.dh, T - 1), numericGradH(r.p, r.fw, T, { stencil: 2 }), `∇h(τ) L with the 2-point stencil`);
    });
  }
});

describe('the two paths of eq 10.20, each on its own', () => {
  test('L(t) alone gives Vᵀ ∇o(t) L; L(t+1) … L(τ) give Wᵀ H(t+1) ∇h(t+1) L; they add up to ∇h(t) L', () => {
    const r = run(SPECS[0]);
    for (let t = 1; t < r.fw.T; t++) {
      const fromOutput = matTVec(r.p.V, row(r.g.dO, t - 1));
      const fromFuture = matTVec(r.p.W, timesH(r, t + 1, row(r.g.dh, t)));
      agrees(fromOutput, numericGradH(r.p, r.fw, t, { from: t, to: t }), `Vᵀ ∇o(${t}) L`);
      agrees(fromFuture, numericGradH(r.p, r.fw, t, { from: t + 1 }), `Wᵀ H(${t + 1}) ∇h(${t + 1}) L`);
    }
  });
  test('one term of the unrolled sum: L(s) alone reaches h(t) through Wᵀ H(t+1) ⋯ Wᵀ H(s) Vᵀ ∇o(s) L', () => {
    const r = run(SPECS[0]);
    const [t, s] = [1, 4];
    let v = matTVec(r.p.V, row(r.g.dO, s - 1));
    for (let j = s; j >= t + 1; j--) v = matTVec(r.p.W, timesH(r, j, v)); // applied to the vector right to left
    agrees(v, numericGradH(r.p, r.fw, t, { from: s, to: s }), `term s = ${s} at t = ${t}`);
  });
});

describe('a wrong formula fails the check', () => {
  const r = run(SPECS[0]);
  const t = 2;
  const dhNext = row(r.g.dh, t);
  const fromOutput = matTVec(r.p.V, row(r.g.dO, t - 1));
  const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v + b[i]);
  const numeric = numericGradH(r.p, r.fw, t);
  test('H(t) for H(t+1) in eq 10.21', () => {
    disagrees(add(matTVec(r.p.W, timesH(r, t, dhNext)), fromOutput), numeric, 'Wᵀ H(t) ∇h(t+1) L + Vᵀ ∇o(t) L');
  });
  test("tanh' applied after Wᵀ: H(t+1) Wᵀ ∇h(t+1) L (the checker's dtanh-after-W)", () => {
    disagrees(add(timesH(r, t + 1, matTVec(r.p.W, dhNext)), fromOutput), numeric, 'H(t+1) Wᵀ ∇h(t+1) L + Vᵀ ∇o(t) L');
  });
  test('W for Wᵀ, and ∇h(t+1) L not carried', () => {
    disagrees(add(matVec(r.p.W, timesH(r, t + 1, dhNext)), fromOutput), numeric, 'W H(t+1) ∇h(t+1) L + Vᵀ ∇o(t) L');
    disagrees(fromOutput, numeric, 'Vᵀ ∇o(t) L alone');
  });
  test("∇a(t) L without tanh': ∇h(t) L", () => {
    disagrees(row(r.g.dh, t - 1), numericGradA(r.p, r.fw, t), '∇h(t) L as ∇a(t) L');
  });
  test('the step Jacobian: diag(1 − h(t+1)²) W passes; diag(1 − h(t)²) W and W diag(1 − h(t+1)²) fail', () => {
    const J = numericStepJacobian(r.p, r.fw, t);
    const Wr = toRows(r.p.W);
    const d = (s: number) => Array.from(row(r.fw.hAll, s), (h) => 1 - h * h);
    const [next, here] = [d(t + 1), d(t)];
    agrees(
      J.data,
      Wr.flatMap((w, i) => w.map((v) => next[i] * v)),
      'diag(1 − h(t+1)²) W',
    );
    disagrees(
      J.data,
      Wr.flatMap((w, i) => w.map((v) => here[i] * v)),
      'diag(1 − h(t)²) W',
    );
    disagrees(
      J.data,
      Wr.flatMap((w) => w.map((v, j) => v * next[j])),
      'W diag(1 − h(t+1)²)',
    );
  });
});

describe('per-step parameter copies (eqs 10.22–10.28)', () => {
  for (const spec of SPECS.slice(0, 2)) {
    test(`every summand and every sum, ${spec.loss}`, () => {
      const r = run(spec);
      const opts = { loss: r.loss, h0: r.h0 };
      for (let t = 1; t <= r.fw.T; t++) {
        const c = stepContribution(r.p, r.fw, r.g, t);
        const terms = { U: c.dU.data, W: c.dW.data, V: c.dV.data, b: c.db, c: c.dc };
        for (const [name, term] of Object.entries(terms)) {
          agrees(term, numericParamGrad(r.p, r.xs, r.ys, name as 'U', { ...opts, at: t }), `∇${name}(${t}) L`);
        }
      }
      const whole = { U: r.g.dU.data, W: r.g.dW.data, V: r.g.dV.data, b: r.g.db, c: r.g.dc, h0: r.g.dh0 };
      for (const [name, grad] of Object.entries(whole))
        agrees(grad, numericParamGrad(r.p, r.xs, r.ys, name as 'U', opts), `∇${name} L`);
    });
  }
  test('h(t) for h(t−1) in the step term of eqs 10.25–10.26 fails', () => {
    const r = run(SPECS[0]);
    const t = 3;
    const da = row(r.g.da, t - 1);
    const h = row(r.fw.h, t - 1);
    const wrong = Float64Array.from(
      { length: da.length * h.length },
      (_, k) => da[Math.floor(k / h.length)] * h[k % h.length],
    );
    disagrees(wrong, numericParamGrad(r.p, r.xs, r.ys, 'W', { loss: r.loss, h0: r.h0, at: t }), 'H(t) ∇h(t) L h(t)ᵀ');
  });
  test('a truncated gradient is checked against the loss with the state held at chunk starts', () => {
    const spec = { ...SPECS[0], T: 6 };
    const c = makeCase(spec);
    const p = paramsOf(c);
    const fw = forward(p, inputsOf(c), c.y, { h0: c.h0 });
    const g = backward(p, fw, { truncate: 2 });
    agrees(g.dW.data, numericParamGrad(p, inputsOf(c), c.y, 'W', { h0: c.h0, truncate: 2 }), 'truncated ∇W L');
  });
});

describe('the pieces', () => {
  test('lossesAfterH with the unchanged h(t) reproduces every L(s); the losses before t never change', () => {
    const r = run(SPECS[1]);
    for (let t = 0; t <= r.fw.T; t++) {
      const L = lossesAfterH(r.p, r.fw, t, row(r.fw.hAll, t));
      L.forEach((v, i) => assert.ok(agree(v, r.fw.losses[i], 1e-12), `t = ${t}, L(${i + 1})`));
      const moved = lossesAfterH(
        r.p,
        r.fw,
        t,
        Array.from(row(r.fw.hAll, t), (v) => v + 0.1),
      );
      for (let s = 1; s < t; s++) assert.equal(moved[s - 1], r.fw.losses[s - 1]);
    }
    assert.ok(Math.abs(lossAfterH(r.p, r.fw, 0, r.fw.h0) - r.fw.loss) <= 1e-12 * r.fw.loss);
  });
  test('nextState reproduces h(t+1)', () => {
    const r = run(SPECS[0]);
    for (let t = 0; t < r.fw.T; t++)
      agrees(nextState(r.p, r.fw, t, row(r.fw.hAll, t)), row(r.fw.hAll, t + 1), `h(${t + 1})`);
  });
  test('numericJacobian of x ↦ A x is A (m×n, rows are outputs); numericGradient of a quadratic', () => {
    const A = [
      [1, 2, 3],
      [-1, 0.5, 4],
    ];
    const J = numericJacobian((x) => A.map((r) => r.reduce((s, a, j) => s + a * x[j], 0)), [0.3, -0.2, 0.7]);
    assert.deepEqual([J.rows, J.cols], [2, 3]);
    agrees(J.data, A.flat(), 'J');
    agrees(
      numericGradient((x) => x[0] * x[0] + 3 * x[1], [2, 5], { stencil: 2 }),
      [4, 3],
      '∇(x₀² + 3x₁)',
    );
  });
  test('compareNumeric: exact zeros agree; lengths must match', () => {
    assert.deepEqual(compareNumeric([0, 0], [0, 0]).relError, 0);
    assert.throws(() => compareNumeric([1], [1, 2]), /1 numbers, the differences 2/);
  });
  test('bad input is a one-line error naming the step, the range and the sizes', () => {
    const r = run(SPECS[0]);
    assert.throws(() => numericGradH(r.p, r.fw, 6), /step t must be an integer in 0\.\.5 \(τ = 5\), got 6/);
    assert.throws(() => numericGradA(r.p, r.fw, 0), /in 1\.\.5/);
    assert.throws(() => lossesAfterH(r.p, r.fw, 1, [1, 2]), /h\(1\)/);
    assert.throws(() => nextState(r.p, r.fw, 5, row(r.fw.h, 4)), /no h\(6\)/);
    assert.throws(() => numericGradH(r.p, r.fw, 1, { from: 3, to: 2 }), /1 ≤ from ≤ to ≤ τ = 5/);
    assert.throws(() => numericGradO(r.fw, 1, { stencil: 3 as 2 }), /stencil must be 2 or 4/);
    assert.throws(
      () => numericParamGrad(r.p, r.xs, r.ys, 'W', { at: 9 }),
      /at \(the step t of the copy\) must be an integer in 1\.\.5/,
    );
    assert.throws(() => numericParamGrad(r.p, r.xs, r.ys, 'h0', { at: 1 }), /no per-step copies/);
  });
});

describe("the notebooks' display of a check", () => {
  /** What the helpers print outside a kernel (the text/plain of each output). */
  const printed = (f: () => void): string => {
    const log = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      f();
    } finally {
      console.log = log;
    }
    return lines.join('\n');
  };
  const r = run(SPECS[0]);
  const numeric = numericGradH(r.p, r.fw, 2);
  test('expectFiniteDiff shows both vectors and the relative error, and throws on a wrong formula', () => {
    const out = printed(() => expectFiniteDiff('eq 10.21 at t = 2', row(r.g.dh, 1), numeric));
    assert.match(out, /formula\s+central differences/);
    assert.match(out, /✓ eq 10\.21 at t = 2: ‖a − n‖\/\(‖a‖ \+ ‖n‖\) = \d\.\de-\d+ ≤ 1e-7/);
    const wrong = matTVec(r.p.V, row(r.g.dO, 1));
    assert.throws(
      () => printed(() => expectFiniteDiff('eq 10.21 at t = 2', wrong, numeric)),
      /disagree: ‖a − n‖\/\(‖a‖ \+ ‖n‖\) = .* > 1e-7/,
    );
  });
  test('expectFiniteDiffs names every failing row', () => {
    const rows = [
      { label: '∇h(2) L', analytic: row(r.g.dh, 1), numeric },
      { label: 'wrong', analytic: row(r.g.dh, 0), numeric },
    ];
    assert.throws(() => printed(() => expectFiniteDiffs('two rows', rows)), /two rows: wrong \(/);
    assert.match(
      printed(() => expectFiniteDiffs('one row', rows.slice(0, 1))),
      /✓ one row: all 1 agree/,
    );
  });
});
