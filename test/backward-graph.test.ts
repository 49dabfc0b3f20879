// The backward computational graph of chapter 9 (src/backward-graph.ts): its nodes and edges are the book's, the
// edges carry Wᵀ, Vᵀ and H(t+1), h(t) has exactly the two children o(t) and a(t+1), and the stepped figure walks t
// from τ down to 1, highlighting in frame t exactly the edges that build ∇h(t) L (eq 10.21), labelled with what
// they carry. Plain data, checked without a browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { figureHtml } from '../src/teach/display';
import * as plots from '../src/teach/plots';

type Obj = Record<string, unknown>;
const T = 4;

describe('the backward graph', () => {
  const { nodes, edges } = plots.backwardGraph(T);

  test('nodes a(t), h(t), o(t), L(t) for t = 1..τ, and h(0)', () => {
    assert.equal(nodes.length, 4 * T + 1);
    for (let t = 1; t <= T; t++)
      for (const k of ['a', 'h', 'o', 'L'])
        assert.ok(
          nodes.some((n) => n.id === `${k}(${t})`),
          `${k}(${t})`,
        );
    assert.ok(nodes.some((n) => n.id === 'h(0)'));
  });

  test('the gradient reaches h(t) two ways: Vᵀ from o(t) and Wᵀ from a(t+1); h(t+1) → a(t+1) applies H(t+1)', () => {
    for (let t = 1; t < T; t++) {
      const into = edges
        .filter((e) => e.to === `h(${t})`)
        .map((e) => `${e.from} ${e.op}`)
        .sort();
      assert.deepEqual(into, [`a(${t + 1}) Wᵀ`, `o(${t}) Vᵀ`]);
      const tanh = edges.find((e) => e.from === `h(${t + 1})` && e.to === `a(${t + 1})`);
      assert.equal(tanh?.op, `H(${t + 1})`);
    }
    assert.deepEqual(
      edges.filter((e) => e.to === `h(${T})`).map((e) => e.from),
      [`o(${T})`],
      'h(τ) has one path: eq 10.19 has no first term',
    );
    assert.deepEqual(
      edges.filter((e) => e.to === 'h(0)').map((e) => `${e.from} ${e.op}`),
      ['a(1) Wᵀ'],
    );
  });

  test('τ outside 1..12 is a clear error', () => {
    assert.throws(() => plots.backwardGraph(0), /τ must be an integer from 1 to 12, got 0/);
  });
});

