// Exercise backward-loop: the whole ∇h recursion, eqs 10.19–10.21, from t = τ down to 1:
//   ∇h(τ) L = V^T ∇o(τ) L;   ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L,   H(t+1) = diag(1 − h(t+1)²).

import * as specs from '../specs';
import type { Exercise } from './exercise';
import { add, dtanh, mtv, mul, mv, scale, zeros } from './linalg';

/** The solution, as eqs 10.19–10.21 read: ∇h(t) L for every t (rows t = 1..T), from t = τ down to 1. */
export function dhRecursion(h: number[][], dO: number[][], W: number[][], V: number[][]): number[][] {
  const T = h.length;
  const dh: number[][] = new Array(T);
  dh[T - 1] = mtv(V, dO[T - 1]); // eq 10.19: ∇h(τ) L = V^T ∇o(τ) L
  for (let t = T - 2; t >= 0; t--) {
    dh[t] = add(mtv(W, mul(dtanh(h[t + 1]), dh[t + 1])), mtv(V, dO[t])); // eq 10.21: W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L
  }
  return dh;
}

// --- the mistake models: the recursion above with one thing changed (or a chunk length k, for truncation) ---

export interface LoopOpts {
  wNoT?: boolean;
  vNoT?: boolean;
  d?: (h: number[]) => number[];
  dIndex?: 0 | 1;
  returnsDa?: boolean;
  forwardInTime?: boolean;
  noCarry?: boolean;
  outOnlyLast?: boolean;
  carryOutOnly?: boolean;
  sign?: number;
  k?: number;
  fromEnd?: boolean;
  chunkOf?: (t: number, T: number) => number;
}

/** dhRecursion with the changes `o` asks for; dhLoop({}) is dhRecursion itself (a test holds them equal). */
export function dhLoop(o: LoopOpts) {
  return (h: number[][], dO: number[][], W: number[][], V: number[][]): number[][] | undefined => {
    const T = h.length;
    const H = W.length;
    if (o.vNoT && V.length !== H) return undefined;
    const k = o.k ?? T;
    const d = o.d ?? dtanh;
    const out = (t: number): number[] => (o.vNoT ? mv(V, dO[t]) : mtv(V, dO[t]));
    // chunk start for 0-based step t: chunks from t = 1 (or aligned at the end when fromEnd)
    const chunkStart = (t: number): number =>
      o.chunkOf ? o.chunkOf(t, T) : o.fromEnd ? T - k * Math.ceil((T - t) / k) : Math.floor(t / k) * k;
    const dh: number[][] = new Array(T);
    const order = o.forwardInTime ? [...Array(T).keys()] : [...Array(T).keys()].reverse();
    for (const t of order) {
      const nb = o.forwardInTime ? t - 1 : t + 1; // the neighbour the carry comes from
      const crosses = o.forwardInTime
        ? nb < 0 || chunkStart(t) !== chunkStart(nb)
        : nb >= T || chunkStart(t) !== chunkStart(nb);
      let carry = zeros(H);
      if (!crosses && !o.noCarry) {
        const g = o.carryOutOnly ? out(nb) : dh[nb];
        const hd = d(o.dIndex === 0 ? h[t] : h[nb]);
        carry = o.returnsDa ? mtv(W, g) : o.wNoT ? mv(W, mul(hd, g)) : mtv(W, mul(hd, g));
      }
      const local = o.outOnlyLast && nb < T && !o.forwardInTime ? zeros(H) : out(t);
      let v = add(carry, local);
      if (o.returnsDa) v = mul(dtanh(h[t]), v);
      dh[t] = v;
    }
    return dh.map((r) => scale(r, o.sign ?? 1));
  };
}

