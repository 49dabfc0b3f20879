// The backward computational graph (chapter 9) as plotly figures: plain data, tested in plain Node
// (test/backward-graph.test.ts), shown by display.ts's show() like every other figure, offline.
//
// Nodes a(t), h(t), o(t), L(t) for t = 1..τ and h(0). The gradient flows against the forward arrows: L(t) → o(t)
// carries ∇o(t) L; o(t) → h(t) multiplies by Vᵀ; h(t+1) → a(t+1) multiplies by H(t+1) = diag(1 − h(t+1)²);
// a(t+1) → h(t) multiplies by Wᵀ. h(t) has two children in the forward graph, o(t) and a(t+1): the two paths by
// which its gradient arrives, summed (eq 10.20 is §6.5's chain rule over a node's children).
import { type Figure, frameControls, type PlotObject } from './figure';

export type GraphNodeKind = 'a' | 'h' | 'o' | 'L';

export interface GraphNode {
  /** e.g. 'h(2)'. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly t: number;
  readonly x: number;
  readonly y: number;
}

/** One backward edge: the gradient goes from `from` to `to`, multiplied by `op`. */
export interface GraphEdge {
  /** e.g. 'a(3)→h(2)'. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The factor the edge applies, e.g. 'Wᵀ', 'Vᵀ', 'H(3)'. */
  readonly op: string;
  /** What the edge carries into `to`, e.g. 'Wᵀ ∇a(3) L'. */
  readonly carries: string;
  /** The backward step t whose ∇h(t) L this edge feeds (the frame that highlights it). */
  readonly step: number;
}

const ROW: Record<GraphNodeKind, number> = { L: 3, o: 2, h: 1, a: 0 };

/** The nodes and backward edges of the RNN unrolled over τ = T steps. */
export function backwardGraph(T: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  if (!Number.isInteger(T) || T < 1 || T > 12)
    throw new RangeError(`backwardGraph: τ must be an integer from 1 to 12, got ${T}`);
  const nodes: GraphNode[] = [{ id: 'h(0)', kind: 'h', t: 0, x: 0, y: ROW.h }];
  for (let t = 1; t <= T; t++) {
    for (const kind of ['a', 'h', 'o', 'L'] as const)
      nodes.push({ id: `${kind}(${t})`, kind, t, x: t + (kind === 'a' ? -0.45 : 0), y: ROW[kind] });
  }
  const edges: GraphEdge[] = [];
  for (let t = T; t >= 1; t--) {
    edges.push({
      id: `L(${t})→o(${t})`,
      from: `L(${t})`,
      to: `o(${t})`,
      op: `∂L(${t})/∂o(${t})`,
      carries: `∇o(${t}) L`,
      step: t,
    });
    edges.push({ id: `o(${t})→h(${t})`, from: `o(${t})`, to: `h(${t})`, op: 'Vᵀ', carries: `Vᵀ ∇o(${t}) L`, step: t });
    if (t < T) {
      edges.push({
        id: `h(${t + 1})→a(${t + 1})`,
        from: `h(${t + 1})`,
        to: `a(${t + 1})`,
        op: `H(${t + 1})`,
        carries: `H(${t + 1}) ∇h(${t + 1}) L`,
        step: t,
      });
      edges.push({
        id: `a(${t + 1})→h(${t})`,
        from: `a(${t + 1})`,
        to: `h(${t})`,
        op: 'Wᵀ',
        carries: `Wᵀ H(${t + 1}) ∇h(${t + 1}) L`,
        step: t,
      });
    }
  }
  // the first step's own tanh, and h(0): what the backward pass computes last (∇h(0) L = Wᵀ H(1) ∇h(1) L)
  edges.push({ id: 'h(1)→a(1)', from: 'h(1)', to: 'a(1)', op: 'H(1)', carries: 'H(1) ∇h(1) L', step: 0 });
  edges.push({ id: 'a(1)→h(0)', from: 'a(1)', to: 'h(0)', op: 'Wᵀ', carries: 'Wᵀ H(1) ∇h(1) L', step: 0 });
  return { nodes, edges };
}

const COLOR = {
  idle: '#bbbbbb',
  edge: '#555555',
  hot: '#d94801',
  known: '#fdd49e',
  unknown: '#f4f4f4',
  label: '#08519c',
};
const FILL: Record<GraphNodeKind, string> = { L: '#f4cccc', o: '#d9ead3', h: '#cfe2f3', a: '#fff2cc' };

const sub = (s: string): string => s.replace(/∇(\w\(\d+\))/g, '∇<sub>$1</sub>').replace(/ᵀ/g, '<sup>T</sup>');

/** Options of the figures: the values shown beside the h(t) nodes (e.g. ‖∇h(t) L‖), one per step t = 1..τ. */
export interface BackwardGraphOptions {
  /** Text under each h(t), t = 1..τ (e.g. the chapter's ∇h(t) L rounded). */
  hValues?: readonly string[];
  /** The chain-rule figure's title (the stepped figure's title names the step and its equation). */
  title?: string;
}

function nodeTrace(
  nodes: GraphNode[],
  known: (n: GraphNode) => boolean,
  hot: (n: GraphNode) => boolean,
  o: BackwardGraphOptions,
): PlotObject {
  return {
    type: 'scatter',
    mode: 'markers+text',
    hoverinfo: 'text',
    name: 'nodes',
    x: nodes.map((n) => n.x),
    y: nodes.map((n) => n.y),
    text: nodes.map((n) => `<i>${n.id}</i>`),
    hovertext: nodes.map((n) =>
      n.kind === 'h' && n.t >= 1 && o.hValues ? `${n.id}: ∇h(${n.t}) L = ${o.hValues[n.t - 1]}` : n.id,
    ),
    textfont: { size: 13, family: 'serif' },
    marker: {
      size: 40,
      symbol: 'circle',
      color: nodes.map((n) => (known(n) ? (hot(n) ? COLOR.known : FILL[n.kind]) : COLOR.unknown)),
      line: { width: nodes.map((n) => (hot(n) ? 3 : 1)), color: nodes.map((n) => (hot(n) ? COLOR.hot : '#333333')) },
    },
  };
}

/**
 * Where an edge's label goes, clear of every arrow. A vertical edge (L(t) → o(t) → h(t)) has free space on its right.
 * Below h(t) its two slanted edges open like a Λ, h(t) → a(t) on the left and a(t+1) → h(t) on the right, and above
 * a(t+1) like a V, a(t+1) → h(t) on the left and h(t+1) → a(t+1) on the right: each label sits in the wide end of one
 * of these, the Wᵀ edge's low in the Λ and the H edge's high in the V, ending just left of its own edge, so that
 * a long label (what the edge carries) grows away from every arrow.
 */
function labelPlace(f: GraphNode, t: GraphNode): PlotObject {
  if (f.x === t.x) return { x: f.x + 0.08, y: (f.y + t.y) / 2, xanchor: 'left' };
  const y = f.kind === 'a' ? f.y + 0.3 : f.y - 0.3; // a(t+1) → h(t) starts low, h(t+1) → a(t+1) high
  const x = f.x + ((t.x - f.x) * (y - f.y)) / (t.y - f.y); // on the edge, at that height
  return { x: x - 0.06, y, xanchor: 'right' };
}

function edgeAnnotations(
  nodes: GraphNode[],
  edges: GraphEdge[],
  hot: (e: GraphEdge) => boolean,
  showCarried: boolean,
): PlotObject[] {
  const at = new Map(nodes.map((n) => [n.id, n]));
  const out: PlotObject[] = [];
  for (const e of edges) {
    const [f, t] = [at.get(e.from)!, at.get(e.to)!];
    const h = hot(e);
    out.push({
      name: `edge ${e.id}`,
      x: t.x,
      y: t.y,
      ax: f.x,
      ay: f.y,
      xref: 'x',
      yref: 'y',
      axref: 'x',
      ayref: 'y',
      text: '',
      showarrow: true,
      arrowhead: 2,
      arrowsize: 1.1,
      arrowwidth: h ? 3 : 1.3,
      arrowcolor: h ? COLOR.hot : COLOR.edge,
      standoff: 21,
      startstandoff: 21,
    });
    const label = h && showCarried ? sub(e.carries) : sub(e.op);
    out.push({
      name: `label ${e.id}`,
      ...labelPlace(f, t),
      xref: 'x',
      yref: 'y',
      showarrow: false,
      text: label,
      font: { size: h ? 13 : 11, color: h ? COLOR.hot : COLOR.label, family: 'serif' },
      bgcolor: h ? 'rgba(255,255,255,0.9)' : 'rgba(255,255,255,0.6)',
    });
  }
  return out;
}

function graphLayout(T: number, title: string, annotations: PlotObject[], extra: PlotObject = {}): PlotObject {
  return {
    title: { text: title },
    font: { family: 'Helvetica, Arial, sans-serif', size: 13 },
    showlegend: false,
    height: 470,
    margin: { l: 20, r: 20, t: 60, b: 20 },
    xaxis: { range: [-0.5, T + 0.9], visible: false, fixedrange: true },
    yaxis: { range: [-0.9, 3.5], visible: false, fixedrange: true },
    annotations,
    ...extra,
  };
}

/**
 * The backward graph with eq 10.20 shown at h(t) as §6.5's chain rule: ∇h(t) L is the sum over h(t)'s children
 * o(t) and a(t+1) of (the child's Jacobian)ᵀ times the child's gradient. The two incoming paths are highlighted.
 */
export function backwardGraphFigure(T: number, t: number, o: BackwardGraphOptions = {}): Figure {
  if (!Number.isInteger(t) || t < 1 || t >= T)
    throw new RangeError(
      `backwardGraphFigure: the chain rule is shown at a step t with a child a(t+1), 1 ≤ t < τ = ${T}; got t = ${t}`,
    );
  const { nodes, edges } = backwardGraph(T);
  const inPaths = new Set([`o(${t})→h(${t})`, `a(${t + 1})→h(${t})`]);
  const children = new Set([`o(${t})`, `a(${t + 1})`, `h(${t})`]);
  const ann = edgeAnnotations(nodes, edges, (e) => inPaths.has(e.id), false);
  const node = nodes.find((n) => n.id === `h(${t})`)!;
  ann.push({
    name: 'chain rule',
    x: node.x,
    y: -0.55,
    xref: 'x',
    yref: 'y',
    showarrow: false,
    align: 'left',
    text:
      `∇<sub>h(${t})</sub> L = Σ over the children c of h(${t}): (∂c/∂h(${t}))<sup>T</sup> ∇<sub>c</sub> L` +
      `<br>= (∂o(${t})/∂h(${t}))<sup>T</sup> ∇<sub>o(${t})</sub> L + (∂a(${t + 1})/∂h(${t}))<sup>T</sup> ` +
      `∇<sub>a(${t + 1})</sub> L` +
      `<br>= V<sup>T</sup> ∇<sub>o(${t})</sub> L + W<sup>T</sup> H(${t + 1}) ∇<sub>h(${t + 1})</sub> L   (eq ` +
      `10.20–10.21)`,
    font: { size: 13, color: COLOR.hot },
    bgcolor: 'rgba(255,255,255,0.92)',
    bordercolor: COLOR.hot,
    borderwidth: 1,
  });
  return {
    data: [
      nodeTrace(
        nodes,
        () => true,
        (n) => children.has(n.id),
        o,
      ),
    ],
    layout: graphLayout(
      T,
      o.title ?? `The backward graph: h(${t}) has two children, o(${t}) and a(${t + 1}) (§6.5's chain rule)`,
      ann,
      { height: 520, yaxis: { range: [-1.2, 3.5], visible: false, fixedrange: true } },
    ),
  };
}

/**
 * The backward pass on the graph, step by step from t = τ down to 1 (a slider and a play button, like
 * plots.backwardAnimation): frame t highlights the edges that build ∇h(t) L (eq 10.21) and labels each with what it
 * carries; the nodes whose gradients are known after step t are filled.
 */
export function backwardGraphSteps(T: number, o: BackwardGraphOptions = {}): Figure {
  const { nodes, edges } = backwardGraph(T);
  // after step t: every ∇L(t) L = 1; ∇o, ∇h from t on; ∇a(t+1) (found on the way to ∇h(t)) and later ones
  const known =
    (t: number) =>
    (n: GraphNode): boolean =>
      n.kind === 'L' || (n.kind === 'a' ? n.t > t : n.t >= t);
  const hotNode =
    (t: number) =>
    (n: GraphNode): boolean =>
      n.id === `h(${t})`;
  const frames: PlotObject[] = [];
  for (let t = T; t >= 1; t--) {
    frames.push({
      name: `t = ${t}`,
      data: [nodeTrace(nodes, known(t), hotNode(t), o)],
      traces: [0],
      layout: {
        'title.text': `Backward step t = ${t}: ∇<sub>h(${t})</sub> L = ${
          t === T
            ? `V<sup>T</sup> ∇<sub>o(${t})</sub> L (eq 10.19)`
            : `W<sup>T</sup> H(${t + 1}) ∇<sub>h(${t + 1})</sub> L + V<sup>T</sup> ∇<sub>o(${t})</sub> L ` +
              `(eq 10.21)`
        }`,
        annotations: edgeAnnotations(nodes, edges, (e) => e.step === t, true),
      },
    });
  }
  const first = frames[0] as { data: PlotObject[]; layout: { 'title.text': string; annotations: PlotObject[] } };
  return {
    data: first.data,
    frames,
    layout: graphLayout(T, first.layout['title.text'], first.layout.annotations, {
      height: 540,
      margin: { l: 20, r: 20, t: 60, b: 90 },
      ...frameControls(frames, { y: 0, prefix: 'backward step: t = ', playMs: 1200 }),
    }),
  };
}
