// The mathjs reference: each equation on numbers small enough to check by hand, and tanh' = 1 − tanh² symbolically.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reference as R } from '../src';

const v = (...x: number[]) => R.math.matrix(x);
const m = (rows: number[][]) => R.math.matrix(rows);
const arr = (x: { toArray(): unknown }) => x.toArray() as number[];
const close = (a: number[], b: number[], tol = 1e-15) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol, `${a} vs ${b}`));

test('d/dx tanh(x) = 1 − tanh(x)² symbolically (mathjs derivative, rewritten in u = e^x)', () => {
  const r = R.tanhDerivativeCheck();
  assert.equal(r.derivative, 'sech(x) ^ 2');
  assert.ok(r.holds, r.difference);
  assert.match(r.difference, /^0 \//);
  assert.ok(r.maxNumericGap < 1e-15);
});

test('eq 10.8 a(t) = b + W h(t−1) + U x(t) and eq 10.9 h(t) = tanh(a(t)) on a 2-unit case', () => {
  const a = R.eq10_8_a(
    v(0.1, -0.2),
    m([
      [1, 2],
      [3, 4],
    ]),
    v(0.5, -0.5),
    m([
      [2, 0, 1],
      [0, 1, 0],
    ]),
    v(1, 2, 3),
  );
  close(arr(a), [0.1 + (0.5 - 1) + (2 + 3), -0.2 + (1.5 - 2) + 2]); // [4.6, 1.3]
  close(arr(R.eq10_9_h(a)), [Math.tanh(4.6), Math.tanh(1.3)]);
});

test('eq 10.10 o(t) = c + V h(t); eq 10.11 softmax sums to 1; eq 10.18 ∇o = ŷ − 1_y', () => {
  const o = R.eq10_10_o(
    v(1, 0, -1),
    m([
      [1, 0],
      [0, 1],
      [1, 1],
    ]),
    v(0.5, 0.25),
  );
  close(arr(o), [1.5, 0.25, -0.25]);
  const yhat = R.eq10_11_yhat(o);
  const e = [Math.exp(1.5), Math.exp(0.25), Math.exp(-0.25)];
  const s = e[0] + e[1] + e[2];
  close(
    arr(yhat),
    e.map((x) => x / s),
  );
  close(arr(R.eq10_18_dO(yhat, 1)), [e[0] / s, e[1] / s - 1, e[2] / s]);
  assert.ok(Math.abs(R.lossCE(yhat, 1) - (Math.log(s) - 0.25)) < 1e-15);
  assert.equal(R.lossSquared(v(1, 2), v(0, 0)), 2.5);
});

test('H(t) = diag(1 − h²); eq 10.19 ∇h(τ) = V^T ∇o(τ); eq 10.21 adds W^T H(t+1) ∇h(t+1)', () => {
  close(R.tanhJacobian(v(0.5, -0.1)).toArray().flat() as number[], [0.75, 0, 0, 0.99]);
  const V = m([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  close(arr(R.eq10_19_dhLast(V, v(1, 0, -1))), [-4, -4]);
  const W = m([
    [0, 1],
    [2, 0],
  ]); // non-symmetric, so a missing transpose shows
  const dh = R.eq10_21_dh(W, v(0.5, 0), v(1, 1), V, v(1, 0, -1));
  // W^T H(t+1) ∇h(t+1) = [[0,2],[1,0]] · [0.75, 1] = [2, 0.75]; plus V^T ∇o(t) = [−4, −4]
  close(arr(dh), [-2, -3.25]);
});

test('eqs 10.22–10.28: each gradient is a sum over t of its step summands', () => {
  const h = [v(0.5, 0), v(0, -0.5)];
  const hPrev = [v(0, 0), v(0.5, 0)];
  const dh = [v(1, 2), v(3, 4)];
  const dO = [v(1, -1), v(2, 0)];
  const x = [v(1), v(2)];
  close(arr(R.eq10_22_dc(dO)), [3, -1]);
  close(arr(R.eq10_23_db(h, dh)), [0.75 * 1 + 1 * 3, 1 * 2 + 0.75 * 4]);
  close(R.eq10_24_dV(dO, h).toArray().flat() as number[], [0.5 + 0, 0 + 2 * -0.5, -0.5, 0]);
  close(R.eq10_26_dW(h, dh, hPrev).toArray().flat() as number[], [3 * 0.5, 0, 3 * 0.5, 0]);
  close(R.eq10_28_dU(h, dh, x).toArray().flat() as number[], [0.75 + 6, 2 + 6]);
});
