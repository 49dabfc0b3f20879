type F = (h: number[][], dO: number[][]) => number[][];
function make(o: {
  T?: boolean;
  hPrev?: boolean;
  dt?: boolean;
  only?: 'last' | 'first';
  mean?: boolean;
  neg?: boolean;
}): F {
  return (h, dO) => {
    const H = h[0].length;
    const K = dO[0].length;
    const T = h.length;
    const g: number[][] = o.T
      ? Array.from({ length: H }, () => new Array(K).fill(0))
      : Array.from({ length: K }, () => new Array(H).fill(0));
    for (let t = o.hPrev ? 1 : 0; t < T; t++) {
      if ((o.only === 'last' && t !== T - 1) || (o.only === 'first' && t !== 0)) continue;
      const ht = o.hPrev ? h[t - 1] : h[t];
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < H; j++) {
          const v = dO[t][k] * ht[j] * (o.dt ? 1 - h[t][j] ** 2 : 1);
          if (o.T) g[j][k] += v;
          else g[k][j] += v;
        }
      }
    }
    const s = (o.mean ? 1 / T : 1) * (o.neg ? -1 : 1);
    return g.map((r) => r.map((v) => v * s));
  };
}
const mistakes: Record<string, F> = {
  transposed: make({ T: true }),
  'h-off-by-one': make({ hPrev: true }),
  'spurious-dtanh': make({ dt: true }),
  'last-step-only': make({ only: 'last' }),
  'first-step-only': make({ only: 'first' }),
  'mean-not-sum': make({ mean: true }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
