// What every figure of the lab is built from: the plain-data Figure type, the shared font and margins, the two
// generic figures (a diverging heatmap, lines) and the slider with a play button of the animated figures.
// Axis titles use the book's symbols (§10.2.2); per-step matrices follow the engine: step t = 1..T lives in row t − 1.
import { type Mat, row } from '../model/tensor';

/** A plotly trace or layout: plain JSON-able objects. */
export type PlotObject = { [key: string]: unknown };

export interface Figure {
  data: PlotObject[];
  layout: PlotObject;
  /** Animation frames (plotly `Plotly.addFrames`), driven by the layout's slider and play button. */
  frames?: PlotObject[];
}

export const FONT = { family: 'Helvetica, Arial, sans-serif', size: 13 };
export const steps = (T: number): number[] => Array.from({ length: T }, (_, t) => t + 1);

export function baseLayout(title: string, extra: PlotObject = {}): PlotObject {
  return { title: { text: title }, font: FONT, margin: { l: 70, r: 30, t: 50, b: 60 }, height: 360, ...extra };
}

/** The transpose of a T×n per-step matrix as nested rows: z[i][t − 1] = entry i at step t (unit × time). */
export function unitByTime(m: Mat): number[][] {
  const z: number[][] = [];
  for (let i = 0; i < m.cols; i++) z.push(steps(m.rows).map((t) => m.data[(t - 1) * m.cols + i]));
  return z;
}

export function matRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(row(m, i)));
  return out;
}

export function maxAbs(z: (number | null)[][]): number {
  let m = 0;
  for (const r of z) for (const v of r) if (v !== null) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}

/**
 * A heatmap trace on a symmetric diverging colour scale: 0 is white, ±zmax the darkest red and blue. `extra` follows
 * (axes, colour bar, hover text).
 */
export function divergingTrace(z: unknown, x: unknown, y: unknown, zmax: number, extra: PlotObject = {}): PlotObject {
  return { type: 'heatmap', z, x, y, zmin: -zmax, zmax, zmid: 0, colorscale: 'RdBu', reversescale: true, ...extra };
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
      divergingTrace(z, o.x ?? steps(z[0]?.length ?? 0), o.y ?? steps(z.length), zmax, {
        colorbar: { title: { text: o.zTitle } },
        hovertemplate: `${o.xTitle} = %{x}<br>${o.yTitle} = %{y}<br>${o.zTitle} = %{z:.4f}<extra></extra>`,
      }),
    ],
    layout: baseLayout(o.title, {
      xaxis: { title: { text: o.xTitle }, dtick: 1 },
      yaxis: { title: { text: o.yTitle }, autorange: 'reversed', dtick: 1 },
    }),
  };
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
        // label exactly these x values (a log axis's minor digits confuse)
        ...(o.xTicks ? { tickvals: o.xTicks, ticktext: o.xTicks.map(String) } : {}),
      },
      yaxis: { title: { text: o.yTitle }, type: o.logY ? 'log' : 'linear', exponentformat: 'power' },
      showlegend: series.length > 1,
    }),
  };
}

/**
 * The slider and the play button of an animated figure (plots.backwardAnimation, backwardGraphSteps): one slider step
 * per frame, labelled with the frame's t; `y` is where both sit (paper coordinates), `prefix` the slider's caption and
 * `playMs` how long the play button shows each frame. Spread the result into the figure's layout.
 */
export function frameControls(
  frames: readonly PlotObject[],
  o: { y: number; prefix: string; playMs: number },
): { sliders: PlotObject[]; updatemenus: PlotObject[] } {
  const sliderSteps = frames.map((f) => ({
    label: String(f.name).replace('t = ', ''),
    method: 'animate',
    args: [[f.name], { mode: 'immediate', frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
  }));
  const play = { fromcurrent: true, frame: { duration: o.playMs, redraw: true }, transition: { duration: 0 } };
  return {
    sliders: [
      {
        active: 0,
        x: 0.12,
        len: 0.88,
        y: o.y,
        yanchor: 'top',
        currentvalue: { prefix: o.prefix },
        pad: { t: 10 },
        steps: sliderSteps,
      },
    ],
    updatemenus: [
      {
        type: 'buttons',
        showactive: false,
        x: 0,
        y: o.y,
        xanchor: 'left',
        yanchor: 'top',
        pad: { t: 10 },
        buttons: [{ label: '▶ play', method: 'animate', args: [null, play] }],
      },
    ],
  };
}
