// Why over 300 lines: the JSON case contract is one piece: its schema, the reading of every field with the error
// that names it, and the writing back, which must stay in step.
// The JSON case file: the interoperability contract. Any framework (PyTorch, numpy, tfjs) can write one, and
// `bpttlab grad CASE.json` answers with the loss, h, o and every gradient, so implementations can be compared.
// Types are checked with a JSON schema (ajv); shapes are checked here, each error naming the field, the
// equation it feeds, and the expected and actual shapes.
import Ajv, { type ErrorObject } from 'ajv';
import { checkMemory, engineMemory, formatDuration } from '../io/limits';
import { backward, forward } from '../model/engine';
import { BpttError } from '../model/errors';
import { LOSSES, type LossName } from '../model/losses';
import type { Params } from '../model/params';
import type { PlainParams, ReferenceResult } from '../model/reference';
import { fromRows, toRows } from '../model/tensor';

export interface CaseJson {
  loss: LossName;
  params: PlainParams;
  h0?: number[];
  x?: number[][];
  tokens?: number[];
  y: (number | null)[] | (number[] | null)[];
  truncate?: number;
}

export interface CaseResult {
  loss: number; // Σ_t L(t), a sum over steps, never a mean
  h: number[][]; // h(1)..h(T)
  o: number[][]; // o(1)..o(T)
  grads: { U: number[][]; W: number[][]; V: number[][]; b: number[]; c: number[]; h0: number[] };
}

export const CASE_FIELDS = ['loss', 'params', 'h0', 'x', 'tokens', 'y', 'truncate'] as const;

const numberArray = { type: 'array', items: { type: 'number' } };
const numberMatrix = { type: 'array', items: numberArray };
const schema = {
  type: 'object',
  required: ['loss', 'params', 'y'],
  properties: {
    loss: { type: 'string' },
    params: {
      type: 'object',
      required: ['U', 'W', 'V', 'b', 'c'],
      properties: { U: numberMatrix, W: numberMatrix, V: numberMatrix, b: numberArray, c: numberArray },
    },
    h0: numberArray,
    x: numberMatrix,
    tokens: { type: 'array', items: { type: 'integer' } },
    y: { type: 'array', items: { anyOf: [{ type: 'null' }, { type: 'number' }, numberArray] } },
    truncate: { type: 'integer' },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true }).compile(schema);

