// The sampling distribution softmax(o / temperature), held against two computations that do not divide o by the
// temperature: powers of the model's own ŷ(t), and the forward pass of a model whose V and c are divided instead.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { close as agree } from '../src/model/agree';
import { forward } from '../src/model/engine';
import { initParams } from '../src/model/params';
import { rng } from '../src/model/rng';
import { mat, row } from '../src/model/tensor';
import { drawToken, entropy, temperatureSoftmax } from '../src/train/sample';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(agree(a, b, tol), `${what}: ${a} vs ${b}`);

const TEMPERATURES = [0.1, 0.5, 1, 1.5, 3];

test("softmax(o / temperature) = ŷ^(1/temperature) renormalised, where ŷ = softmax(o) is the engine's eq 10.11", () => {
  const p = initParams({ inputSize: 5, hiddenSize: 4, outputSize: 5, seed: 3, scale: 2, biasStd: 0.5 });
  const fw = forward(p, [0, 3, 1, 4], [null, null, null, null]);
  for (let t = 0; t < fw.T; t++) {
    const o = row(fw.o, t);
    const yhat = row(fw.yhat, t);
    for (const temp of TEMPERATURES) {
      const powered = Array.from(yhat, (v) => v ** (1 / temp));
      const z = powered.reduce((a, b) => a + b, 0);
      temperatureSoftmax(o, temp).forEach((v, k) =>
        close(v, powered[k] / z, 1e-12, `t = ${t + 1}, temperature ${temp}, k = ${k}`),
      );
    }
  }
});

test('softmax(o / temperature) is the ŷ of the same model with V and c divided by the temperature', () => {
  const p = initParams({ inputSize: 4, hiddenSize: 3, outputSize: 4, seed: 8, scale: 1.5, biasStd: 0.3 });
  const xs = [2, 0, 3];
  const ys = [null, null, null];
  const fw = forward(p, xs, ys);
  for (const temp of TEMPERATURES) {
    const cooled = {
      ...p,
      V: mat(
        p.V.rows,
        p.V.cols,
        p.V.data.map((v) => v / temp),
      ),
      c: p.c.map((v) => v / temp),
    };
    const fwT = forward(cooled, xs, ys);
    for (let t = 0; t < fw.T; t++) {
      temperatureSoftmax(row(fw.o, t), temp).forEach((v, k) =>
        close(v, row(fwT.yhat, t)[k], 1e-12, `temperature ${temp}, t = ${t + 1}, k = ${k}`),
      );
    }
  }
});

test(
  'lower temperature is sharper (lower entropy, larger top probability), higher is flatter; the order of the ' +
    'scores never changes',
  () => {
    const o = [0.3, 2.1, -1, 1.7, 0.9];
    const dists = TEMPERATURES.map((t) => temperatureSoftmax(o, t));
    for (let i = 1; i < dists.length; i++) {
      assert.ok(
        entropy(dists[i]) > entropy(dists[i - 1]),
        `entropy grows with the temperature (${TEMPERATURES[i - 1]} → ${TEMPERATURES[i]})`,
      );
      assert.ok(
        Math.max(...dists[i]) < Math.max(...dists[i - 1]),
        'the top probability falls as the temperature rises',
      );
    }
    const rank = (p: ArrayLike<number>): number[] => Array.from(p, (_, k) => k).sort((a, b) => p[b] - p[a]);
    for (const d of dists) assert.deepEqual(rank(d), rank(o), 'the same ranking at every temperature');
    for (const d of dists)
      close(
        d.reduce((a, b) => a + b, 0),
        1,
        1e-15,
        'sums to 1',
      );
    assert.deepEqual(Array.from(temperatureSoftmax(o, 0)), [0, 1, 0, 0, 0], 'temperature 0: all mass on argmax');
    assert.deepEqual(Array.from(temperatureSoftmax([1, 3, 3], 0)), [0, 1, 0], 'ties: the first maximum');
    assert.ok(temperatureSoftmax(o, 1e-6)[1] === 1, 'a tiny temperature: argmax, without overflow');
    temperatureSoftmax(o, 1e6).forEach((v) => close(v, 1 / o.length, 1e-6, 'a huge temperature: nearly uniform'));
    close(entropy([0.25, 0.25, 0.25, 0.25]), Math.log(4), 1e-15, 'uniform: log K');
    assert.equal(entropy([0, 1, 0]), 0, 'certain: 0');
    assert.throws(() => temperatureSoftmax(o, -1), /temperature must be a finite number > 0/);
    assert.throws(() => temperatureSoftmax([], 1), /o must hold at least one score/);
  },
);

test('drawToken draws from temperatureSoftmax: frequencies at temperature 0.5 match it', () => {
  const o = [1, 3, 2];
  const p = temperatureSoftmax(o, 0.5);
  const r = rng(4);
  const counts = [0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[drawToken(o, 0.5, r)]++;
  // binomial standard deviation √(p(1−p)/N) ≤ 0.0036: a margin of 0.015 is over four of them
  p.forEach((v, k) => assert.ok(Math.abs(counts[k] / N - v) < 0.015, `frequency of ${k}: ${counts[k] / N} vs ${v}`));
});
