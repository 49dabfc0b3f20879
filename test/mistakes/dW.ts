type F = (h0: number[], h: number[][], dh: number[][]) => number[][];
function make(o: {
  useHt?: boolean;
  T?: boolean;
  dPrev?: boolean;
  from?: number;
  only?: 'last' | 'first';
  mean?: boolean;
  d?: (v: number) => number;
  neg?: boolean;
}): F {
  return (h0, h, dh) => {
    const H = h0.length;
    const T = h.length;
    const g: number[][] = h0.map(() => new Array(H).fill(0));
    for (let t = o.from ?? 0; t < T; t++) {
      if (o.only === 'last' && t !== T - 1) continue;
      if (o.only === 'first' && t !== 0) continue;
      const prev = t === 0 ? h0 : h[t - 1];
      const other = o.useHt ? h[t] : prev;
      for (let i = 0; i < H; i++) {
        const d = o.d ?? ((v: number) => 1 - v * v);
        const da = d(o.dPrev ? prev[i] : h[t][i]) * dh[t][i];
        for (let j = 0; j < H; j++) {
          if (o.T) g[j][i] += da * other[j];
          else g[i][j] += da * other[j];
        }
      }
    }
    const s = (o.mean ? 1 / T : 1) * (o.neg ? -1 : 1);
    return g.map((r) => r.map((v) => v * s));
  };
}
const mistakes: Record<string, F> = {
  'uses-h-t': make({ useHt: true }),
  transposed: make({ T: true }),
  'dtanh-off-by-one': make({ dPrev: true }),
  'missing-h0-term': make({ from: 1 }),
  'last-step-only': make({ only: 'last' }),
  'first-step-only': make({ only: 'first' }),
  'mean-not-sum': make({ mean: true }),
  'dtanh-twice': make({ d: (v) => (1 - v * v) ** 2 }),
  'missing-dtanh': make({ d: () => 1 }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
