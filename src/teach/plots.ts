// Why over 300 lines: one function per figure the chapters draw, each short; they share the axis and colour conventions
// at the top.
//
// Plotly figure builders: plain data ({ data, layout, frames }), no browser and no tslab needed, so they are tested
// in plain Node (test/plots.test.ts) and shown in a notebook by the one display helper (display.ts).
// Axis titles use the book's symbols (§10.2.2): t for the time step, h(t), ∇h(t) L, ∇W L, ...
// Per-step matrices follow the engine: step t = 1..T lives in row t − 1.
import type { GradCheckReport } from '../check/gradcheck';
import type { Forward, Grads } from '../model/engine';
import { PARAM_NAMES, type Params } from '../model/params';
import { stepContribution } from '../model/summands';
import { type Mat, norm, row } from '../model/tensor';

/** A plotly trace or layout: plain JSON-able objects. */
export type PlotObject = { [key: string]: unknown };

export interface Figure {
  data: PlotObject[];
  layout: PlotObject;
  /** Animation frames (plotly `Plotly.addFrames`), driven by the layout's slider and play button. */
  frames?: PlotObject[];
}

const FONT = { family: 'Helvetica, Arial, sans-serif', size: 13 };
const steps = (T: number): number[] => Array.from({ length: T }, (_, t) => t + 1);

function baseLayout(title: string, extra: PlotObject = {}): PlotObject {
  return { title: { text: title }, font: FONT, margin: { l: 70, r: 30, t: 50, b: 60 }, height: 360, ...extra };
}

/** The transpose of a T×n per-step matrix as nested rows: z[i][t − 1] = entry i at step t (unit × time). */
export function unitByTime(m: Mat): number[][] {
  const z: number[][] = [];
  for (let i = 0; i < m.cols; i++) z.push(steps(m.rows).map((t) => m.data[(t - 1) * m.cols + i]));
  return z;
}

function matRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(row(m, i)));
  return out;
}

function maxAbs(z: (number | null)[][]): number {
  let m = 0;
  for (const r of z) for (const v of r) if (v !== null) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}

/** A labelled heatmap with a symmetric diverging colour scale (0 is white). */
export function heatmap(
  z: (number | null)[][],
  o: {
    title: string;
    xTitle: string;
    yTitle: string;
    zTitle: string;
    x?: (number | string)[];
    y?: (number | string)[];
    zmax?: number;
  },
): Figure {
  const zmax = o.zmax ?? maxAbs(z);
  return {
    data: [
      {
        type: 'heatmap',
        z,
        x: o.x ?? steps(z[0]?.length ?? 0),
        y: o.y ?? steps(z.length),
        zmin: -zmax,
        zmax,
        zmid: 0,
        colorscale: 'RdBu',
        reversescale: true,
        colorbar: { title: { text: o.zTitle } },
        hovertemplate: `${o.xTitle} = %{x}<br>${o.yTitle} = %{y}<br>${o.zTitle} = %{z:.4f}<extra></extra>`,
      },
    ],
    layout: baseLayout(o.title, {
      xaxis: { title: { text: o.xTitle }, dtick: 1 },
      yaxis: { title: { text: o.yTitle }, autorange: 'reversed', dtick: 1 },
    }),
  };
}

/** Hidden states h(t) as a heatmap: hidden unit i (rows) × time step t (columns), colour h_i(t) ∈ (−1, 1). */
export function hiddenStateHeatmap(fw: Pick<Forward, 'h'>, title = 'Hidden states h(t) = tanh(a(t))'): Figure {
  return heatmap(unitByTime(fw.h), {
    title,
    xTitle: 'time step t',
    yTitle: 'hidden unit i',
    zTitle: 'h<sub>i</sub>(t)',
    zmax: 1,
  });
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** A dashed or dotted line (a bound, a reference slope) is drawn without markers. */
  dash?: 'dash' | 'dot' | 'dashdot';
  /** A CSS colour; default: plotly's colour cycle. Give a bound the colour of the line it bounds. */
  color?: string;
}

