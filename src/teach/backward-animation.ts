// The backward pass as an animation a teacher steps through with a slider (chapter 4): ∇o(t) L, ∇h(t) L and the
// running sum of ∇W L after each step t = τ down to 1. Plain plotly data (figure.ts), shown by display.ts.
import type { Forward, Grads } from '../model/engine';
import type { Params } from '../model/params';
import { stepContribution } from '../model/summands';
import {
  baseLayout,
  divergingTrace,
  type Figure,
  frameControls,
  matRows,
  maxAbs,
  type PlotObject,
  steps,
  unitByTime,
} from './figure';

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
  const hm = (z: unknown, zmax: number, ax: string, colorbarX: number, cb: string, ys: number): PlotObject =>
    divergingTrace(z, steps(T), steps(ys), zmax, {
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
      ...frameControls(frames, { y: 0.12, prefix: 'backward step done: t = ', playMs: 900 }),
    }),
  };
}
