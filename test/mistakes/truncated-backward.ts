type F = (h: number[][], dO: number[][], W: number[][], V: number[][], k: number) => number[][];
/** A student-style truncated loop; `boundary(t, T, k)` says whether 0-based step t is the last of its chunk. */
function make(boundary: (t: number, T: number, k: number) => boolean, o: { WnoT?: boolean; noD?: boolean } = {}): F {
  return (h, dO, W, V, k) => {
    const T = h.length;
    const H = W.length;
    const dh: number[][] = [];
    for (let t = T - 1; t >= 0; t--) {
      const g = new Array(H).fill(0);
      for (let j = 0; j < H; j++) for (let q = 0; q < dO[t].length; q++) g[j] += V[q][j] * dO[t][q];
      if (t < T - 1 && !boundary(t, T, k)) {
        for (let j = 0; j < H; j++) {
          for (let i = 0; i < H; i++) {
            const d = o.noD ? 1 : 1 - h[t + 1][i] ** 2;
            g[j] += (o.WnoT ? W[j][i] : W[i][j]) * d * dh[t + 1][i];
          }
        }
      }
      dh[t] = g;
    }
    return dh;
  };
}
const ok = (t: number, _T: number, k: number): boolean => (t + 1) % k === 0;
const mistakes: Record<string, F> = {
  'no-truncation': make(() => false),
  'chunks-from-end': make((t, T, k) => (T - 1 - t) % k === 0),
  'chunks-offset-by-one': make((t, _T, k) => t % k === 0),
  'chunk-too-long': make((t, _T, k) => (t + 1) % (k + 1) === 0),
  'chunk-too-short': make((t, _T, k) => (t + 1) % (k - 1) === 0),
  'W-not-transposed': make(ok, { WnoT: true }),
  'missing-dtanh': make(ok, { noD: true }),
  'no-carry': make(() => true),
  'wrong-sign': (h, dO, W, V, k) => make(ok)(h, dO, W, V, k).map((r) => r.map((v) => -v)),
};
export default mistakes;
