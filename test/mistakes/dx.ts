// dx: ∇x(t) L = U^T H(t) ∇h(t) L, each written with one mistake, in plain loops.
type F = (h: number[][], dO: number[][], W: number[][], V: number[][], U: number[][]) => number[][];
interface O {
  UnoT?: boolean;
  d?: (h: number) => number;
  noCarry?: boolean;
  WnoT?: boolean;
  neg?: boolean;
}
function make(o: O): F {
  return (h, dO, W, V, U) => {
    const T = h.length;
    const nh = W.length;
    const D = U[0].length;
    const d = o.d ?? ((v: number) => 1 - v * v);
    const dh: number[][] = [];
    for (let t = T - 1; t >= 0; t--) {
      const g = new Array<number>(nh).fill(0);
      for (let j = 0; j < nh; j++) for (let k = 0; k < dO[t].length; k++) g[j] += V[k][j] * dO[t][k];
      if (t + 1 < T && !o.noCarry) {
        for (let j = 0; j < nh; j++) {
          for (let i = 0; i < nh; i++) {
            const tanhPrime = 1 - h[t + 1][i] * h[t + 1][i];
            g[j] += (o.WnoT ? W[j][i] : W[i][j]) * tanhPrime * dh[t + 1][i];
          }
        }
      }
      dh[t] = g;
    }
    const dx: number[][] = [];
    for (let t = 0; t < T; t++) {
      const row = new Array<number>(D).fill(0);
      for (let k = 0; k < D; k++)
        for (let i = 0; i < nh; i++) row[k] += (o.UnoT ? U[k][i] : U[i][k]) * d(h[t][i]) * dh[t][i];
      dx.push(o.neg ? row.map((v) => -v) : row);
    }
    return dx;
  };
}
const mistakes: Record<string, F> = {
  'U-not-transposed': make({ UnoT: true }), // U[k] is undefined for k ≥ n_h: NaN or a throw where D ≠ n_h
  'missing-dtanh': make({ d: () => 1 }),
  'dtanh-twice': make({ d: (v) => (1 - v * v) ** 2 }),
  'only-output-path': make({ noCarry: true }),
  'W-not-transposed': make({ WnoT: true }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
