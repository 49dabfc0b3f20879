// The worked example by hand (src/byhand.ts, chapter 9): every value it prints equals the 50-digit hand fixtures
// (test/fixtures/hand/) and the engine, each printed line's arithmetic is the one the fixture README writes out, and
// bad input is a clear error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { backward, forward, fromRows, type HandTarget, handMarkdown, handWorked, type Params } from '../src/index';
import { literal } from './helpers';

const HAND = path.join(__dirname, 'fixtures', 'hand');
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a) + Math.abs(b));
const allClose = (a: unknown, b: unknown): boolean => {
  const fa = [a].flat(2) as number[];
  const fb = [b].flat(2) as number[];
  return fa.length === fb.length && fa.every((v, i) => close(v, fb[i]));
};

interface Fixture {
  case: {
    loss: 'squared' | 'softmax-ce';
    params: Record<'U' | 'W' | 'V', number[][]> & Record<'b' | 'c', number[]>;
    x?: number[][];
    tokens?: number[];
    y: HandTarget[];
    h0?: number[];
    truncate?: number;
  };
  expected: {
    loss: number;
    h: number[][];
    o: number[][];
    grads: Record<'U' | 'W' | 'V', number[][]> & Record<'b' | 'c' | 'h0', number[]>;
  };
}

const load = (f: string): { p: Params; x: number[][]; fx: Fixture } => {
  const fx = JSON.parse(fs.readFileSync(path.join(HAND, f), 'utf8')) as Fixture;
  const P = fx.case.params;
  const p: Params = {
    U: fromRows(P.U),
    W: fromRows(P.W),
    V: fromRows(P.V),
    b: Float64Array.from(P.b),
    c: Float64Array.from(P.c),
  };
  const D = P.U[0].length;
  const x = fx.case.x ?? fx.case.tokens!.map((k) => Array.from({ length: D }, (_, j) => (j === k ? 1 : 0)));
  return { p, x, fx };
};

describe('the worked example by hand', () => {
  const files = fs
    .readdirSync(HAND)
    .filter((f) => f.endsWith('.json') && !JSON.parse(fs.readFileSync(path.join(HAND, f), 'utf8')).case.truncate);
  test('covers the hand fixtures without truncation (n_h = 1 and 2, both losses, a null target, h(0) ≠ 0)', () => {
    assert.ok(files.length >= 4, files.join(', '));
  });
  for (const f of files) {
    test(`${f}: loss, h, o and every gradient equal the 50-digit fixture and the engine`, () => {
      const { p, x, fx } = load(f);
      const w = handWorked(p, x, fx.case.y, { loss: fx.case.loss, h0: fx.case.h0 });
      const e = fx.expected;
      assert.ok(close(w.values.loss, e.loss));
      assert.ok(allClose(w.values.h, e.h));
      assert.ok(allClose(w.values.o, e.o));
      for (const k of ['U', 'W', 'V'] as const) assert.ok(allClose(w.values[`d${k}`], e.grads[k]), k);
      for (const k of ['b', 'c'] as const) assert.ok(allClose(w.values[`d${k}`], e.grads[k]), k);
      assert.ok(allClose(w.values.dh0, e.grads.h0), 'h0');
      const g = backward(p, forward(p, { x }, fx.case.y as never, { loss: fx.case.loss, h0: fx.case.h0 }));
      assert.ok(allClose(w.values.dh, Array.from(g.dh.data)), '∇h(t) L');
      assert.ok(allClose(w.values.da, Array.from(g.da.data)), '∇a(t) L');
    });
  }
  test('the lines write out the arithmetic of the fixture README (01, n_h = 1, τ = 2)', () => {
    const { p, x, fx } = load('01-scalar-squared.json');
    const w = handWorked(p, x, fx.case.y, { loss: 'squared' });
    const md = handMarkdown([...w.forward, ...w.backward, ...w.params]);
    // README: a(2) = 0 + 0.2310585786 + (−1); dL/dh(1) = 2·(−0.0758) + 0.5·dL/da(2); grads.W = 0 + (−0.9231)·0.4621
    assert.match(md, /&= 0 \+ 0\.5 \\cdot 0\.4621 \+ 1 \\cdot \(-1\) = -0\.7689/);
    assert.match(md, /&= 0\.5 \\cdot 0\.5823 \\cdot \(-1\.5853\) \+ 2 \\cdot \(-0\.0758\) = -0\.6131/);
    assert.match(
      md,
      literal(
        String.raw`\nabla_{W} L &= \nabla_{a^{(1)}} L \, h^{(0)} + \nabla_{a^{(2)}} L \, h^{(1)} ` +
          String.raw`= (-0.4821) \cdot 0 + (-0.9231) \cdot 0.4621 = -0.4266`,
      ),
    );
    assert.equal(w.backward[0].title, 'Step t = τ = 2: only the output path (eq 10.19)');
    assert.equal(w.forward.length, 3, 'two steps and the loss');
  });
  test('a step with no target prints L(t) = 0 and ∇o(t) L = 0', () => {
    const { p, x, fx } = load('05-H2-softmax-null-first.json');
    const w = handWorked(p, x, fx.case.y, { loss: 'softmax-ce', h0: fx.case.h0 });
    assert.match(handMarkdown(w.forward), /L\^\{\(1\)\} &= 0 \\quad \\text\{\(no target at this step\)\}/);
  });
  test('bad input names the quantity and the sizes', () => {
    const { p, fx } = load('02-H2-squared.json');
    assert.throws(
      () =>
        handWorked(
          p,
          [
            [1, 0, 0],
            [0, 1, 0],
          ],
          fx.case.y,
          { loss: 'squared' },
        ),
      /x\(1\) .*must have D = 2 entries \(U is 2×2\), got 3/,
    );
    assert.throws(() => handWorked(p, [[1, 0]], fx.case.y, { loss: 'squared' }), /one target per step, τ = 1, got 2/);
    assert.throws(
      () =>
        handWorked(
          p,
          [
            [1, 0],
            [0, 1],
          ],
          [0, 1],
          { loss: 'squared' },
        ),
      /squared loss needs y\(1\) as a vector of K = 2 entries/,
    );
  });
});
