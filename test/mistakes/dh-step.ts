type F = (dhNext: number[], hNext: number[], dO: number[], W: number[][], V: number[][]) => number[];
interface O {
  WnoT?: boolean;
  VnoT?: boolean;
  d?: (h: number) => number;
  after?: boolean;
  noCarry?: boolean;
  noOut?: boolean;
  neg?: boolean;
}
function make(o: O): F {
  return (dhNext, hNext, dO, W, V) => {
    const H = W.length;
    const d = o.d ?? ((h: number) => 1 - h * h);
    const out: number[] = [];
    for (let j = 0; j < H; j++) {
      let s = 0;
      if (!o.noCarry) {
        let c = 0;
        for (let i = 0; i < H; i++)
          c += o.WnoT
            ? W[j][i] * d(hNext[i]) * dhNext[i]
            : o.after
              ? W[i][j] * dhNext[i]
              : W[i][j] * d(hNext[i]) * dhNext[i];
        if (o.after) c *= d(hNext[j]);
        s += c;
      }
      if (!o.noOut) for (let k = 0; k < dO.length; k++) s += (o.VnoT ? V[j][k] : V[k][j]) * dO[k];
      out.push(o.neg ? -s : s);
    }
    return out;
  };
}
const mistakes: Record<string, F> = {
  'W-not-transposed': make({ WnoT: true }),
  'V-not-transposed': make({ VnoT: true }), // V[j] is undefined for j ≥ K: throws where K < H
  'dtanh-after-W': make({ after: true }),
  'dtanh-twice': make({ d: (h) => (1 - h * h) * (1 - h * h) }),
  'dtanh-of-h': make({ d: (h) => 1 - Math.tanh(h) ** 2 }),
  'dtanh-no-square': make({ d: (h) => 1 - h }),
  'missing-dtanh': make({ d: () => 1 }),
  'no-carry': make({ noCarry: true }),
  'missing-output-grad': make({ noOut: true }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