/** Turns ajv's "/params/W/1/2" into "params.W[1][2]". */
function fieldOf(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const s of path.split('/').filter((x) => x !== ''))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v} (a number too large for a double)`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function schemaMessage(e: ErrorObject, root: unknown): string {
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const parent = fieldOf(e.instancePath);
    return `missing field "${parent ? `${parent}.` : ''}${missing}"`;
  }
  const field = fieldOf(e.instancePath) || 'the case';
  const got = describeValue(valueAt(root, e.instancePath));
  if (e.keyword === 'type') {
    const want = (e.params as { type: string }).type;
    const v = valueAt(root, e.instancePath);
    if (typeof v === 'number' && !Number.isFinite(v))
      return `${field} must be a finite number, got ${describeValue(v)}`;
    const article = want === 'array' || want === 'integer' || want === 'object' ? 'an' : 'a';
    return `${field} must be ${article} ${want}, got ${got}`;
  }
  if (e.keyword === 'anyOf') {
    const loss = (root as { loss?: unknown }).loss;
    if (loss === 'softmax-ce')
      return `${field} must be a class index (an integer ≥ 0) or null for softmax-ce, got ${got}`;
    if (loss === 'squared') return `${field} must be a vector of K numbers or null for squared error, got ${got}`;
    return `${field} must be a class index, a vector of numbers or null, got ${got}`;
  }
  return `${field} ${e.message ?? 'is invalid'}, got ${got}`;
}

function dims(m: number[][]): string {
  return `${m.length}×${m.length === 0 ? 0 : m[0].length}`;
}

/** Every row the same length, or an error naming the field and the first row that differs. */
function checkRectangular(field: string, m: number[][]): void {
  for (let i = 1; i < m.length; i++) {
    if (m[i].length !== m[0].length)
      throw new BpttError(`${field} is ragged: row 0 has ${m[0].length} entries but row ${i} has ${m[i].length}`);
  }
}

function checkFiniteAll(field: string, v: number[] | number[][]): void {
  const rows = (Array.isArray(v[0]) ? v : [v]) as number[][];
  const nested = Array.isArray(v[0]);
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < rows[i].length; j++) {
      if (!Number.isFinite(rows[i][j]))
        throw new BpttError(`${field}${nested ? `[${i}][${j}]` : `[${j}]`} must be a finite number, got ${rows[i][j]}`);
    }
  }
}

/**
 * Checks a parsed JSON value against the case contract; returns it typed, or throws a BpttError whose one-line
 * message names the field and the expected and actual shapes. Unknown top-level fields are reported in `warnings`.
 */
export function checkCase(raw: unknown): { value: CaseJson; warnings: string[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new BpttError(`the case must be a JSON object, got ${describeValue(raw)}`);
  if (!validate(raw)) {
    // ajv lists an anyOf's failed branches ("must be null", …) before the anyOf itself; the anyOf says what is wanted
    const errors = validate.errors as ErrorObject[];
    const anyOf = errors.find((e) => e.keyword === 'anyOf');
    throw new BpttError(
      schemaMessage(
        anyOf !== undefined && errors[0].instancePath.startsWith(anyOf.instancePath) ? anyOf : errors[0],
        raw,
      ),
    );
  }
  const c = raw as unknown as CaseJson;
  const warnings = Object.keys(raw)
    .filter((k) => !(CASE_FIELDS as readonly string[]).includes(k))
    .map((k) => `ignoring unknown field "${k}" (known: ${CASE_FIELDS.join(', ')})`);
  if (!LOSSES.includes(c.loss)) throw new BpttError(`loss must be "softmax-ce" or "squared", got "${c.loss}"`);
  const { U, W, V, b, c: cv } = c.params;
  for (const [name, m] of [
    ['U', U],
    ['W', W],
    ['V', V],
  ] as const)
    checkRectangular(`params.${name}`, m);
  const eqA = 'a(t) = b + W h(t-1) + U x(t) (eq 10.8)';
  const eqO = 'o(t) = c + V h(t) (eq 10.10)';
  const H = W.length;
  if (H === 0) throw new BpttError(`params.W must be H×H with H ≥ 1 for ${eqA}, got 0×0`);
  if (W[0].length !== H) throw new BpttError(`params.W must be H×H = ${H}×${H} for ${eqA}, got ${dims(W)}`);
  const D = U.length === 0 ? 0 : U[0].length;
  if (U.length !== H || D === 0)
    throw new BpttError(`params.U must be H×D = ${H}×D (D ≥ 1) for ${eqA}, got ${dims(U)}`);
  if (b.length !== H) throw new BpttError(`params.b must have length H = ${H} for ${eqA}, got ${b.length}`);
  const K = V.length;
  if (K === 0 || V[0].length !== H)
    throw new BpttError(`params.V must be K×H = K×${H} (K ≥ 1) for ${eqO}, got ${dims(V)}`);
  if (cv.length !== K) throw new BpttError(`params.c must have length K = ${K} for ${eqO}, got ${cv.length}`);
  for (const [name, v] of [
    ['U', U],
    ['W', W],
    ['V', V],
    ['b', b],
    ['c', cv],
  ] as const)
    checkFiniteAll(`params.${name}`, v);
  if (c.h0 !== undefined) {
    if (c.h0.length !== H)
      throw new BpttError(`h0 must have length H = ${H} for a(1) = b + W h(0) + U x(1) (eq 10.8), got ${c.h0.length}`);
    checkFiniteAll('h0', c.h0);
  }
  if ((c.x === undefined) === (c.tokens === undefined)) {
    throw new BpttError(
      c.x === undefined
        ? 'the case needs inputs: give either "x" (T×D real vectors) or "tokens" (T indices), got neither'
        : 'give either "x" (T×D real vectors) or "tokens" (T indices), not both',
    );
  }
  let T: number;
  if (c.x !== undefined) {
    checkRectangular('x', c.x);
    T = c.x.length;
    if (T > 0 && c.x[0].length !== D)
      throw new BpttError(`x must be T×D = ${T}×${D} for ${eqA} (D from params.U), got ${dims(c.x)}`);
    checkFiniteAll('x', c.x);
  } else {
    const tokens = c.tokens as number[];
    T = tokens.length;
    const bad = tokens.findIndex((j) => j < 0 || j >= D);
    if (bad >= 0)
      throw new BpttError(
        `tokens[${bad}] must be an index in 0..${D - 1} (one-hot x(t) of length D = ${D}), got ${tokens[bad]}`,
      );
  }
  if (T === 0)
    throw new BpttError(
      `the sequence is empty: ${c.x !== undefined ? 'x' : 'tokens'} must have at least one step (T ≥ 1)`,
    );
  if (c.y.length !== T) throw new BpttError(`y must have one entry per step, T = ${T}, got ${c.y.length}`);
  c.y.forEach((y, t) => {
    if (y === null) return;
    if (c.loss === 'softmax-ce') {
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= K) {
        throw new BpttError(
          `y[${t}] must be a class index in 0..${K - 1} (K = ${K}) or null for softmax-ce, got ${describeValue(y)}`,
        );
      }
    } else {
      if (!Array.isArray(y) || y.length !== K)
        throw new BpttError(
          `y[${t}] must be a vector of length K = ${K} or null for squared error, got ${describeValue(y)}`,
        );
      checkFiniteAll(`y[${t}]`, y);
    }
  });
  if (c.truncate !== undefined && c.truncate < 1)
    throw new BpttError(`truncate must be an integer ≥ 1 (chunk length of truncated BPTT), got ${c.truncate}`);
  return { value: c, warnings };
}

/** Parses the text of a case file; JSON syntax errors become BpttErrors too. A leading byte-order mark is skipped. */
export function parseCase(text: string, source = 'the case'): { value: CaseJson; warnings: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new BpttError(`${source} is not valid JSON (${(e as Error).message}; note JSON has no NaN or Infinity)`);
  }
  return checkCase(raw);
}

export function caseParams(c: CaseJson): Params {
  return {
    U: fromRows(c.params.U, 'params.U'),
    W: fromRows(c.params.W, 'params.W'),
    V: fromRows(c.params.V, 'params.V'),
    b: Float64Array.from(c.params.b),
    c: Float64Array.from(c.params.c),
  };
}

export type EngineName = 'fast' | 'reference';

/** The sizes of a checked case: D, H, K, T. */
export function caseSizes(c: CaseJson): { D: number; H: number; K: number; T: number } {
  return { D: c.params.U[0].length, H: c.params.W.length, K: c.params.V.length, T: c.y.length };
}

/**
 * The mathjs reference takes about 1.5 µs per unit of τ·(n_h² + n_h·D + K·n_h) on this lab's machine (its H(t) is a
 * dense
 * diag matrix); past this many units (about 30 s) it is refused rather than left to run for hours.
 */
export const REFERENCE_WORK_LIMIT = 2e7;

/** Refuses a case whose pass would need more memory than the lab allows, or more time than the reference may take. */
export function checkCaseSize(c: CaseJson, engine: EngineName): void {
  const { D, H, K, T } = caseSizes(c);
  const m = engineMemory({ D, H, K, T, B: 1, real: c.x !== undefined, slots: 0 });
  checkMemory(
    m.parts,
    m.workspace,
    `this case (τ = ${T}, D = ${D}, n_h = ${H}, K = ${K})`,
    'use a shorter sequence or smaller sizes',
  );
  const work = T * (H * H + H * D + K * H);
  if (engine === 'reference' && work > REFERENCE_WORK_LIMIT) {
    throw new BpttError(
      `the reference engine (mathjs, slow on purpose) is limited to τ·(n_h² + n_h·D + K·n_h) ≤ ` +
        `${REFERENCE_WORK_LIMIT.toExponential(0)} (about 30 s); this case has ${work.toExponential(1)} (about ` +
        `${formatDuration(work * 1.5e-6)}): use --engine fast`,
    );
  }
}

const firstBad = (v: readonly number[]): number => v.findIndex((x) => !Number.isFinite(x));
const anyBad = (m: readonly (readonly number[])[]): boolean => m.some((r) => firstBad(r) >= 0);

/**
 * The first non-finite value of a forward pass, in engine.ts's order and words: a, h, o, ŷ, then L(t), step by step.
 */
function forwardNonFinite(f: {
  a: number[][];
  h: number[][];
  o: number[][];
  yhat: number[][];
  losses: ArrayLike<number>;
  loss: number;
}): BpttError {
  for (let t = 1; t <= f.h.length; t++) {
    for (const [name, m] of [
      ['a', f.a],
      ['h', f.h],
      ['o', f.o],
      ['ŷ', f.yhat],
    ] as const) {
      const i = firstBad(m[t - 1]);
      if (i >= 0)
        return new BpttError(
          `forward pass: ${name}(${t})[${i}] is ${m[t - 1][i]} — the first non-finite value (step t = ${t})`,
        );
    }
    if (!Number.isFinite(f.losses[t - 1]))
      return new BpttError(`forward pass: L(${t}) is ${f.losses[t - 1]} (step t = ${t})`);
  }
  return new BpttError(`forward pass: the loss is ${f.loss} although every L(t) is finite (overflow in the sum)`);
}

/**
 * The reference engine's results checked as the fast engine checks its own (engine.ts: the forward pass when the loss
 * is not finite, then ∇o(t), ∇h(t) from t = τ down, then the sums), with the same words, so that both engines give
 * the same one-line error for the same case instead of printing null.
 */
function checkReferenceFinite(r: ReferenceResult): void {
  if (!Number.isFinite(r.loss)) throw forwardNonFinite(r);
  for (let t = r.h.length; t >= 1; t--) {
    for (const [name, m] of [
      ['∇o', r.dO],
      ['∇h', r.dh],
    ] as const) {
      const i = firstBad(m[t - 1]);
      if (i >= 0)
        throw new BpttError(
          `backward pass: ${name}(${t}) L[${i}] is ${m[t - 1][i]} — the first non-finite value (step t = ${t})`,
        );
    }
  }
  const g = r.grads;
  for (const [name, v] of [
    ['∇U', g.U.flat()],
    ['∇W', g.W.flat()],
    ['∇V', g.V.flat()],
    ['∇b', g.b],
    ['∇c', g.c],
    ['∇h(0)', g.h0],
  ] as const) {
    const i = firstBad(v);
    if (i >= 0) throw new BpttError(`backward pass: ${name} L[${i}] is ${v[i]} (overflow while summing over t)`);
  }
  if (anyBad(r.h) || anyBad(r.o)) throw forwardNonFinite(r);
}

/** Runs a checked case through one engine and returns the CLI's output object. */
export function runCase(c: CaseJson, engine: EngineName = 'fast'): CaseResult {
  checkCaseSize(c, engine);
  if (engine === 'reference') {
    // loaded on first use: mathjs takes most of a second to load, which every other command would pay
    const { referenceRun } = require('../model/reference') as typeof import('../model/reference');
    const r = referenceRun(c.params, c);
    checkReferenceFinite(r);
    return { loss: r.loss, h: r.h, o: r.o, grads: r.grads };
  }
  const p = caseParams(c);
  const fw = forward(p, c.tokens !== undefined ? { tokens: c.tokens } : { x: c.x as number[][] }, c.y, {
    loss: c.loss,
    h0: c.h0,
  });
  const g = backward(p, fw, { truncate: c.truncate });
  // engine.ts checks the forward pass only when the loss is not finite; an h or o that overflowed at an unscored step
  // would reach the output as null, so it is named here in the same words as the reference's
  const [h, o] = [toRows(fw.h), toRows(fw.o)];
  if (anyBad(h) || anyBad(o))
    throw forwardNonFinite({ a: toRows(fw.a), h, o, yhat: toRows(fw.yhat), losses: fw.losses, loss: fw.loss });
  return {
    loss: fw.loss,
    h,
    o,
    grads: {
      U: toRows(g.dU),
      W: toRows(g.dW),
      V: toRows(g.dV),
      b: Array.from(g.db),
      c: Array.from(g.dc),
      h0: Array.from(g.dh0),
    },
  };
}
