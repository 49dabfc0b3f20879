// Random cases for the tests: any shapes, both losses, token or real inputs, masked steps, h0, truncation.
import fc from 'fast-check';
import { type CaseJson, fromRows, type LossName, type Params, type Rng, rng, toRows } from '../src';
import { closeness } from '../src/model/agree';

export interface CaseSpec {
  D: number;
  H: number;
  K: number;
  T: number;
  loss: LossName;
  tokens: boolean;
  seed: number;
  withH0: boolean;
  nullRate: number; // fraction of unscored steps
  truncate?: number;
  scale?: number; // weight std multiplier: ~1 keeps tanh away from both linear and saturated
}

const gauss = (r: Rng, s: number): number => s * r.normal();
const matrix = (r: Rng, rows: number, cols: number, s: number): number[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => gauss(r, s)));

/** A case in the JSON contract's layout, reproducible from its spec. */
export function makeCase(s: CaseSpec): CaseJson {
  const r = rng(s.seed);
  const sc = s.scale ?? 1;
  const c: CaseJson = {
    loss: s.loss,
    params: {
      U: matrix(r, s.H, s.D, sc / Math.sqrt(s.D)),
      W: matrix(r, s.H, s.H, sc / Math.sqrt(s.H)),
      V: matrix(r, s.K, s.H, sc / Math.sqrt(s.H)),
      b: matrix(r, 1, s.H, 0.3)[0],
      c: matrix(r, 1, s.K, 0.3)[0],
    },
    y: [],
  };
  if (s.withH0) c.h0 = matrix(r, 1, s.H, 0.5)[0];
  if (s.tokens) c.tokens = Array.from({ length: s.T }, () => r.int(s.D));
  else c.x = matrix(r, s.T, s.D, 1);
  c.y = Array.from({ length: s.T }, () => {
    if (r.uniform() < s.nullRate) return null;
    return s.loss === 'softmax-ce' ? r.int(s.K) : matrix(r, 1, s.K, 1)[0];
  }) as CaseJson['y'];
  if (s.truncate !== undefined) c.truncate = s.truncate;
  return c;
}

export function arbSpec(o: { maxDim?: number; maxT?: number } = {}): fc.Arbitrary<CaseSpec> {
  const dim = fc.integer({ min: 1, max: o.maxDim ?? 6 });
  return fc.record({
    D: dim,
    H: dim,
    K: dim,
    T: fc.integer({ min: 1, max: o.maxT ?? 12 }),
    loss: fc.constantFrom<LossName>('softmax-ce', 'squared'),
    tokens: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    withH0: fc.boolean(),
    nullRate: fc.constantFrom(0, 0.3),
    truncate: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    scale: fc.constantFrom(0.5, 1, 1.5),
  });
}

export function paramsOf(c: CaseJson): Params {
  return {
    U: fromRows(c.params.U),
    W: fromRows(c.params.W),
    V: fromRows(c.params.V),
    b: Float64Array.from(c.params.b),
    c: Float64Array.from(c.params.c),
  };
}

export const inputsOf = (c: CaseJson) => (c.tokens ? { tokens: c.tokens } : { x: c.x as number[][] });

/** Largest per-entry violation of |a − b| ≤ tol · max(1, |a| + |b|): ≤ 1 means they agree. */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): { worst: number; index: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const v = closeness(a[i], b[i], tol);
    if (!(v <= worst)) {
      worst = v;
      index = i;
    }
  }
  return { worst, index };
}

export type Nested = number | Nested[];
export const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

/** Throws with the field and entry when two CLI-shaped results disagree beyond tol. */
export function assertResultsAgree(
  got: Record<string, unknown>,
  want: Record<string, unknown>,
  tol: number,
  fields: string[],
  label: string,
): void {
  for (const f of fields) {
    const path = f.split('.');
    const pick = (o: Record<string, unknown>) =>
      path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], o) as Nested;
    const [a, b] = [flat(pick(got)), flat(pick(want))];
    const { worst, index } = agreement(a, b, tol);
    if (!(worst <= 1)) throw new Error(`${label}: ${f}[${index}] = ${a[index]} but expected ${b[index]} (tol ${tol})`);
  }
}

export const RESULT_FIELDS = ['loss', 'h', 'o', 'grads.U', 'grads.W', 'grads.V', 'grads.b', 'grads.c', 'grads.h0'];

export { toRows };

/** A small token case (D = 2, n_h = 2, K = 3, τ = 3, one step unscored) that the command-line tests write to files. */
export const SMALL_CASE = {
  loss: 'softmax-ce',
  params: {
    U: [
      [0.5, -0.3],
      [0.1, 0.2],
    ],
    W: [
      [0.4, -0.6],
      [0.3, 0.2],
    ],
    V: [
      [1, -1],
      [0.5, 0.25],
      [-0.3, 0.8],
    ],
    b: [0.1, -0.1],
    c: [0, 0.2, -0.2],
  },
  tokens: [0, 1, 1],
  y: [2, null, 0],
};

/** A pattern for `text` exactly as written: a message quoted whole, with no regex escapes to read past. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** What a title outside a typeset page may not show: a $ of inline maths, or a LaTeX command such as \nabla. */
export const UNRENDERED = /\$|\\[A-Za-z]+/;
