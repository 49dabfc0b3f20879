type F = (x: number[][], h: number[][], dh: number[][]) => number[][];
function make(o: {
  T?: boolean;
  xPrev?: boolean;
  only?: 'last' | 'first';
  mean?: boolean;
  d?: (v: number) => number;
  neg?: boolean;
}): F {
  return (x, h, dh) => {
    const H = h[0].length;
    const D = x[0].length;
    const T = h.length;
    const g: number[][] = o.T
      ? Array.from({ length: D }, () => new Array(H).fill(0))
      : Array.from({ length: H }, () => new Array(D).fill(0));
    for (let t = o.xPrev ? 1 : 0; t < T; t++) {
      if ((o.only === 'last' && t !== T - 1) || (o.only === 'first' && t !== 0)) continue;
      const xt = o.xPrev ? x[t - 1] : x[t];
      for (let i = 0; i < H; i++) {
        const da = (o.d ?? ((v: number) => 1 - v * v))(h[t][i]) * dh[t][i];
        for (let j = 0; j < D; j++) {
          if (o.T) g[j][i] += da * xt[j];
          else g[i][j] += da * xt[j];
        }
      }
    }
    const s = (o.mean ? 1 / T : 1) * (o.neg ? -1 : 1);
    return g.map((r) => r.map((v) => v * s));
  };
}
const mistakes: Record<string, F> = {
  transposed: make({ T: true }),
  'x-off-by-one': make({ xPrev: true }),
  'last-step-only': make({ only: 'last' }),
  'first-step-only': make({ only: 'first' }),
  'mean-not-sum': make({ mean: true }),
  'dtanh-twice': make({ d: (v) => (1 - v * v) ** 2 }),
  'missing-dtanh': make({ d: () => 1 }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