describe('the stepped figure (slider and play button, like the backward-pass animation)', () => {
  const fig = plots.backwardGraphSteps(T);
  const frames = fig.frames as Obj[];
  const annotations = (f: Obj): Obj[] => (f.layout as Obj).annotations as Obj[];
  const hotEdges = (f: Obj): string[] =>
    annotations(f)
      .filter((a) => String(a.name).startsWith('edge ') && a.arrowcolor !== '#555555')
      .map((a) => String(a.name).slice(5))
      .sort();
  const label = (f: Obj, id: string): string => String(annotations(f).find((a) => a.name === `label ${id}`)?.text);

  test('one frame per step, t = τ down to 1, and a slider step for each', () => {
    assert.deepEqual(
      frames.map((f) => f.name),
      ['t = 4', 't = 3', 't = 2', 't = 1'],
    );
    const slider = ((fig.layout.sliders as Obj[])[0].steps as Obj[]).map((s) => s.label);
    assert.deepEqual(slider, ['4', '3', '2', '1']);
    assert.ok(((fig.layout.updatemenus as Obj[])[0].buttons as Obj[])[0].label === '▶ play');
  });

  test('frame t highlights exactly the edges that build ∇h(t) L, each labelled with what it carries', () => {
    assert.deepEqual(hotEdges(frames[0]), ['L(4)→o(4)', 'o(4)→h(4)'], 'at t = τ only the output path (eq 10.19)');
    const f2 = frames[2]; // t = 2
    assert.deepEqual(hotEdges(f2), ['L(2)→o(2)', 'a(3)→h(2)', 'h(3)→a(3)', 'o(2)→h(2)']);
    assert.match(label(f2, 'a(3)→h(2)'), /^W<sup>T<\/sup> H\(3\) ∇<sub>h\(3\)<\/sub> L$/);
    assert.match(label(f2, 'h(3)→a(3)'), /^H\(3\) ∇<sub>h\(3\)<\/sub> L$/);
    assert.match(label(f2, 'o(2)→h(2)'), /^V<sup>T<\/sup> ∇<sub>o\(2\)<\/sub> L$/);
    assert.equal(label(f2, 'a(4)→h(3)'), 'W<sup>T</sup>', 'an edge not in use shows only its factor');
    assert.match(String((f2.layout as Obj)['title.text']), /eq 10\.21/);
  });

  test('no label lies on an arrow: each grows away from every edge, with room for what the edge carries', () => {
    // every edge as a segment between node centres (the arrows run along them)
    const segments = annotations(frames[0])
      .filter((a) => String(a.name).startsWith('edge '))
      .map((a) => ({
        id: String(a.name).slice(5),
        x0: a.ax as number,
        y0: a.ay as number,
        x1: a.x as number,
        y1: a.y as number,
      }));
    const xAt = (s: (typeof segments)[number], y: number): number | null =>
      s.y0 === s.y1 || y < Math.min(s.y0, s.y1) || y > Math.max(s.y0, s.y1)
        ? null
        : s.x0 + ((s.x1 - s.x0) * (y - s.y0)) / (s.y1 - s.y0);
    // 0.45 x units is about 90 px at τ = 4 in the book's 960-px figure: the width of 'Wᵀ H(3) ∇h(3) L' at 13 px
    const room = 0.45;
    for (const f of frames) {
      for (const a of annotations(f).filter((x) => String(x.name).startsWith('label '))) {
        const [x, y] = [a.x as number, a.y as number];
        const [from, to] = a.xanchor === 'right' ? [x - room, x] : [x, x + room];
        const crossed = segments.filter((s) => {
          const sx = xAt(s, y);
          return sx !== null && sx > from - 0.03 && sx < to + 0.03;
        });
        assert.deepEqual(
          crossed.map((s) => s.id),
          [],
          `${f.name}: ${a.name} at (${x.toFixed(2)}, ${y.toFixed(2)})`,
        );
      }
    }
  });

  test('the nodes known after step t are filled: ∇h and ∇o from t on, ∇a from t + 1 on', () => {
    const { nodes } = plots.backwardGraph(T);
    const colors = (f: Obj): string[] => ((f.data as Obj[])[0].marker as Obj).color as string[];
    const ids = ((frames[0].data as Obj[])[0].x as number[]).map((_, i) => nodes[i].id);
    const unknown = (f: Obj): string[] => ids.filter((_, i) => colors(f)[i] === '#f4f4f4');
    assert.deepEqual(unknown(frames[2]).sort(), ['a(1)', 'a(2)', 'h(0)', 'h(1)', 'o(1)'].sort());
    assert.deepEqual(unknown(frames[3]).sort(), ['a(1)', 'h(0)']);
  });

  test('the chain-rule figure shows eq 10.20 at h(t) as the sum over its children, and it renders offline', () => {
    const f = plots.backwardGraphFigure(T, 2);
    const text = String((f.layout.annotations as Obj[]).find((a) => a.name === 'chain rule')?.text);
    assert.match(text, /Σ over the children c of h\(2\): \(∂c\/∂h\(2\)\)<sup>T<\/sup> ∇<sub>c<\/sub> L/);
    assert.match(text, /V<sup>T<\/sup> ∇<sub>o\(2\)<\/sub> L \+ W<sup>T<\/sup> H\(3\) ∇<sub>h\(3\)<\/sub> L/);
    assert.throws(() => plots.backwardGraphFigure(T, T), /1 ≤ t < τ = 4; got t = 4/);
    const html = figureHtml(fig);
    assert.doesNotMatch(html, /https?:\/\//, 'no URL: offline');
    assert.match(html, /addFrames/);
  });
});
