// Jacobian products, singular values, per-step gradient norms and tanh saturation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as math from 'mathjs';
import { frobeniusNorm, gradientNorms, jacobianNorms, jacobianProduct, saturation, singularValues, spectralNorm } from '../src/analysis';
import { Params, backward, forward, initParams } from '../src/rnn';
import { Mat, fromRows, matMul, mat, norm, randn, rng, row, toRows, transpose } from '../src/tensor';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);

/** σ_i = √λ_i(AᵀA) by mathjs's eigensolver (fine as an oracle for well-conditioned small matrices). */
function mathjsSingularValues(A: Mat): number[] {
  const AtA = toRows(matMul(transpose(A), A));
  const ev = (math.eigs(AtA).values as number[]).map((v) => Math.sqrt(Math.max(0, v)));
  return ev.sort((a, b) => b - a).slice(0, Math.min(A.rows, A.cols));
}

test('singular values (one-sided Jacobi) agree with mathjs eigs of WᵀW on random square and rectangular matrices', () => {
  const r = rng(4);
  for (const [m, n] of [[1, 1], [2, 2], [5, 5], [8, 8], [3, 6], [6, 3], [7, 2]]) {
    for (let rep = 0; rep < 3; rep++) {
      const A = randn(m, n, 1, r);
      const ours = singularValues(A);
      const ref = mathjsSingularValues(n <= m ? A : transpose(A));
      assert.equal(ours.length, Math.min(m, n));
      ours.forEach((s, i) => close(s, ref[i], 1e-9, `${m}×${n} σ${i}`));
      for (let i = 1; i < ours.length; i++) assert.ok(ours[i - 1] >= ours[i], 'sorted largest first');
    }
  }
});

test('singular values of known matrices: diagonal, orthogonal, rank one, zero', () => {
  assert.deepEqual(Array.from(singularValues(fromRows([[0, 0, -3], [0, 2, 0], [0.5, 0, 0]]))).map((v) => +v.toFixed(12)), [3, 2, 0.5]);
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  singularValues(fromRows([[c, -s], [s, c]])).forEach((v) => close(v, 1, 1e-14, 'rotation'));
  const rank1 = fromRows([[1, 2, 3], [2, 4, 6], [-1, -2, -3]]);
  const sv = singularValues(rank1);
  close(sv[0], Math.sqrt(6) * Math.sqrt(14), 1e-13, 'rank one σ1 = ‖u‖‖v‖');
  assert.ok(sv[1] < 1e-12 && sv[2] < 1e-12, `the rest are zero: ${Array.from(sv)}`);
  assert.deepEqual(Array.from(singularValues(mat(2, 3))), [0, 0]);
  close(spectralNorm(fromRows([[3, 0], [4, 0]])), 5, 1e-15, 'spectral norm');
  close(frobeniusNorm(fromRows([[1, 2], [2, 4]])), 5, 1e-15, 'Frobenius norm');
});

function setup(seed: number, T: number, scale = 1.2): { p: Params; tokens: number[]; ys: (number | null)[] } {
  const r = rng(seed);
  const p = initParams({ inputSize: 3, hiddenSize: 4, outputSize: 3, seed, scale, biasStd: 0.2 });
  return { p, tokens: Array.from({ length: T }, () => r.int(3)), ys: Array.from({ length: T }, () => r.int(3)) };
}

