type F = (o: number[], y: number[]) => number[];
const mistakes: Record<string, F> = {
  'factor-2': (o, y) => o.map((v, k) => 2 * (v - y[k])),
  'wrong-sign': (o, y) => y.map((v, k) => v - o[k]),
  'returns-loss': (o, y) => o.map((v, k) => ((v - y[k]) * (v - y[k])) / 2),
  'softmax-applied': (o, y) => {
    const e = o.map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    return e.map((v, k) => v / s - y[k]);
  },
};
export default mistakes;
