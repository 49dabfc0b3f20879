type F = (h: number[][], dO: number[][], W: number[][], V: number[][]) => number[][];
const vT = (V: number[][], g: number[]): number[] => V[0].map((_, j) => V.reduce((s, row, k) => s + row[j] * g[k], 0));
const wT = (W: number[][], g: number[]): number[] => W[0].map((_, j) => W.reduce((s, row, i) => s + row[j] * g[i], 0));
const w = (W: number[][], g: number[]): number[] => W.map((row) => row.reduce((s, a, j) => s + a * g[j], 0));
const tp = (h: number[]): number[] => h.map((v) => 1 - v * v);

/** A student-style loop with one knob per mistake. */
function loop(o: {
  WnoT?: boolean;
  VnoT?: boolean;
  dAtT?: boolean;
  d?: (h: number[]) => number[];
  da?: boolean;
  onlyOut?: boolean;
  noCarry?: boolean;
  outOnlyLast?: boolean;
  neg?: boolean;
}): F {
  return (h, dO, W, V) => {
    const T = h.length;
    const dh: number[][] = [];
    let next: number[] | null = null; // ∇h(t+1) L (or what the student carries)
    for (let t = T - 1; t >= 0; t--) {
      let g = o.VnoT ? V.map((row) => row.reduce((s, a, k) => s + a * dO[t][k], 0)) : vT(V, dO[t]);
      if (o.outOnlyLast && t < T - 1) g = g.map(() => 0);
      if (next && !o.noCarry) {
        const hh = o.dAtT ? h[t] : h[t + 1];
        const d = o.da ? hh.map(() => 1) : (o.d ?? tp)(hh);
        const m = next.map((v, i) => d[i] * v);
        const c = o.WnoT ? w(W, m) : wT(W, m);
        g = g.map((v, j) => v + c[j]);
      }
      if (o.da) g = g.map((v, i) => (1 - h[t][i] ** 2) * v);
      dh[t] = o.neg ? g.map((v) => -v) : g;
      next = o.onlyOut ? vT(V, dO[t]) : g;
    }
    return dh;
  };
}

const mistakes: Record<string, F> = {
  'W-not-transposed': loop({ WnoT: true }),
  'V-not-transposed': loop({ VnoT: true }),
  'dtanh-off-by-one': loop({ dAtT: true }),
  'forward-in-time': (h, dO, W, V) => {
    const dh: number[][] = [];
    for (let t = 0; t < h.length; t++) {
      const g = vT(V, dO[t]);
      if (t > 0) {
        const c = wT(
          W,
          dh[t - 1].map((v, i) => (1 - h[t - 1][i] ** 2) * v),
        );
        for (let j = 0; j < g.length; j++) g[j] += c[j];
      }
      dh.push(g);
    }
    return dh;
  },
  'returns-da': loop({ da: true }),
  'carries-only-output-term': loop({ onlyOut: true }),
  'dtanh-twice': loop({ d: (h) => h.map((v) => (1 - v * v) ** 2) }),
  'dtanh-of-h': loop({ d: (h) => h.map((v) => 1 - Math.tanh(v) ** 2) }),
  'missing-dtanh': loop({ d: (h) => h.map(() => 1) }),
  'no-carry': loop({ noCarry: true }),
  'missing-output-grad': loop({ outOnlyLast: true }),
  'wrong-sign': (h, dO, W, V) => loop({})(h, dO, W, V).map((r) => r.map((v) => -v)),
};
export default mistakes;
