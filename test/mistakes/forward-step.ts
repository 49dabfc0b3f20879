type F = (x: number[], hPrev: number[], U: number[][], W: number[][], b: number[]) => number[];
function make(o: { WT?: boolean; noW?: boolean; noB?: boolean; act?: (a: number) => number }): F {
  return (x, hPrev, U, W, b) => {
    const out: number[] = [];
    for (let i = 0; i < b.length; i++) {
      let a = o.noB ? 0 : b[i];
      if (!o.noW) for (let j = 0; j < hPrev.length; j++) a += (o.WT ? W[j][i] : W[i][j]) * hPrev[j];
      for (let j = 0; j < x.length; j++) a += U[i][j] * x[j];
      out.push(o.act ? o.act(a) : Math.tanh(a));
    }
    return out;
  };
}
const mistakes: Record<string, F> = {
  'W-transposed': make({ WT: true }),
  'missing-recurrence': make({ noW: true }),
  'missing-bias': make({ noB: true }),
  'missing-tanh': make({ act: (a) => a }),
  'sigmoid-instead-of-tanh': make({ act: (a) => 1 / (1 + Math.exp(-a)) }),
};
export default mistakes;
