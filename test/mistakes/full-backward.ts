type G = { dU: number[][]; dW: number[][]; dV: number[][]; db: number[]; dc: number[] };
type F = (x: number[][], h0: number[], h: number[][], dO: number[][], W: number[][], V: number[][]) => G;

interface O {
  WnoT?: boolean;
  VnoT?: boolean;
  dAtT?: boolean;
  onlyOut?: boolean;
  noCarry?: boolean;
  outOnlyLast?: boolean;
  useHt?: boolean;
  dWT?: boolean;
  from2?: boolean;
  only?: 'last' | 'first';
  mean?: boolean;
  twice?: boolean;
  noDaParams?: boolean;
  noD?: boolean;
  neg?: boolean;
}

/** min-char-rnn's loop, written out, with one knob per mistake. */
function make(o: O): F {
  return (x, h0, h, dO, W, V) => {
    const T = h.length;
    const H = h0.length;
    const D = x[0].length;
    const K = dO[0].length;
    const zeros = (r: number, c: number): number[][] => Array.from({ length: r }, () => new Array(c).fill(0));
    let dU = zeros(H, D);
    let dW = zeros(H, H);
    let dV = zeros(K, H);
    let db = new Array(H).fill(0);
    let dc = new Array(K).fill(0);
    let dhnext = new Array(H).fill(0); // W^T H(t+1) ∇h(t+1) L
    for (let t = T - 1; t >= 0; t--) {
      // 'first': the accumulators are re-initialised inside the loop, which ends at t = 0, so only step 1 remains
      if (o.only === 'first') {
        dU = zeros(H, D);
        dW = zeros(H, H);
        dV = zeros(K, H);
        db = new Array(H).fill(0);
        dc = new Array(K).fill(0);
      }
      const skip = o.only === 'last' && t < T - 1; // 'last': only the first iteration (t = τ) is accumulated
      // ∇h(t) L = V^T ∇o(t) L + dhnext
      const dh = new Array(H).fill(0);
      for (let j = 0; j < H; j++) {
        if (!(o.outOnlyLast && t < T - 1)) for (let k = 0; k < K; k++) dh[j] += (o.VnoT ? V[j][k] : V[k][j]) * dO[t][k];
        dh[j] += dhnext[j];
      }
      const dtanh = (v: number): number => (o.noD ? 1 : 1 - v * v);
      const dhraw = dh.map((v, i) => (o.noDaParams ? v : o.twice ? dtanh(h[t][i]) ** 2 * v : dtanh(h[t][i]) * v));
      const prev = t === 0 ? h0 : h[t - 1];
      if (!skip) {
        for (let k = 0; k < K; k++) {
          dc[k] += dO[t][k];
          for (let j = 0; j < H; j++) dV[k][j] += dO[t][k] * h[t][j];
        }
        for (let i = 0; i < H; i++) {
          db[i] += dhraw[i];
          for (let j = 0; j < D; j++) dU[i][j] += dhraw[i] * x[t][j];
          if (!(o.from2 && t === 0))
            for (let j = 0; j < H; j++) {
              const v = dhraw[i] * (o.useHt ? h[t][j] : prev[j]);
              if (o.dWT) dW[j][i] += v;
              else dW[i][j] += v;
            }
        }
      }
      // what goes back to step t − 1
      const hd = o.dAtT ? (t > 0 ? h[t - 1] : h0) : h[t];
      const carried = o.onlyOut ? dh.map((_, j) => V.reduce((s, row, k) => s + row[j] * dO[t][k], 0)) : dh;
      const da = carried.map((v, i) => dtanh(hd[i]) * v);
      dhnext = new Array(H).fill(0);
      if (!o.noCarry)
        for (let j = 0; j < H; j++) for (let i = 0; i < H; i++) dhnext[j] += (o.WnoT ? W[j][i] : W[i][j]) * da[i];
    }
    const s = (o.mean ? 1 / T : 1) * (o.neg ? -1 : 1);
    const m = (A: number[][]): number[][] => A.map((r) => r.map((v) => v * s));
    return { dU: m(dU), dW: m(dW), dV: m(dV), db: db.map((v) => v * s), dc: dc.map((v) => v * s) };
  };
}

const forwardInTime: F = (x, h0, h, dO, W, V) => {
  // the ∇h recursion walked forward: ∇h(t) = V^T ∇o(t) + W^T H(t−1) ∇h(t−1)
  const T = h.length;
  const H = h0.length;
  const dhs: number[][] = [];
  for (let t = 0; t < T; t++) {
    const g = V[0].map((_, j) => V.reduce((s, row, k) => s + row[j] * dO[t][k], 0));
    if (t > 0)
      for (let j = 0; j < H; j++) for (let i = 0; i < H; i++) g[j] += W[i][j] * (1 - h[t - 1][i] ** 2) * dhs[t - 1][i];
    dhs.push(g);
  }
  const res = {
    dU: h0.map(() => x[0].map(() => 0)),
    dW: h0.map(() => h0.map(() => 0)),
    dV: dO[0].map(() => h0.map(() => 0)),
    db: h0.map(() => 0),
    dc: dO[0].map(() => 0),
  };
  for (let t = 0; t < T; t++) {
    const da = dhs[t].map((v, i) => (1 - h[t][i] ** 2) * v);
    const prev = t === 0 ? h0 : h[t - 1];
    da.forEach((a, i) => {
      res.db[i] += a;
      x[t].forEach((xv, j) => (res.dU[i][j] += a * xv));
      prev.forEach((p, j) => (res.dW[i][j] += a * p));
    });
    dO[t].forEach((d, k) => {
      res.dc[k] += d;
      h[t].forEach((hv, j) => (res.dV[k][j] += d * hv));
    });
  }
  return res;
};

const mistakes: Record<string, F> = {
  'W-not-transposed': make({ WnoT: true }),
  'V-not-transposed': make({ VnoT: true }),
  'dtanh-off-by-one': make({ dAtT: true }),
  'forward-in-time': forwardInTime,
  'carries-only-output-term': make({ onlyOut: true }),
  'no-carry': make({ noCarry: true }),
  'missing-output-grad': make({ outOnlyLast: true }),
  'uses-h-t': make({ useHt: true }),
  'dW-transposed': make({ dWT: true }),
  'missing-h0-term': make({ from2: true }),
  'last-step-only': make({ only: 'last' }),
  'first-step-only': make({ only: 'first' }),
  'mean-not-sum': make({ mean: true }),
  'dtanh-twice': make({ twice: true }),
  'missing-dtanh-params': make({ noDaParams: true }),
  'missing-dtanh': make({ noD: true, noDaParams: true }),
  'wrong-sign': make({ neg: true }),
};
export default mistakes;
