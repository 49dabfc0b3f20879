// The plot builders return plain plotly data: checked here without a browser. Axis titles carry the book's symbols,
// trace shapes equal the data's shapes, animation frames walk t from τ down to 1, and the display helper's HTML is
// offline (no URL anywhere) and safe inside a <script>.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backward,
  expectClose,
  expectTrue,
  figureHtml,
  fmt,
  forward,
  gradCheck,
  initParams,
  PLOT_CLASS,
  PLOTLY_BUNDLE_MARK,
  plotlyBundleHtml,
  row,
  stepContribution,
  tableHtml,
  tableText,
} from '../src/index';
import * as plots from '../src/teach/plots';

const D = 4,
  H = 3,
  K = 4;
const x = [0, 1, 2, 2, 3];
const y = [1, 2, 2, 3, 0];
const T = x.length;
const p = initParams({ inputSize: D, hiddenSize: H, outputSize: K, seed: 7, biasStd: 0.1 });
const fw = forward(p, x, y);
const g = backward(p, fw);

type Obj = Record<string, unknown>;
const axisTitle = (layout: Obj, axis: string): string => ((layout[axis] as Obj)?.title as Obj)?.text as string;
const shape = (z: unknown[][]): [number, number] => [z.length, (z[0] as unknown[]).length];

