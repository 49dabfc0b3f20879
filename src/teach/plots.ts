// The figures of the lab, as the namespace notebooks use (`bp.plots.…`): plotly figure builders that return plain
// data ({ data, layout, frames }), no browser and no tslab needed, so they are tested in plain Node
// (test/plots.test.ts) and shown in a notebook by the one display helper (display.ts). Each family of figures lives
// in its own file; this one gathers them and holds the two smallest.
import type { Forward } from '../model/engine';
import { type Figure, heatmap, lines, type Series, unitByTime } from './figure';

export { backwardAnimation } from './backward-animation';
export type { BackwardGraphOptions, GraphEdge, GraphNode } from './backward-graph';
// The backward computational graph (chapter 9).
export { backwardGraph, backwardGraphFigure, backwardGraphSteps } from './backward-graph';
export { COLORS, type Figure, heatmap, lines, type PlotObject, type Series, unitByTime } from './figure';
export {
  contributionNorms,
  contributionPlot,
  gradCheckPlot,
  gradCheckStepsPlot,
  gradNormPlot,
  paramGradHeatmaps,
} from './gradient-plots';
export { type GraphOptions, unrolledGraphSvg } from './unrolled-graph';

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
