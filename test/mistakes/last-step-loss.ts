// last-step-loss: BPTT with only L(τ), each written with one mistake, in plain loops.
type G = { dh: number[][]; dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] };
type F = (x: number[][], h0: number[], h: number[][], dOLast: number[], W: number[][], V: number[][]) => G;
interface O {
  paramsLast?: boolean;
  noCarry?: boolean;
  outEvery?: boolean;
  dVAll?: boolean;
  dcT?: boolean;
  WnoT?: boolean;
  noDtanh?: boolean;
  dAtT?: boolean;
}
function make(o: O): F {
  return (x, h0, h, dOLast, W, V) => {
    const T = h.length;
    const nh = W.length;
    const D = x[0].length;
    const K = dOLast.length;
    const tp = (t: number, i: number): number => (o.noDtanh ? 1 : 1 - h[t][i] * h[t][i]);
    const dh: number[][] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      const g = new Array<number>(nh).fill(0);
      if (t === T - 1 || o.outEvery)
        for (let j = 0; j < nh; j++) for (let k = 0; k < K; k++) g[j] += V[k][j] * dOLast[k];
      if (t < T - 1 && !o.noCarry) {
        for (let j = 0; j < nh; j++)
          for (let i = 0; i < nh; i++) g[j] += (o.WnoT ? W[j][i] : W[i][j]) * tp(o.dAtT ? t : t + 1, i) * dh[t + 1][i];
      }
      dh[t] = g;
    }
    const dU = Array.from({ length: nh }, () => new Array<number>(D).fill(0));
    const dW = Array.from({ length: nh }, () => new Array<number>(nh).fill(0));
    const db = new Array<number>(nh).fill(0);
    for (let t = o.paramsLast ? T - 1 : 0; t < T; t++) {
      const prev = t === 0 ? h0 : h[t - 1];
      for (let i = 0; i < nh; i++) {
        const da = tp(t, i) * dh[t][i];
        db[i] += da;
        for (let k = 0; k < D; k++) dU[i][k] += da * x[t][k];
        for (let j = 0; j < nh; j++) dW[i][j] += da * prev[j];
      }
    }
    const dV = Array.from({ length: K }, (_, k) =>
      new Array<number>(nh).fill(0).map((_, j) => {
        if (!o.dVAll) return dOLast[k] * h[T - 1][j];
        let s = 0;
        for (let t = 0; t < T; t++) s += dOLast[k] * h[t][j];
        return s;
      }),
    );
    const dc = dOLast.map((v) => (o.dcT ? T * v : v));
    return { dh, dU, dW, dV, db, dc };
  };
}
const mistakes: Record<string, F> = {
  'params-last-step-only': make({ paramsLast: true }),
  'no-carry': make({ noCarry: true }),
  'output-grad-every-step': make({ outEvery: true }),
  'dV-all-steps': make({ dVAll: true }),
  'dc-times-tau': make({ dcT: true }),
  'W-not-transposed': make({ WnoT: true }),
  'missing-dtanh': make({ noDtanh: true }),
  'dtanh-off-by-one': make({ dAtT: true }),
};
export default mistakes;