/** plotly's default colour cycle, so a notebook can give a dashed bound the colour of its measured line. */
export const COLORS: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** Several lines on one plot, optionally with a log x or y axis. */
export function lines(
  series: Series[],
  o: {
    title: string;
    xTitle: string;
    yTitle: string;
    logY?: boolean;
    logX?: boolean;
    markers?: boolean;
    xTicks?: number[];
    xDtick?: number;
  },
): Figure {
  return {
    data: series.map((s) => ({
      type: 'scatter',
      mode: o.markers === false || s.dash !== undefined ? 'lines' : 'lines+markers',
      name: s.name,
      x: s.x,
      y: s.y,
      ...(s.dash !== undefined || s.color !== undefined
        ? { line: { ...(s.dash ? { dash: s.dash } : {}), ...(s.color ? { color: s.color } : {}) } }
        : {}),
      ...(s.color !== undefined ? { marker: { color: s.color } } : {}),
    })),
    layout: baseLayout(o.title, {
      xaxis: {
        title: { text: o.xTitle },
        ...(o.logX ? { type: 'log', exponentformat: 'power' } : {}),
        ...(o.xDtick === undefined ? {} : { dtick: o.xDtick }),
        ...(o.xTicks ? { tickvals: o.xTicks, ticktext: o.xTicks.map(String) } : {}), // label exactly these x values (a log axis's minor digits confuse)
      },
      yaxis: { title: { text: o.yTitle }, type: o.logY ? 'log' : 'linear', exponentformat: 'power' },
      showlegend: series.length > 1,
    }),
  };
}

/** ‖∇h(t) L‖ per step on a log axis: how much gradient reaches each step. Give one or several backward passes. */
export function gradNormPlot(
  runs: { name: string; dh: Mat }[] | Pick<Grads, 'dh'>,
  title = '‖∇<sub>h(t)</sub> L‖ per step',
): Figure {
  const list = Array.isArray(runs) ? runs : [{ name: '‖∇h(t) L‖', dh: runs.dh }];
  return lines(
    list.map((r) => ({ name: r.name, x: steps(r.dh.rows), y: steps(r.dh.rows).map((t) => norm(row(r.dh, t - 1))) })),
    // whole time steps on the x axis (no tick at t = 1.5), about a dozen of them at most
    {
      title,
      xTitle: 'time step t',
      yTitle: '‖∇<sub>h(t)</sub> L‖ (log scale)',
      logY: true,
      xDtick: Math.max(1, Math.ceil(Math.max(...list.map((r) => r.dh.rows)) / 12)),
    },
  );
}

const GRAD_SYMBOL: Record<string, string> = {
  U: '∇<sub>U</sub> L',
  W: '∇<sub>W</sub> L',
  V: '∇<sub>V</sub> L',
  b: '∇<sub>b</sub> L',
  c: '∇<sub>c</sub> L',
};

/**
 * The parameter gradients ∇U, ∇W, ∇V, ∇b, ∇c as five heatmaps side by side (rows × columns of each; b and c as
 * columns).
 */
export function paramGradHeatmaps(
  g: Pick<Grads, 'dU' | 'dW' | 'dV' | 'db' | 'dc'>,
  title = 'Parameter gradients (eqs 10.22–10.28)',
): Figure {
  const mats: [string, number[][], string, string][] = [
    ['U', matRows(g.dU), 'input j of x(t)', 'unit i'],
    ['W', matRows(g.dW), 'unit j of h(t−1)', 'unit i'],
    ['V', matRows(g.dV), 'unit j of h(t)', 'output k'],
    ['b', Array.from(g.db, (v) => [v]), '', 'unit i'],
    ['c', Array.from(g.dc, (v) => [v]), '', 'output k'],
  ];
  const zmax = Math.max(...mats.map(([, z]) => maxAbs(z)));
  const widths = mats.map(([, z]) => Math.max(z[0].length, 1) + 0.6);
  const total = widths.reduce((a, b) => a + b, 0);
  const gap = 0.04;
  const usable = 1 - gap * (mats.length - 1);
  const layout: PlotObject = baseLayout(title, { height: 340, annotations: [] as PlotObject[] });
  const data: PlotObject[] = [];
  let x0 = 0;
  mats.forEach(([name, z, xTitle, yTitle], i) => {
    const w = (usable * widths[i]) / total;
    const ax = i === 0 ? '' : String(i + 1);
    data.push({
      type: 'heatmap',
      z,
      x: steps(z[0].length),
      y: steps(z.length),
      zmin: -zmax,
      zmax,
      zmid: 0,
      colorscale: 'RdBu',
      reversescale: true,
      xaxis: `x${ax}`,
      yaxis: `y${ax}`,
      showscale: i === mats.length - 1,
      colorbar: { title: { text: '∂L/∂θ' } },
      name: GRAD_SYMBOL[name],
      hovertemplate: `${name}[%{y},%{x}]: %{z:.4f}<extra>${GRAD_SYMBOL[name]}</extra>`,
    });
    layout[`xaxis${ax}`] = {
      domain: [x0, x0 + w],
      title: { text: xTitle },
      dtick: 1,
      showticklabels: z[0].length > 1,
      anchor: `y${ax}`,
    };
    layout[`yaxis${ax}`] = {
      title: { text: i === 0 ? yTitle : '' },
      autorange: 'reversed',
      dtick: 1,
      anchor: `x${ax}`,
    };
    (layout.annotations as PlotObject[]).push({
      text: GRAD_SYMBOL[name],
      x: x0 + w / 2,
      y: 1.02,
      xref: 'paper',
      yref: 'paper',
      showarrow: false,
      yanchor: 'bottom',
    });
    x0 += w + gap;
  });
  return { data, layout };
}

