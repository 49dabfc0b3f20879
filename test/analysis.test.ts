// Jacobian products, singular values, per-step gradient norms and tanh saturation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as math from 'mathjs';
import { close as agree } from '../src/model/agree';
import { backward, forward } from '../src/model/engine';
import { initParams, type Params } from '../src/model/params';
import { randn, rng } from '../src/model/rng';
import { fromRows, type Mat, mat, matMul, norm, row, toRows, transpose } from '../src/model/tensor';
import {
  frobeniusNorm,
  gradientNorms,
  jacobianNorms,
  jacobianProduct,
  saturation,
  singularValues,
  spectralNorm,
  spectralRadius,
} from '../src/teach/analysis';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(agree(a, b, tol), `${what}: ${a} vs ${b}`);

/** σ_i = √λ_i(AᵀA) by mathjs's eigensolver (fine as an oracle for well-conditioned small matrices). */
function mathjsSingularValues(A: Mat): number[] {
  const AtA = toRows(matMul(transpose(A), A));
  const ev = (math.eigs(AtA).values as number[]).map((v) => Math.sqrt(Math.max(0, v)));
  return ev.sort((a, b) => b - a).slice(0, Math.min(A.rows, A.cols));
}

test('singular values (one-sided Jacobi) match mathjs eigs of WᵀW on random square and rectangular matrices', () => {
  const r = rng(4);
  for (const [m, n] of [
    [1, 1],
    [2, 2],
    [5, 5],
    [8, 8],
    [3, 6],
    [6, 3],
    [7, 2],
  ]) {
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
  assert.deepEqual(
    Array.from(
      singularValues(
        fromRows([
          [0, 0, -3],
          [0, 2, 0],
          [0.5, 0, 0],
        ]),
      ),
    ).map((v) => +v.toFixed(12)),
    [3, 2, 0.5],
  );
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  singularValues(
    fromRows([
      [c, -s],
      [s, c],
    ]),
  ).forEach((v) => close(v, 1, 1e-14, 'rotation'));
  const rank1 = fromRows([
    [1, 2, 3],
    [2, 4, 6],
    [-1, -2, -3],
  ]);
  const sv = singularValues(rank1);
  close(sv[0], Math.sqrt(6) * Math.sqrt(14), 1e-13, 'rank one σ1 = ‖u‖‖v‖');
  assert.ok(sv[1] < 1e-12 && sv[2] < 1e-12, `the rest are zero: ${Array.from(sv)}`);
  assert.deepEqual(Array.from(singularValues(mat(2, 3))), [0, 0]);
  close(
    spectralNorm(
      fromRows([
        [3, 0],
        [4, 0],
      ]),
    ),
    5,
    1e-15,
    'spectral norm',
  );
  close(
    frobeniusNorm(
      fromRows([
        [1, 2],
        [2, 4],
      ]),
    ),
    5,
    1e-15,
    'Frobenius norm',
  );
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
  for (const [t, k] of [
    [7, 0],
    [7, 4],
    [5, 2],
    [3, 2],
  ]) {
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
      for (let i = 0; i < 4; i++)
        close(J.data[i * 4 + j], (plus[i] - minus[i]) / (2 * eps), 1e-8, `∂h(${t})_${i}/∂h(${k})_${j}`);
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
  n.spectral.forEach((v, lag) => assert.ok(v <= smax ** lag * (1 + 1e-12), `lag ${lag}: ${v} > ${smax}^${lag}`));
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

  const h = fromRows([
    [0.995, 0.1, -0.999, 0],
    [0.5, -0.991, 0.2, 0.3],
  ]);
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

/**
 * A non-normal matrix with a spectrum chosen in advance: A = S B S⁻¹ with B block diagonal (real eigenvalues, and
 * 2×2 blocks r·[cos θ, −sin θ; sin θ, cos θ] for complex pairs r e^{±iθ}) and S random, inverted by mathjs.
 */
function withSpectrum(blocks: ({ real: number } | { r: number; theta: number })[], seed: number): Mat {
  const n = blocks.reduce((k, b) => k + ('real' in b ? 1 : 2), 0);
  const B = mat(n, n);
  let i = 0;
  for (const b of blocks) {
    if ('real' in b) {
      B.data[i * n + i] = b.real;
      i += 1;
    } else {
      const [c, s] = [b.r * Math.cos(b.theta), b.r * Math.sin(b.theta)];
      B.data[i * n + i] = c;
      B.data[i * n + i + 1] = -s;
      B.data[(i + 1) * n + i] = s;
      B.data[(i + 1) * n + i + 1] = c;
      i += 2;
    }
  }
  const S = randn(n, n, 1, rng(seed));
  const Sinv = fromRows(math.inv(toRows(S)) as number[][]);
  return matMul(matMul(S, B), Sinv);
}

test('spectral radius (Gelfand, by squaring) of non-normal matrices built with known eigenvalues', () => {
  const cases: [({ real: number } | { r: number; theta: number })[], number][] = [
    [[{ real: 0.7 }], 0.7],
    [[{ real: -1.3 }, { real: 0.4 }], 1.3],
    [[{ r: 0.9, theta: 1.1 }, { real: 0.5 }], 0.9],
    [[{ real: 0.2 }, { r: 1.6, theta: 2.5 }, { real: -1.1 }, { r: 0.3, theta: 0.4 }], 1.6],
    [[{ r: 0.5, theta: 0.3 }, { r: 0.5, theta: 2.0 }, { real: -0.45 }], 0.5], // two pairs of the same modulus
    [[{ real: 2.5 }, { real: -2.5 }, { r: 1, theta: 1 }], 2.5],
  ];
  cases.forEach(([blocks, rho], j) => {
    for (const seed of [1, 2, 3]) {
      const A = withSpectrum(blocks, 10 * j + seed);
      close(spectralRadius(A), rho, 1e-9, `case ${j}, seed ${seed}: ρ`);
      assert.ok(spectralRadius(A) <= spectralNorm(A) * (1 + 1e-12), 'ρ ≤ σmax');
    }
  });
});

test('spectral radius of known matrices: rotation pair, Jordan block, nilpotent, normal vs non-normal, scaling', () => {
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  close(
    spectralRadius(
      fromRows([
        [0.9 * c, -0.9 * s],
        [0.9 * s, 0.9 * c],
      ]),
    ),
    0.9,
    1e-13,
    'a rotation scaled by 0.9: the eigenvalues 0.9 e^{±0.7i}',
  );
  close(
    spectralRadius(
      fromRows([
        [0.5, 1],
        [0, 0.5],
      ]),
    ),
    0.5,
    1e-9,
    'a Jordan block: ρ = 0.5 although ‖A‖ > 1',
  );
  assert.equal(
    spectralRadius(
      fromRows([
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
      ]),
    ),
    0,
    'nilpotent',
  );
  assert.equal(spectralRadius(mat(3, 3)), 0, 'zero');
  // a triangular matrix: the eigenvalues are the diagonal, whatever sits above it; here σmax is far above ρ
  const upper = fromRows([
    [0.3, 5, -2],
    [0, -0.8, 4],
    [0, 0, 0.1],
  ]);
  close(spectralRadius(upper), 0.8, 1e-9, 'triangular: ρ = max |diagonal|');
  assert.ok(spectralNorm(upper) > 5 * spectralRadius(upper), 'a non-normal matrix: σmax ≫ ρ');
  // symmetric (normal): ρ = σmax
  const sym = fromRows([
    [1, 2, 0],
    [2, -3, 1],
    [0, 1, 0.5],
  ]);
  close(spectralRadius(sym), spectralNorm(sym), 1e-12, 'symmetric: ρ = σmax');
  // a scaled cyclic permutation (orthogonal, so normal): every |λ| = σ = 1.5
  const P = mat(5, 5);
  for (let i = 0; i < 5; i++) P.data[i * 5 + ((i + 1) % 5)] = 1.5;
  close(spectralRadius(P), 1.5, 1e-13, '1.5 × a cyclic permutation');
  const A = randn(6, 6, 1, rng(3));
  close(
    spectralRadius(
      mat(
        6,
        6,
        A.data.map((v) => -3 * v),
      ),
    ),
    3 * spectralRadius(A),
    1e-12,
    'ρ(cA) = |c| ρ(A)',
  );
  close(spectralRadius(transpose(A)), spectralRadius(A), 1e-12, 'ρ(Aᵀ) = ρ(A)');
  assert.throws(() => spectralRadius(mat(2, 3)), /spectralRadius: the matrix must be square, got 2×3/);
});

test('saturation also reports the geometric mean of the tanh slopes 1 − h²', () => {
  const h = fromRows([
    [0, 0.5],
    [0.9, -0.3],
  ]);
  const slopes = [1, 0.75, 1 - 0.81, 1 - 0.09];
  const want = Math.exp(slopes.reduce((a, v) => a + Math.log(v), 0) / 4);
  close(saturation({ h }).slopeGeometricMean, want, 1e-15, 'geometric mean of the slopes');
  assert.equal(saturation({ h: mat(3, 0) }).slopeGeometricMean, 1, 'no units: the empty product, 1');
});