test('∂h(t)/∂h(k) matches central differences of h(t) with respect to h(k)', () => {
  const { p, tokens, ys } = setup(1, 7);
  const h0 = [0.2, -0.1, 0.3, 0.05];
  const fw = forward(p, tokens, ys, { h0 });
  for (const [t, k] of [[7, 0], [7, 4], [5, 2], [3, 2]]) {
    const J = jacobianProduct(p, fw, t, k);
    const hk = k === 0 ? Float64Array.from(h0) : row(fw.h, k - 1);
    const eps = 1e-6;
    for (let j = 0; j < 4; j++) {
      // h(t) as a function of h(k): run steps k+1..t from a perturbed h(k)
      const run = (d: number): Float64Array => {
        const start = hk.slice();
        start[j] += d;
        const f = forward(p, tokens.slice(k, t), ys.slice(k, t), { h0: start });
        return row(f.h, t - k - 1);
      };
      const [plus, minus] = [run(eps), run(-eps)];
      for (let i = 0; i < 4; i++) close(J.data[i * 4 + j], (plus[i] - minus[i]) / (2 * eps), 1e-8, `∂h(${t})_${i}/∂h(${k})_${j}`);
    }
  }
  assert.deepEqual(Array.from(jacobianProduct(p, fw, 3, 3).data), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.throws(() => jacobianProduct(p, fw, 3, 4), /k must be an integer in 0\.\.t = 0\.\.3, got 4/);
  assert.throws(() => jacobianProduct(p, fw, 8, 0), /t must be an integer in 0\.\.7/);
});

test('the Jacobian carries the gradient back: ∇h(k) L = (∂h(t)/∂h(k))ᵀ ∇h(t) L when only L(t) is scored', () => {
  const { p, tokens } = setup(2, 6);
  const ys: (number | null)[] = [null, null, null, null, null, 2];
  const fw = forward(p, tokens, ys);
  const g = backward(p, fw);
  const dhT = row(g.dh, 5);
  for (const k of [1, 3, 5]) {
    const J = jacobianProduct(p, fw, 6, k);
    const back = Array.from({ length: 4 }, (_, j) => [0, 1, 2, 3].reduce((s, i) => s + J.data[i * 4 + j] * dhT[i], 0));
    back.forEach((v, j) => close(v, row(g.dh, k - 1)[j], 1e-12, `∇h(${k})[${j}]`));
  }
});

test('jacobianNorms: one entry per lag, equal to the norms of jacobianProduct; small W makes them vanish', () => {
  const { p, tokens, ys } = setup(3, 8);
  const fw = forward(p, tokens, ys);
  const n = jacobianNorms(p, fw, 8);
  assert.deepEqual(n.lag, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  n.lag.forEach((lag, i) => {
    const J = jacobianProduct(p, fw, 8, 8 - lag);
    close(n.spectral[i], spectralNorm(J), 1e-12, `spectral at lag ${lag}`);
    close(n.frobenius[i], frobeniusNorm(J), 1e-12, `Frobenius at lag ${lag}`);
  });
  // each factor has norm ≤ σ_max(W) (tanh' ≤ 1), so the product is bounded by σ_max(W)^lag
  const smax = singularValues(p.W)[0];
  n.spectral.forEach((v, lag) => assert.ok(v <= Math.pow(smax, lag) * (1 + 1e-12), `lag ${lag}: ${v} > ${smax}^${lag}`));
  const small = setup(3, 20, 0.3);
  const fs = forward(small.p, small.tokens, small.ys);
  const ns = jacobianNorms(small.p, fs);
  assert.ok(ns.spectral[20] < 1e-8, `vanishes: ${ns.spectral[20]}`);
});

test('gradientNorms are ‖∇h(t) L‖ per step, and saturation counts |h| > threshold', () => {
  const { p, tokens, ys } = setup(4, 5);
  const fw = forward(p, tokens, ys);
  const g = backward(p, fw);
  const gn = gradientNorms(g);
  assert.equal(gn.length, 5);
  gn.forEach((v, t) => close(v, norm(row(g.dh, t)), 1e-15, `step ${t + 1}`));

  const h = fromRows([[0.995, 0.1, -0.999, 0], [0.5, -0.991, 0.2, 0.3]]);
  const s = saturation({ h }, 0.99);
  assert.equal(s.fraction, 3 / 8);
  assert.deepEqual(Array.from(s.perStep), [0.5, 0.25]);
  assert.deepEqual(Array.from(s.perUnit), [0.5, 0.5, 0.5, 0]);
  assert.equal(saturation({ h }, 0.998).fraction, 1 / 8);
  assert.throws(() => saturation({ h }, 1), /threshold must be in \(0, 1\)/);
  // large weights drive tanh into its tails
  const big = setup(5, 30, 6);
  assert.ok(saturation(forward(big.p, big.tokens, big.ys)).fraction > 0.5);
});