/** ‖step t's summand‖ of each of eqs 10.22–10.28, per parameter: which steps the sums over t draw on. */
export function contributionNorms(p: Params, fw: Forward, g: Grads): Record<'U' | 'W' | 'V' | 'b' | 'c', number[]> {
  const out = { U: [] as number[], W: [] as number[], V: [] as number[], b: [] as number[], c: [] as number[] };
  for (let t = 1; t <= fw.T; t++) {
    const s = stepContribution(p, fw, g, t);
    out.U.push(norm(s.dU.data));
    out.W.push(norm(s.dW.data));
    out.V.push(norm(s.dV.data));
    out.b.push(norm(s.db));
    out.c.push(norm(s.dc));
  }
  return out;
}

/** Grouped bars: the norm of each step's contribution to ∇U, ∇W, ∇V, ∇b, ∇c. */
export function contributionPlot(
  norms: Record<'U' | 'W' | 'V' | 'b' | 'c', number[]>,
  title = 'Per-step contributions to the parameter gradients',
): Figure {
  const T = norms.W.length;
  return {
    data: PARAM_NAMES.map((n) => ({
      type: 'bar',
      name: `‖step t's term of ${GRAD_SYMBOL[n]}‖`,
      x: steps(T),
      y: norms[n],
    })),
    layout: baseLayout(title, {
      barmode: 'group',
      xaxis: { title: { text: 'time step t' }, dtick: 1 },
      yaxis: { title: { text: '‖contribution of step t‖' } },
    }),
  };
}

/** Gradient-check errors: norm-wise relative error per parameter (log axis) against the pass threshold. */
export function gradCheckPlot(r: GradCheckReport, title = 'Gradient check: relative error per parameter'): Figure {
  const names = r.params.map((c) => `∇${c.name}`);
  const floor = 1e-17; // a log axis cannot show 0: an exact match is drawn at 1e-17
  return {
    data: [
      {
        type: 'bar',
        name: '‖a − n‖ / (‖a‖ + ‖n‖)',
        x: names,
        y: r.params.map((c) => Math.max(c.relError, floor)),
        marker: { color: r.params.map((c) => (c.pass ? '#2a7ab9' : '#d62728')) },
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: `pass threshold ${r.tol}`,
        x: names,
        y: names.map(() => r.tol),
        line: { dash: 'dash', color: 'black' },
      },
    ],
    layout: baseLayout(title, {
      xaxis: { title: { text: 'parameter θ' } },
      yaxis: { title: { text: 'relative error (log scale)' }, type: 'log', exponentformat: 'power' },
    }),
  };
}

/** Per-step gradient-check errors: parameter × step t heatmap of log10 relative error. */
export function gradCheckStepsPlot(
  r: GradCheckReport,
  title = 'Gradient check per step: the copies W(t), U(t), ...',
): Figure {
  const z = PARAM_NAMES.map((n) =>
    steps(r.T).map((t) => {
      const c = r.steps.find((s) => s.name === n && s.t === t);
      return c === undefined ? null : Math.log10(Math.max(c.relError, 1e-17));
    }),
  );
  return {
    data: [
      {
        type: 'heatmap',
        z,
        x: steps(r.T),
        y: PARAM_NAMES.map((n) => `∇${n}(t)`),
        colorscale: 'Viridis',
        zmin: -17,
        zmax: 0,
        colorbar: { title: { text: 'log<sub>10</sub> rel. error' } },
      },
    ],
    layout: baseLayout(title, {
      xaxis: { title: { text: 'time step t' }, dtick: 1 },
      yaxis: { title: { text: 'copy of parameter' } },
      height: 300,
    }),
  };
}

/** A loss curve (e.g. per-character loss against iteration); grows as training runs. */
export function lossCurve(
  x: number[],
  y: number[],
  o: { title?: string; xTitle?: string; yTitle?: string; extra?: Series[] } = {},
): Figure {
  return lines([{ name: 'loss', x, y }, ...(o.extra ?? [])], {
    title: o.title ?? 'Training loss',
    xTitle: o.xTitle ?? 'iteration',
    yTitle: o.yTitle ?? 'loss per character (nats)',
    markers: false,
  });
}

