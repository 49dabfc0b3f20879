// One step's summand of each parameter gradient (eqs 10.22–10.28), written out entry by entry: the sums over t that
// the engine forms as one matrix product, taken apart so a notebook (and randomized truncation's tests) can show and
// check each step's share.
import type { Forward, Grads } from './engine';
import { BpttError } from './errors';
import { type Params, zerosLike } from './params';
import { type Mat, row } from './tensor';

/** Step t's summand (t = 1..T, as in the book) of each of eqs 10.22–10.28, from a finished backward pass. */
export interface StepContribution {
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
}

export function stepContribution(p: Params, fw: Forward, g: Grads, t: number): StepContribution {
  if (!Number.isInteger(t) || t < 1 || t > fw.T) throw new BpttError(`step t must be in 1..${fw.T}, got ${t}`);
  const { H, K, D } = fw.sizes;
  const c = zerosLike(p);
  for (let r = (t - 1) * fw.B; r < t * fw.B; r++) {
    const dO = row(g.dO, r);
    const da = row(g.da, r); // H(t) ∇h(t) L
    const h = row(fw.hAll, r + fw.B); // h(t)
    const hPrev = row(fw.hAll, r); // h(t − 1)
    for (let j = 0; j < K; j++) {
      c.c[j] += dO[j]; // eq 10.22's term: ∇o(t) L
      for (let i = 0; i < H; i++) c.V.data[j * H + i] += dO[j] * h[i]; // eq 10.24's term: ∇o(t) L h(t)^T
    }
    for (let i = 0; i < H; i++) {
      c.b[i] += da[i]; // eq 10.23's term: H(t) ∇h(t) L
      for (let j = 0; j < H; j++) c.W.data[i * H + j] += da[i] * hPrev[j]; // eq 10.26's term: H(t) ∇h(t) L h(t−1)^T
      if (fw.inputs.tokens)
        c.U.data[i * D + fw.inputs.tokens[r]] += da[i]; // eq 10.28's term, one-hot x(t)
      else for (let j = 0; j < D; j++) c.U.data[i * D + j] += da[i] * (fw.inputs.x as Mat).data[r * D + j];
    }
  }
  return { dU: c.U, dW: c.W, dV: c.V, db: c.b, dc: c.c };
}
