// The inputs x(1), …, x(T) of eq 10.8: token indices (one-hot x(t)) or real vectors (T×D), checked once.
import { BpttError } from './errors';
import { expectShape, firstNonFinite, fromRows, type Mat, mat } from './tensor';

/** Token indices (one-hot inputs), real vectors (T×D), or either wrapped as { tokens } / { x }. */
export type InputSpec =
  | ArrayLike<number>
  | Mat
  | readonly (readonly number[])[]
  | { readonly tokens: ArrayLike<number> }
  | { readonly x: Mat | readonly (readonly number[])[] };

/** Checked inputs: exactly one of tokens / x is set. */
export interface Inputs {
  readonly T: number;
  readonly tokens: Int32Array | null;
  readonly x: Mat | null; // T×D
}

export function toInputs(spec: InputSpec, D: number): Inputs {
  const eq = 'x(t) in a(t) = b + W h(t-1) + U x(t) (eq 10.8)';
  let tokens: ArrayLike<number> | null = null;
  let x: Mat | readonly (readonly number[])[] | null = null;
  if ('tokens' in spec) tokens = spec.tokens;
  else if ('x' in spec) x = spec.x;
  else if ('data' in spec && 'rows' in spec) x = spec;
  else if (spec.length > 0 && typeof spec[0] !== 'number') x = spec as readonly (readonly number[])[];
  else tokens = spec as ArrayLike<number>;
  if (tokens !== null) {
    const t32 = new Int32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      const j = tokens[t];
      if (!Number.isInteger(j) || j < 0 || j >= D) {
        throw new BpttError(
          `token x(${t + 1}) must be an index in 0..${D - 1} (D = ${D}) for a one-hot ${eq}, got ${j}`,
        );
      }
      t32[t] = j;
    }
    return { T: t32.length, tokens: t32, x: null };
  }
  const m = x !== null && 'data' in x ? x : fromRows(x ?? [], 'x');
  if (m.rows > 0) expectShape(m, m.rows, D, eq, 'T×D');
  const bad = firstNonFinite(m.data);
  if (bad >= 0) throw new BpttError(`x(${Math.floor(bad / D) + 1})[${bad % D}] must be finite, got ${m.data[bad]}`);
  return { T: m.rows, tokens: null, x: m };
}

export function sliceInputs(xs: Inputs, from: number, to: number): Inputs {
  if (xs.tokens) return { T: to - from, tokens: xs.tokens.subarray(from, to), x: null };
  const x = xs.x as Mat;
  return { T: to - from, tokens: null, x: mat(to - from, x.cols, x.data.subarray(from * x.cols, to * x.cols)) };
}

/** B sequences of the same length, interleaved step-major (row (t − 1)·B + s holds step t of sequence s). */
export function interleave(seqs: readonly Inputs[], D: number): { inputs: Inputs; T: number } {
  const B = seqs.length;
  const T = seqs[0].T;
  if (T < 1) throw new BpttError('the sequences are empty: forward needs at least one step x(1) (T ≥ 1)');
  seqs.forEach((s, i) => {
    if (s.T !== T)
      throw new BpttError(
        `forwardBatch: every sequence must have the same length; sequence 0 has T = ${T}, sequence ${i} has T = ${s.T}`,
      );
    if ((s.tokens === null) !== (seqs[0].tokens === null))
      throw new BpttError(`forwardBatch: sequence ${i} mixes token and real-vector inputs with sequence 0`);
  });
  if (seqs[0].tokens) {
    const tokens = new Int32Array(T * B);
    seqs.forEach((s, i) => (s.tokens as Int32Array).forEach((tok, t) => (tokens[t * B + i] = tok)));
    return { inputs: { T: T * B, tokens, x: null }, T };
  }
  const x = mat(T * B, D);
  seqs.forEach((s, i) => {
    for (let t = 0; t < T; t++) x.data.set((s.x as Mat).data.subarray(t * D, (t + 1) * D), (t * B + i) * D);
  });
  return { inputs: { T: T * B, tokens: null, x }, T };
}

/** The input spec that gives these inputs back (to run the forward pass on a slice). */
export function specOf(xs: Inputs): InputSpec {
  return xs.tokens ? { tokens: xs.tokens } : { x: xs.x as Mat };
}