/**
 * The backward pass as an animation a teacher can step through: frame j shows the state after step t = τ − j:
 * which ∇o(t) L and ∇h(t) L are known (unknown ones blank), and ∇W L accumulated over the steps done so far.
 */
export function backwardAnimation(
  p: Params,
  fw: Forward,
  g: Grads,
  title = 'The backward pass, t = τ down to 1',
): Figure {
  const T = fw.T;
  const H = fw.sizes.H;
  const K = fw.sizes.K;
  const dOz = unitByTime(g.dO);
  const dhz = unitByTime(g.dh);
  const scaleO = maxAbs(dOz);
  const scaleH = maxAbs(dhz);
  const acc: number[][] = Array.from({ length: H }, () => new Array<number>(H).fill(0));
  const contributions = steps(T).map((t) => stepContribution(p, fw, g, t).dW);
  const scaleW = maxAbs(matRows(g.dW));
  const mask = (z: number[][], from: number): (number | null)[][] =>
    z.map((r) => r.map((v, i) => (i + 1 >= from ? v : null)));
  const stateAt = (t: number): PlotObject[] => {
    return [{ z: mask(dOz, t) }, { z: mask(dhz, t) }, { z: acc.map((r) => r.slice()) }];
  };
  const frames: PlotObject[] = [];
  for (let t = T; t >= 1; t--) {
    const c = contributions[t - 1];
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) acc[i][j] += c.data[i * H + j];
    frames.push({
      name: `t = ${t}`,
      data: stateAt(t),
      traces: [0, 1, 2],
      layout: { 'title.text': `${title}: step t = ${t} done` },
    });
  }
  const first = frames[0].data as PlotObject[];
  const hm = (z: unknown, zmax: number, ax: string, colorbarX: number, cb: string, ys: number): PlotObject => ({
    type: 'heatmap',
    z,
    x: steps(T),
    y: steps(ys),
    zmin: -zmax,
    zmax,
    zmid: 0,
    colorscale: 'RdBu',
    reversescale: true,
    xaxis: `x${ax}`,
    yaxis: `y${ax}`,
    colorbar: {
      x: colorbarX,
      xanchor: 'left',
      y: 0.71,
      yanchor: 'middle',
      len: 0.58,
      thickness: 10,
      xpad: 2,
      title: { text: cb, side: 'top' },
    },
    hoverongaps: false,
  });
  const data: PlotObject[] = [
    hm(first[0].z, scaleO, '', 0.225, '∇<sub>o(t)</sub> L', K),
    hm(first[1].z, scaleH, '2', 0.575, '∇<sub>h(t)</sub> L', H),
    { ...hm(first[2].z, scaleW, '3', 0.925, '∇<sub>W</sub> L', H), x: steps(H) },
  ];
  const sliderSteps = frames.map((f) => ({
    label: String(f.name).replace('t = ', ''),
    method: 'animate',
    args: [[f.name], { mode: 'immediate', frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
  }));
  return {
    data,
    frames,
    layout: baseLayout(`${title}: step t = ${T} done`, {
      height: 480,
      margin: { l: 60, r: 40, t: 60, b: 20 },
      xaxis: { domain: [0, 0.2], title: { text: 'time step t' }, dtick: 1 },
      yaxis: { domain: [0.42, 1], title: { text: 'output k' }, autorange: 'reversed', dtick: 1 },
      xaxis2: { domain: [0.35, 0.55], title: { text: 'time step t' }, dtick: 1, anchor: 'y2' },
      yaxis2: { domain: [0.42, 1], title: { text: 'unit i' }, autorange: 'reversed', dtick: 1, anchor: 'x2' },
      xaxis3: { domain: [0.7, 0.9], title: { text: 'column j (from h(t−1))' }, dtick: 1, anchor: 'y3' },
      yaxis3: { domain: [0.42, 1], title: { text: 'row i' }, autorange: 'reversed', dtick: 1, anchor: 'x3' },
      sliders: [
        {
          active: 0,
          x: 0.12,
          len: 0.88,
          y: 0.12,
          yanchor: 'top',
          currentvalue: { prefix: 'backward step done: t = ' },
          pad: { t: 10 },
          steps: sliderSteps,
        },
      ],
      updatemenus: [
        {
          type: 'buttons',
          showactive: false,
          x: 0,
          y: 0.12,
          xanchor: 'left',
          yanchor: 'top',
          pad: { t: 10 },
          buttons: [
            {
              label: '▶ play',
              method: 'animate',
              args: [null, { fromcurrent: true, frame: { duration: 900, redraw: true }, transition: { duration: 0 } }],
            },
          ],
        },
      ],
    }),
  };
}

// --- the unrolled computational graph as SVG (like the book's Fig. 10.3) ---

export interface GraphOptions {
  /** Highlight the backward pass at step t: nodes whose gradients are known (steps ≥ t) are coloured. */
  backwardAt?: number;
  /** Show h(0) at the left. Default true. */
  showH0?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The RNN unrolled over T steps: x(t) → h(t) → o(t) → L(t) ← y(t), h(t−1) → h(t) through W. Returns an SVG string. */
export function unrolledGraphSvg(T: number, o: GraphOptions = {}): string {
  const colW = 120;
  const left = o.showH0 === false ? 30 : 130;
  const width = left + T * colW + 20;
  const height = 430;
  const yOf = { L: 50, y: 50, o: 150, h: 260, x: 370 };
  const parts: string[] = [];
  const known = (t: number): boolean => o.backwardAt !== undefined && t >= o.backwardAt;
  const node = (cx: number, cy: number, label: string, fill: string, highlight = false): void => {
    parts.push(
      `<circle cx="${cx}" cy="${cy}" r="24" fill="${highlight ? '#fdd49e' : fill}" ` +
        `stroke="${highlight ? '#d94801' : '#333'}" stroke-width="${highlight ? 3 : 1.5}"/>`,
    );
    parts.push(
      `<text x="${cx}" y="${cy + 5}" text-anchor="middle" font-size="15" font-family="serif" ` +
        `font-style="italic">${esc(label)}</text>`,
    );
  };
  const edge = (x1: number, y1: number, x2: number, y2: number, label: string, lx = 0, ly = 0): void => {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const d = Math.hypot(dx, dy);
    const [ux, uy] = [dx / d, dy / d];
    parts.push(
      `<line x1="${x1 + ux * 25}" y1="${y1 + uy * 25}" x2="${x2 - ux * 27}" y2="${y2 - uy * 27}" stroke="#333" ` +
        `stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    if (label)
      parts.push(
        `<text x="${(x1 + x2) / 2 + lx}" y="${(y1 + y2) / 2 + ly}" font-size="14" font-family="serif" ` +
          `font-weight="bold" fill="#08519c">${esc(label)}</text>`,
      );
  };
  parts.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
      `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`,
  );
  if (o.showH0 !== false) {
    node(60, yOf.h, 'h(0)', '#eeeeee', known(1));
    edge(60, yOf.h, left + colW / 2 - 22, yOf.h, 'W', -6, -8);
  }
  for (let t = 1; t <= T; t++) {
    const cx = left + (t - 1) * colW + colW / 2;
    node(cx - 22, yOf.L, `L(${t})`, '#f4cccc', known(t));
    node(cx + 32, yOf.y - 0, `y(${t})`, '#ffffff');
    node(cx - 22, yOf.o, `o(${t})`, '#d9ead3', known(t));
    node(cx - 22, yOf.h, `h(${t})`, '#cfe2f3', known(t));
    node(cx - 22, yOf.x, `x(${t})`, '#ffffff');
    edge(cx - 22, yOf.x, cx - 22, yOf.h, 'U', 6, 4);
    edge(cx - 22, yOf.h, cx - 22, yOf.o, 'V', 6, 4);
    edge(cx - 22, yOf.o, cx - 22, yOf.L, '', 0, 0);
    edge(cx + 32, yOf.y, cx - 22, yOf.L, '', 0, 0);
    if (t < T) edge(cx - 22, yOf.h, cx - 22 + colW, yOf.h, 'W', -6, -8);
  }
  const caption =
    o.backwardAt === undefined
      ? `The RNN unrolled over τ = ${T} steps (Deep Learning, Fig. 10.3): the same U, V, W at every step.`
      : `Backward pass after step t = ${o.backwardAt}: gradients known at the highlighted nodes (steps ≥ ` +
        `${o.backwardAt}).`;
  parts.push(
    `<text x="10" y="${height - 12}" font-size="13" font-family="sans-serif" fill="#444">${esc(caption)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="bpttlab-graph" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(caption)}">${parts.join('')}</svg>`
  );
}

export type { BackwardGraphOptions, GraphEdge, GraphNode } from './backward-graph';
// The backward computational graph (chapter 9), in its own file.
export { backwardGraph, backwardGraphFigure, backwardGraphSteps } from './backward-graph';