export const backwardLoop: Exercise = {
  ...specs.backwardLoop,
  solution: dhRecursion,
  modelOf: (o) => dhLoop(o),
  mistakes: [
    {
      id: 'W-not-transposed',
      title: 'W H(t+1) ∇h(t+1) L instead of W^T H(t+1) ∇h(t+1) L',
      hint: 'eq 10.21: a(t+1) = b + W h(t) + ..., so the gradient flows back to h(t) through W^T.',
      opts: { wNoT: true },
    },
    {
      id: 'V-not-transposed',
      title: 'V ∇o(t) L instead of V^T ∇o(t) L',
      hint: 'eqs 10.19 and 10.21: o(t) = c + V h(t), so h(t) receives V^T ∇o(t) L.',
      opts: { vNoT: true },
    },
    {
      id: 'dtanh-off-by-one',
      title: "tanh' taken at h(t) instead of h(t+1): W^T H(t) ∇h(t+1) L",
      hint:
        'eq 10.21: the factor is H(t+1) = diag(1 − h(t+1)²), from the step the gradient comes from (h(t+1) = ' +
        'tanh(a(t+1))).',
      opts: { dIndex: 0 },
    },
    {
      id: 'forward-in-time',
      title: 'the loop runs forward in time: ∇h(t) built from ∇h(t−1)',
      hint:
        'eqs 10.19–10.21 start at t = τ (∇h(τ) L = V^T ∇o(τ) L) and go down: ∇h(t) L needs ∇h(t+1) L. In code: ' +
        '`for (let t = T - 1; t >= 0; t--)`, where `T` is τ.',
      opts: { forwardInTime: true },
    },
    {
      id: 'returns-da',
      title: "it returns ∇a(t) L = H(t) ∇h(t) L (tanh' of h(t) applied) instead of ∇h(t) L",
      hint: 'the quantity asked for is ∇h(t) L (eq 10.21); H(t+1) multiplies only the carried term.',
      opts: { returnsDa: true },
    },
    {
      id: 'carries-only-output-term',
      title: '∇h(t+1) L not carried back in full: only the V^T ∇o(t+1) L part of it is passed to step t',
      hint:
        'eq 10.21 carries the whole ∇h(t+1) L, which already holds everything from later steps: use the ∇h(t+1) ' +
        'L you computed.',
      opts: { carryOutOnly: true },
    },
    {
      id: 'dtanh-twice',
      title: "tanh' applied twice: (1 − h(t+1)²)²",
      hint: 'H(t+1) = diag(1 − h(t+1)²) appears once per step in eq 10.21.',
      opts: { d: (h: number[]) => h.map((v: number) => (1 - v * v) ** 2) },
    },
    {
      id: 'dtanh-of-h',
      title: "tanh' evaluated at h instead of a: 1 − tanh(h(t+1))²",
      hint: "tanh'(a) = 1 − h² with h = tanh(a) already known: do not apply tanh again.",
      opts: { d: (h: number[]) => h.map((v: number) => 1 - Math.tanh(v) ** 2) },
    },
    {
      id: 'missing-dtanh',
      title: "the tanh' factor H(t+1) = diag(1 − h(t+1)²) is missing",
      hint: 'eq 10.21: ∇h(t+1) L passes back through h(t+1) = tanh(a(t+1)), which multiplies it by 1 − h(t+1)².',
      opts: { d: (h: number[]) => h.map(() => 1) },
    },
    {
      id: 'no-carry',
      title: '∇h(t+1) L is not carried back: every step gets only V^T ∇o(t) L',
      hint: 'eq 10.21: h(t) also influences L through h(t+1); add W^T H(t+1) ∇h(t+1) L.',
      opts: { noCarry: true },
    },
    {
      id: 'missing-output-grad',
      title: 'the gradient from o(t), V^T ∇o(t) L, is forgotten for t < τ',
      hint: 'eq 10.21: every step adds its own V^T ∇o(t) L, not only the last one (eq 10.19).',
      opts: { outOnlyLast: true },
    },
    {
      id: 'wrong-sign',
      title: 'wrong sign: the negative of ∇h(t) L',
      hint: 'eqs 10.19–10.21 have no minus sign; the minus belongs to the update step.',
      opts: { sign: -1 },
    },
  ],
};
