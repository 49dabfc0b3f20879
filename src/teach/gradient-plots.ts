// The figures of the gradients: ‖∇h(t) L‖ per step, the parameter gradients (eqs 10.22–10.28) as heatmaps, each
// step's share of them, and the gradient check's errors. Plain plotly data (figure.ts), shown by display.ts.
import type { GradCheckReport } from '../check/gradcheck';
import type { Forward, Grads } from '../model/engine';
import { PARAM_NAMES, type Params } from '../model/params';
import { stepContribution } from '../model/summands';
import { type Mat, norm, row } from '../model/tensor';
import { baseLayout, divergingTrace, type Figure, lines, matRows, maxAbs, type PlotObject, steps } from './figure';

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
    data.push(
      divergingTrace(z, steps(z[0].length), steps(z.length), zmax, {
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
        showscale: i === mats.length - 1,
        colorbar: { title: { text: '∂L/∂θ' } },
        name: GRAD_SYMBOL[name],
        hovertemplate: `${name}[%{y},%{x}]: %{z:.4f}<extra>${GRAD_SYMBOL[name]}</extra>`,
      }),
    );
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
