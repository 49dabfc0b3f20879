// The sums over time shared by the parameter-gradient exercises (eqs 10.22–10.28), with the usual mistakes as
// options: which steps are summed, which h is used, how tanh' enters, the sign, a transpose, a mean.
import { addM, dtanh, mul, outer, scaleM, transposeM, zerosM } from './linalg';

export interface SumOpts {
  /** 'all' (correct), 'last', 'first', or 'from2' (t = 2..T: the h(0) / x(0) term dropped). */
  steps?: 'all' | 'last' | 'first' | 'from2';
  mean?: boolean;
  sign?: number;
  transpose?: boolean;
}

/** Σ_t term(t) over the chosen steps, as a matrix, with the sum-level mistakes applied. */
export function sumOver(
  T: number,
  rows: number,
  cols: number,
  term: (t: number) => number[][],
  o: SumOpts,
): number[][] {
  const steps = o.steps ?? 'all';
  const ts = [...Array(T).keys()].filter(
    (t) =>
      steps === 'all' ||
      (steps === 'last' && t === T - 1) ||
      (steps === 'first' && t === 0) ||
      (steps === 'from2' && t > 0),
  );
  let s = zerosM(rows, cols);
  for (const t of ts) s = addM(s, term(t));
  if (o.mean) s = scaleM(s, 1 / T);
  if (o.sign !== undefined) s = scaleM(s, o.sign);
  return o.transpose ? transposeM(s) : s;
}

/** ∇a(t) L = H(t) ∇h(t) L with the tanh' variants: 'ok', 'none', 'twice'. */
export function daOf(h: number[], dh: number[], how: 'ok' | 'none' | 'twice' = 'ok'): number[] {
  if (how === 'none') return dh.slice();
  const d = dtanh(h);
  return mul(how === 'twice' ? mul(d, d) : d, dh);
}

export { outer };
