// learned-h0: ∇b0 L = (1 − tanh(b0)²) ⊙ W^T H(1) ∇h(1) L, each written with one mistake, in plain loops.
type F = (b0: number[], h1: number[], dh1: number[], W: number[][]) => number[];
interface O {
  WnoT?: boolean;
  outer?: (b0: number, h1: number) => number;
  inner?: boolean;
  noW?: boolean;
  neg?: boolean;
}
function make(o: O): F {
  return (b0, h1, dh1, W) => {
    const nh = b0.length;
    const da1 = dh1.map((g, i) => (o.inner === false ? g : (1 - h1[i] * h1[i]) * g));
    const out: number[] = [];
    for (let j = 0; j < nh; j++) {
      let dh0 = 0;
      if (o.noW) dh0 = da1[j];
      else for (let i = 0; i < nh; i++) dh0 += (o.WnoT ? W[j][i] : W[i][j]) * da1[i];
      const f = o.outer ? o.outer(b0[j], h1[j]) : 1 - Math.tanh(b0[j]) ** 2;
      out.push(o.neg ? -f * dh0 : f * dh0);
    }
    return out;
  };
}
const mistakes: Record<string, F> = {
  'W-not-transposed': make({ WnoT: true }),
  'missing-dtanh-b0': make({ outer: () => 1 }),
  'missing-dtanh-h1': make({ inner: false }),
  'dtanh-of-b0': make({ outer: (b) => 1 - b * b }),
  'dtanh-wrong-step': make({ outer: (_b, h) => 1 - h * h }),
  'skips-W': make({ noW: true }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
