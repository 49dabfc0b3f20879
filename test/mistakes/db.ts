type F = (h: number[][], dh: number[][]) => number[];
function make(o: { only?: 'last' | 'first'; mean?: boolean; d?: (v: number) => number; neg?: boolean }): F {
  return (h, dh) => {
    const T = h.length;
    const g = new Array(h[0].length).fill(0);
    for (let t = 0; t < T; t++) {
      if ((o.only === 'last' && t !== T - 1) || (o.only === 'first' && t !== 0)) continue;
      for (let i = 0; i < g.length; i++) g[i] += (o.d ?? ((v: number) => 1 - v * v))(h[t][i]) * dh[t][i];
    }
    return g.map((v) => v * (o.mean ? 1 / T : 1) * (o.neg ? -1 : 1));
  };
}
const mistakes: Record<string, F> = {
  'last-step-only': make({ only: 'last' }),
  'first-step-only': make({ only: 'first' }),
  'mean-not-sum': make({ mean: true }),
  'dtanh-twice': make({ d: (v) => (1 - v * v) ** 2 }),
  'missing-dtanh': make({ d: () => 1 }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
