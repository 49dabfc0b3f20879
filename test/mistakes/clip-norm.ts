type G = { dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] };
type F = (g: G, maxNorm: number) => G;
const sumSq = (xs: number[]): number => xs.reduce((s, v) => s + v * v, 0);
const scaled = (g: G, f: Record<keyof G, number>): G => ({
  dU: g.dU.map((r) => r.map((v) => v * f.dU)),
  dW: g.dW.map((r) => r.map((v) => v * f.dW)),
  dV: g.dV.map((r) => r.map((v) => v * f.dV)),
  db: g.db.map((v) => v * f.db),
  dc: g.dc.map((v) => v * f.dc),
});
const same = (s: number): Record<keyof G, number> => ({ dU: s, dW: s, dV: s, db: s, dc: s });
const all = (g: G): number[] => [...g.dU.flat(), ...g.dW.flat(), ...g.dV.flat(), ...g.db, ...g.dc];
const mistakes: Record<string, F> = {
  'per-parameter': (g, m) => {
    const f = {} as Record<keyof G, number>;
    for (const k of ['dU', 'dW', 'dV', 'db', 'dc'] as const) {
      const n = Math.sqrt(sumSq((g[k] as (number | number[])[]).flat() as number[]));
      f[k] = n > m ? m / n : 1;
    }
    return scaled(g, f);
  },
  'by-value': (g, m) => {
    const c = (v: number): number => Math.min(m, Math.max(-m, v));
    return {
      dU: g.dU.map((r) => r.map(c)),
      dW: g.dW.map((r) => r.map(c)),
      dV: g.dV.map((r) => r.map(c)),
      db: g.db.map(c),
      dc: g.dc.map(c),
    };
  },
  'always-rescales': (g, m) => scaled(g, same(m / Math.sqrt(sumSq(all(g))))),
  'inverted-scale': (g, m) => {
    const n = Math.sqrt(sumSq(all(g)));
    return scaled(g, same(n > m ? n / m : 1));
  },
  'squared-norm': (g, m) => {
    const n = sumSq(all(g));
    return scaled(g, same(n > m ? m / n : 1));
  },
  'comparison-reversed': (g, m) => {
    const n = Math.sqrt(sumSq(all(g)));
    return scaled(g, same(n < m ? m / n : 1));
  },
  'never-clips': (g) => JSON.parse(JSON.stringify(g)),
  'matrices-only-norm': (g, m) => {
    const n = Math.sqrt(sumSq([...g.dU.flat(), ...g.dW.flat(), ...g.dV.flat()]));
    return scaled(g, same(n > m ? m / n : 1));
  },
};
export default mistakes;
