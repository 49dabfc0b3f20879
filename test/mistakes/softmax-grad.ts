type F = (o: number[], y: number) => number[];
const mistakes: Record<string, F> = {
  overflow: (o, y) => {
    const e = o.map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    const g = e.map((v) => v / s);
    g[y] -= 1;
    return g;
  },
  'missing-minus-one': (o) => {
    const m = Math.max(...o);
    const e = o.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  },
  'wrong-sign': (o, y) => {
    const m = Math.max(...o);
    const e = o.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b);
    const g = e.map((v) => -v / s);
    g[y] += 1;
    return g;
  },
  'no-softmax': (o, y) => {
    const g = o.slice();
    g[y] -= 1;
    return g;
  },
  'not-normalised': (o, y) => {
    const g = o.map((v) => Math.exp(v));
    g[y] -= 1;
    return g;
  },
  'class-off-by-one': (o, y) => {
    const m = Math.max(...o);
    const e = o.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b);
    const g = e.map((v) => v / s);
    g[y - 1] -= 1; // thinks classes count from 1
    return g;
  },
};
export default mistakes;
