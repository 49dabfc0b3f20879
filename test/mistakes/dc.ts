type F = (dO: number[][]) => number[];
const mistakes: Record<string, F> = {
  'last-step-only': (dO) => {
    let g: number[] = [];
    for (const row of dO) g = row.slice(); // overwrites instead of adding
    return g;
  },
  'first-step-only': (dO) => dO[0].slice(),
  'mean-not-sum': (dO) => dO[0].map((_, k) => dO.reduce((s, r) => s + r[k], 0) / dO.length),
  'wrong-sign': (dO) => dO[0].map((_, k) => -dO.reduce((s, r) => s + r[k], 0)),
};
export default mistakes;
