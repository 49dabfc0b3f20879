// relu-backward: BPTT for h(t) = max(0, a(t)), each written with one mistake, in plain loops.
type G = { dh: number[][]; dU: number[][]; dW: number[][]; db: number[] };
type F = (x: number[][], h0: number[], a: number[][], h: number[][], dO: number[][], W: number[][], V: number[][]) => G;
interface O {
  d?: (a: number, h: number) => number;
  maskAtT?: boolean;
  noMaskParams?: boolean;
  WnoT?: boolean;
  useHt?: boolean;
  noCarry?: boolean;
}
function make(o: O): F {
  return (x, h0, a, h, dO, W, V) => {
    const T = h.length;
    const nh = W.length;
    const D = x[0].length;
    const d = o.d ?? ((av: number) => (av > 0 ? 1 : 0));
    const dh: number[][] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      const g = new Array<number>(nh).fill(0);
      for (let j = 0; j < nh; j++) for (let k = 0; k < dO[t].length; k++) g[j] += V[k][j] * dO[t][k];
      if (t < T - 1 && !o.noCarry) {
        const s = o.maskAtT ? t : t + 1;
        for (let j = 0; j < nh; j++)
          for (let i = 0; i < nh; i++) g[j] += (o.WnoT ? W[j][i] : W[i][j]) * d(a[s][i], h[s][i]) * dh[t + 1][i];
      }
      dh[t] = g;
    }
    const dU = Array.from({ length: nh }, () => new Array<number>(D).fill(0));
    const dW = Array.from({ length: nh }, () => new Array<number>(nh).fill(0));
    const db = new Array<number>(nh).fill(0);
    for (let t = 0; t < T; t++) {
      const prev = o.useHt ? h[t] : t === 0 ? h0 : h[t - 1];
      for (let i = 0; i < nh; i++) {
        const da = (o.noMaskParams ? 1 : d(a[t][i], h[t][i])) * dh[t][i];
        db[i] += da;
        for (let k = 0; k < D; k++) dU[i][k] += da * x[t][k];
        for (let j = 0; j < nh; j++) dW[i][j] += da * prev[j];
      }
    }
    return { dh, dU, dW, db };
  };
}
const mistakes: Record<string, F> = {
  'tanh-derivative': make({ d: (_a, hv) => 1 - hv * hv }),
  'h-as-derivative': make({ d: (_a, hv) => hv }),
  'missing-derivative': make({ d: () => 1 }),
  'mask-off-by-one': make({ maskAtT: true }),
  'missing-mask-params': make({ noMaskParams: true }),
  'W-not-transposed': make({ WnoT: true }),
  'uses-h-t': make({ useHt: true }),
  'no-carry': make({ noCarry: true }),
};
export default mistakes;