describe('plot builders', () => {
  test('h(t) heatmap: unit × time, values are h_i(t), colour range (−1, 1)', () => {
    const f = plots.hiddenStateHeatmap(fw);
    assert.equal(f.data.length, 1);
    const tr = f.data[0];
    assert.equal(tr.type, 'heatmap');
    assert.deepEqual(shape(tr.z as number[][]), [H, T]);
    assert.equal((tr.z as number[][])[2][4], row(fw.h, 4)[2]); // unit 3 at t = 5
    assert.deepEqual(tr.x, [1, 2, 3, 4, 5]);
    assert.match(axisTitle(f.layout, 'xaxis'), /time step t/);
    assert.match(axisTitle(f.layout, 'yaxis'), /hidden unit/);
    assert.equal(tr.zmin, -1);
    assert.equal(tr.zmax, 1);
  });

  test('lines: a dashed series (a bound) has no markers and the colour it is given; log axes on request', () => {
    const f = plots.lines(
      [
        { name: 'measured', x: [0, 1, 2], y: [1, 0.4, 0.2], color: plots.COLORS[1] },
        { name: 'bound', x: [0, 1, 2], y: [1, 0.5, 0.25], dash: 'dash', color: plots.COLORS[1] },
        { name: 'plain', x: [0, 1], y: [2, 3] },
      ],
      { title: 't', xTitle: 'lag', yTitle: 'norm', logY: true, logX: true },
    );
    const [measured, bound, plain] = f.data;
    assert.equal(measured.mode, 'lines+markers');
    assert.deepEqual(measured.line, { color: '#ff7f0e' });
    assert.equal(bound.mode, 'lines');
    assert.deepEqual(bound.line, { dash: 'dash', color: '#ff7f0e' });
    assert.equal(plain.line, undefined, 'no colour given: plotly picks one');
    assert.equal((f.layout.yaxis as Obj).type, 'log');
    assert.equal((f.layout.xaxis as Obj).type, 'log');
    assert.equal(
      (plots.lines([plain as never], { title: 't', xTitle: 'x', yTitle: 'y' }).layout.xaxis as Obj).type,
      undefined,
      'linear x by default',
    );
    const ticked = plots.lines([plain as never], {
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      logX: true,
      xTicks: [1, 4, 16],
    }).layout.xaxis as Obj;
    assert.deepEqual(
      [ticked.tickvals, ticked.ticktext],
      [
        [1, 4, 16],
        ['1', '4', '16'],
      ],
    );
  });

  test('‖∇h(t) L‖ per step: one point per step, log y axis', () => {
    const f = plots.gradNormPlot(g);
    assert.equal((f.data[0].y as number[]).length, T);
    assert.equal((f.layout.yaxis as Obj).type, 'log');
    assert.match(axisTitle(f.layout, 'yaxis'), /∇<sub>h\(t\)<\/sub> L/);
    const n3 = Math.hypot(...row(g.dh, 2));
    // summation order may differ
    assert.ok(Math.abs((f.data[0].y as number[])[2] - n3) <= 1e-12 * n3, 'the norm of ∇h(3) L');
    const two = plots.gradNormPlot([
      { name: 'a', dh: g.dh },
      { name: 'b', dh: g.dh },
    ]);
    assert.equal(two.data.length, 2);
    assert.equal(two.layout.showlegend, true);
  });

  test('parameter-gradient heatmaps: five traces shaped like ∇U, ∇W, ∇V, ∇b, ∇c', () => {
    const f = plots.paramGradHeatmaps(g);
    assert.deepEqual(
      f.data.map((t) => shape(t.z as number[][])),
      [
        [H, D],
        [H, H],
        [K, H],
        [H, 1],
        [K, 1],
      ],
    );
    assert.deepEqual(
      f.data.map((t) => t.name),
      ['∇<sub>U</sub> L', '∇<sub>W</sub> L', '∇<sub>V</sub> L', '∇<sub>b</sub> L', '∇<sub>c</sub> L'],
    );
    assert.equal((f.data[1].z as number[][])[1][2], g.dW.data[1 * H + 2]);
    // one shared, symmetric colour scale
    const zmax = f.data[0].zmax as number;
    for (const t of f.data) assert.equal(t.zmax, zmax);
    assert.equal(f.data[0].zmin, -zmax);
  });

  test('per-step contributions: one bar per step and parameter, norms of stepContribution', () => {
    const norms = plots.contributionNorms(p, fw, g);
    const f = plots.contributionPlot(norms);
    assert.equal(f.data.length, 5);
    for (const t of f.data) assert.equal((t.y as number[]).length, T);
    const c2 = stepContribution(p, fw, g, 2);
    const w2 = Math.hypot(...c2.dW.data);
    assert.ok(Math.abs(norms.W[1] - w2) <= 1e-12 * w2, "the norm of step 2's ∇W summand"); // summation order may differ
    assert.match(axisTitle(f.layout, 'xaxis'), /time step t/);
  });

  test('gradient-check plots: a bar per parameter on a log axis, a per-step heatmap 5 × T', () => {
    const r = gradCheck(p, x, y);
    const f = plots.gradCheckPlot(r);
    assert.deepEqual(f.data[0].x, ['∇U', '∇W', '∇V', '∇b', '∇c', '∇h0']);
    assert.equal((f.layout.yaxis as Obj).type, 'log');
    const s = plots.gradCheckStepsPlot(r);
    assert.deepEqual(shape(s.data[0].z as number[][]), [5, T]);
  });

  test('loss curve', () => {
    const f = plots.lossCurve([1, 2, 3], [3, 2, 1]);
    assert.deepEqual(f.data[0].y, [3, 2, 1]);
    assert.match(axisTitle(f.layout, 'yaxis'), /loss/);
  });

  test('backward animation: frames t = τ … 1, ∇h known from the right, ∇W accumulating to the full ∇W', () => {
    const f = plots.backwardAnimation(p, fw, g);
    const frames = f.frames as Obj[];
    assert.deepEqual(
      frames.map((fr) => fr.name),
      ['t = 5', 't = 4', 't = 3', 't = 2', 't = 1'],
    );
    const sliders = f.layout.sliders as Obj[];
    assert.equal((sliders[0].steps as unknown[]).length, T);
    // after step t = 3: ∇h(1), ∇h(2) unknown (null), ∇h(3..5) known
    const dh3 = (frames[2].data as Obj[])[1].z as (number | null)[][];
    assert.deepEqual(shape(dh3), [H, T]);
    assert.deepEqual(
      dh3[0].map((v) => v === null),
      [true, true, false, false, false],
    );
    // the last frame's ∇W equals the backward pass's
    const last = (frames[T - 1].data as Obj[])[2].z as number[][];
    last.flat().forEach((v, i) => assert.ok(Math.abs(v - g.dW.data[i]) < 1e-12));
    assert.deepEqual(shape(f.data[0].z as number[][]), [K, T]);
  });

  test('unrolled graph SVG: a node per quantity and step, U/V/W edges, h(0)', () => {
    const svg = plots.unrolledGraphSvg(4);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const q of ['x', 'h', 'o', 'L', 'y'])
      for (let t = 1; t <= 4; t++) assert.ok(svg.includes(`>${q}(${t})<`), `${q}(${t})`);
    assert.ok(svg.includes('>h(0)<'));
    assert.equal((svg.match(/>W</g) ?? []).length, 4); // h(0)→h(1), …, h(3)→h(4)
    assert.equal((svg.match(/>U</g) ?? []).length, 4);
    const back = plots.unrolledGraphSvg(4, { backwardAt: 3 });
    assert.equal((back.match(/#d94801/g) ?? []).length, 3 * 2); // h, o, L at t = 3, 4
  });
});

describe('display helper (pure parts, no tslab)', () => {
  test('figure HTML: a plot div, the figure as JSON, no "</script" inside, no URL', () => {
    const f = plots.heatmap([[1, 2]], { title: '</script><b>', xTitle: 't', yTitle: 'i', zTitle: 'z' });
    const html = figureHtml(f, 'bp-test');
    assert.ok(html.includes(`class="${PLOT_CLASS}" id="bp-test"`));
    assert.equal(html.match(/<\/script/g)?.length, 1);
    assert.doesNotMatch(html, /https?:\/\//);
  });

  test('the plotly bundle is embedded, marked for the book, and hidden from require.js', () => {
    const html = plotlyBundleHtml();
    assert.ok(html.includes(PLOTLY_BUNDLE_MARK));
    assert.ok(html.length > 1_000_000);
    assert.match(html, /\(function \(define, module, exports\) \{/);
    assert.doesNotMatch(html, /<script[^>]+src=/);
  });

  test('tables: 3 decimals, minus signs, −0 as 0', () => {
    assert.equal(fmt(-0.00001), '0.000');
    assert.equal(fmt(-1.23456), '−1.235');
    const html = tableHtml({ 'h(1)': [0.5, -0.25] });
    assert.match(html, /<th[^>]*>h\(1\)<\/th>/);
    assert.match(html, />−0.250</);
    assert.equal(tableText({ a: [1], b: [2] }).split('\n').length, 2);
  });

  test('expectClose and expectTrue throw on a false claim (outside a kernel they only print)', () => {
    assert.throws(() => expectClose('x', [1, 2], [1, 2.1]), /entry 1 differs/);
    assert.throws(() => expectClose('x', [1], [1, 2]), /1 numbers vs 2/);
    assert.throws(() => expectTrue('no', false), /claim failed: no/);
    expectClose('ok', new Float64Array([1, 2]), [[1], [2 + 1e-15]]);
    expectTrue('yes', true);
  });
});
