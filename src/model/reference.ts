// The reference engine: each equation of Deep Learning §10.2.2 transcribed once, with mathjs matrices, so the
// code reads like the LaTeX above it in the notebooks. It is slow and plain on purpose and shares no code with
// engine.ts (it never imports it): the tests hold the fast engine equal to this one, which proves something only
// because the two are written independently.
import { all, create, type MathNode, type Matrix } from 'mathjs';

export const math = create(all, {});

/** A column vector, as a 1-D mathjs matrix. */
export type Vector = Matrix;

const vector = (v: readonly number[]): Vector => math.matrix([...v]);
const matrix = (m: readonly (readonly number[])[]): Matrix => math.matrix(m.map((r) => [...r]));
/** u v^T as a matrix (mathjs multiplies two 1-D vectors to a dot product, so reshape first). */
const outer = (u: Vector, v: Vector): Matrix =>
  math.multiply(math.reshape(u, [u.size()[0], 1]), math.reshape(v, [1, v.size()[0]])) as Matrix;
const toArray1 = (v: Vector): number[] => v.toArray() as number[];
const toArray2 = (m: Matrix): number[][] => m.toArray() as number[][];

// --- forward (eqs 10.8–10.11) ---

/** Eq 10.8: a(t) = b + W h(t−1) + U x(t). */
export const eq10_8_a = (b: Vector, W: Matrix, hPrev: Vector, U: Matrix, x: Vector): Vector =>
  math.add(math.add(b, math.multiply(W, hPrev)), math.multiply(U, x)) as Vector;

/** Eq 10.9: h(t) = tanh(a(t)), elementwise. */
export const eq10_9_h = (a: Vector): Vector => math.map(a, (v: number) => Math.tanh(v)) as Vector;

/** Eq 10.10: o(t) = c + V h(t). */
export const eq10_10_o = (c: Vector, V: Matrix, h: Vector): Vector => math.add(c, math.multiply(V, h)) as Vector;

/** Eq 10.11: ŷ(t) = softmax(o(t)) = exp(o) / Σ exp(o) (shifted by max(o), which leaves softmax unchanged). */
export const eq10_11_yhat = (o: Vector): Vector => {
  const e = math.map(o, (v: number) => Math.exp(v - (math.max(o) as number))) as Vector;
  return math.divide(e, math.sum(e)) as Vector;
};

/** Eqs 10.12–10.14, one term: L(t) = −log ŷ(t)_y(t) (softmax cross-entropy). */
export const lossCE = (yhat: Vector, y: number): number => -Math.log(yhat.get([y]) as number);

/** The squared-error alternative: L(t) = ½‖o(t) − y(t)‖². */
export const lossSquared = (o: Vector, y: Vector): number =>
  0.5 * (math.sum(math.dotPow(math.subtract(o, y), 2) as Vector) as number);

// --- backward (eqs 10.17–10.28) ---

/** Eq 10.18: ∇o(t) L = ŷ(t) − 1_y(t) (softmax cross-entropy; ∂L/∂L(t) = 1 by eq 10.17). */
export const eq10_18_dO = (yhat: Vector, y: number): Vector => {
  const oneHot = math.zeros(yhat.size()[0]) as Vector;
  oneHot.set([y], 1);
  return math.subtract(yhat, oneHot) as Vector;
};

/** Squared error: ∇o(t) L = o(t) − y(t). */
export const dOSquared = (o: Vector, y: Vector): Vector => math.subtract(o, y) as Vector;

/** H(t) = diag(1 − h(t)²), the Jacobian of h(t) = tanh(a(t)) with respect to a(t) (tanh' = 1 − tanh²). */
export const tanhJacobian = (h: Vector): Matrix => math.diag(math.subtract(1, math.dotPow(h, 2)) as Vector) as Matrix;

/** Eq 10.19: ∇h(τ) L = V^T ∇o(τ) L, at the last step. */
export const eq10_19_dhLast = (V: Matrix, dOLast: Vector): Vector => math.multiply(math.transpose(V), dOLast) as Vector;

/** Eqs 10.20–10.21: ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L. */
export const eq10_21_dh = (W: Matrix, hNext: Vector, dhNext: Vector, V: Matrix, dO: Vector): Vector =>
  math.add(
    math.multiply(math.multiply(math.transpose(W), tanhJacobian(hNext)), dhNext),
    math.multiply(math.transpose(V), dO),
  ) as Vector;

/** Eq 10.22: ∇c L = Σ_t ∇o(t) L. */
export const eq10_22_dc = (dO: Vector[]): Vector => dO.reduce((s, d) => math.add(s, d) as Vector);

/** Eq 10.23: ∇b L = Σ_t H(t) ∇h(t) L. */
export const eq10_23_db = (h: Vector[], dh: Vector[]): Vector =>
  h.map((ht, t) => math.multiply(tanhJacobian(ht), dh[t]) as Vector).reduce((s, v) => math.add(s, v) as Vector);

/** Eq 10.24: ∇V L = Σ_t ∇o(t) L h(t)^T. */
export const eq10_24_dV = (dO: Vector[], h: Vector[]): Matrix =>
  dO.map((d, t) => outer(d, h[t])).reduce((s, m) => math.add(s, m) as Matrix);

/** Eqs 10.25–10.26: ∇W L = Σ_t H(t) ∇h(t) L h(t−1)^T. `hPrev[t]` is h(t−1). */
export const eq10_26_dW = (h: Vector[], dh: Vector[], hPrev: Vector[]): Matrix =>
  h
    .map((ht, t) => outer(math.multiply(tanhJacobian(ht), dh[t]) as Vector, hPrev[t]))
    .reduce((s, m) => math.add(s, m) as Matrix);

/** Eqs 10.27–10.28: ∇U L = Σ_t H(t) ∇h(t) L x(t)^T. */
export const eq10_28_dU = (h: Vector[], dh: Vector[], x: Vector[]): Matrix =>
  h
    .map((ht, t) => outer(math.multiply(tanhJacobian(ht), dh[t]) as Vector, x[t]))
    .reduce((s, m) => math.add(s, m) as Matrix);

/** ∇h(0) L = W^T H(1) ∇h(1) L: eq 10.21's first term at t = 0 (there is no o(0), so no V^T ∇o(0) L). */
export const dh0 = (W: Matrix, h1: Vector, dh1: Vector): Vector =>
  math.multiply(math.multiply(math.transpose(W), tanhJacobian(h1)), dh1) as Vector;

// --- the whole sequence, in plain arrays (the JSON case format) ---

export interface PlainParams {
  U: number[][];
  W: number[][];
  V: number[][];
  b: number[];
  c: number[];
}

export interface PlainSequence {
  loss: 'softmax-ce' | 'squared';
  h0?: number[];
  x?: number[][];
  tokens?: number[];
  y: readonly (number | readonly number[] | null)[];
  truncate?: number;
}

export interface ReferenceResult {
  loss: number;
  losses: number[];
  a: number[][];
  h: number[][];
  o: number[][];
  yhat: number[][];
  dO: number[][];
  dh: number[][];
  grads: { U: number[][]; W: number[][]; V: number[][]; b: number[]; c: number[]; h0: number[] };
}

/**
 * Runs eqs 10.8–10.28 over a whole sequence. Assumes a checked case (the fast engine and the CLI check shapes);
 * truncation: chunks of k steps from t = 1, no gradient across chunk boundaries, ∇h(0) from the first chunk.
 */
export function referenceRun(p: PlainParams, s: PlainSequence): ReferenceResult {
  const [U, W, V, b, c] = [matrix(p.U), matrix(p.W), matrix(p.V), vector(p.b), vector(p.c)];
  const Hn = p.W.length;
  const D = p.U[0].length;
  const T = s.y.length;
  const xs: Vector[] = [];
  for (let t = 0; t < T; t++) {
    if (s.tokens) {
      const x = math.zeros(D) as Vector;
      x.set([s.tokens[t]], 1); // one-hot x(t)
      xs.push(x);
    } else xs.push(vector((s.x as number[][])[t]));
  }
  // Forward, eqs 10.8–10.14. h[t] is h(t), h[0] = h(0); a, o, ŷ, L are indexed by step t − 1.
  const h: Vector[] = [s.h0 ? vector(s.h0) : (math.zeros(Hn) as Vector)];
  const a: Vector[] = [];
  const o: Vector[] = [];
  const yhat: Vector[] = [];
  const L: number[] = [];
  for (let t = 1; t <= T; t++) {
    a.push(eq10_8_a(b, W, h[t - 1], U, xs[t - 1]));
    h.push(eq10_9_h(a[t - 1]));
    o.push(eq10_10_o(c, V, h[t]));
    const y = s.y[t - 1];
    if (s.loss === 'softmax-ce') {
      yhat.push(eq10_11_yhat(o[t - 1]));
      L.push(y === null ? 0 : lossCE(yhat[t - 1], y as number));
    } else {
      yhat.push(o[t - 1]);
      L.push(y === null ? 0 : lossSquared(o[t - 1], vector(y as number[])));
    }
  }
  // Backward, eqs 10.17–10.21, inside each truncation chunk [start, end] (1-based).
  const K = p.V.length;
  const dO: Vector[] = [];
  for (let t = 1; t <= T; t++) {
    const y = s.y[t - 1];
    if (y === null) dO.push(math.zeros(K) as Vector);
    else
      dO.push(
        s.loss === 'softmax-ce' ? eq10_18_dO(yhat[t - 1], y as number) : dOSquared(o[t - 1], vector(y as number[])),
      );
  }
  const k = s.truncate ?? T;
  const dh: Vector[] = new Array<Vector>(T + 1); // dh[t] = ∇h(t) L within its chunk
  let dH0: Vector = math.zeros(Hn) as Vector;
  for (let start = 1; start <= T; start += k) {
    const end = Math.min(start + k - 1, T);
    dh[end] = eq10_19_dhLast(V, dO[end - 1]); // the chunk's last step is its τ
    for (let t = end - 1; t >= start; t--) dh[t] = eq10_21_dh(W, h[t + 1], dh[t + 1], V, dO[t - 1]);
    if (start === 1) dH0 = dh0(W, h[1], dh[1]);
  }
  // Parameter gradients, eqs 10.22–10.28: sums over t = 1..T.
  const hs = h.slice(1);
  const dhs = dh.slice(1);
  return {
    loss: L.reduce((x, y) => x + y, 0),
    losses: L,
    a: a.map(toArray1),
    h: hs.map(toArray1),
    o: o.map(toArray1),
    yhat: yhat.map(toArray1),
    dO: dO.map(toArray1),
    dh: dhs.map(toArray1),
    grads: {
      U: toArray2(eq10_28_dU(hs, dhs, xs)),
      W: toArray2(eq10_26_dW(hs, dhs, h.slice(0, T))),
      V: toArray2(eq10_24_dV(dO, hs)),
      b: toArray1(eq10_23_db(hs, dhs)),
      c: toArray1(eq10_22_dc(dO)),
      h0: toArray1(dH0),
    },
  };
}

// --- symbolic: tanh' = 1 − tanh² ---

export interface TanhDerivativeCheck {
  /** What math.derivative says d/dx tanh(x) is. */
  derivative: string;
  /**
   * derivative − (1 − tanh(x)²) rewritten with u = e^x (sech x = 2u/(u²+1), tanh x = (u²−1)/(u²+1)), as one fraction.
   */
  difference: string;
  /** True when that fraction's numerator is the zero polynomial: d/dx tanh(x) = 1 − tanh(x)² symbolically. */
  holds: boolean;
  /** Largest |derivative − (1 − tanh²)| over x in [−4, 4], as a numeric sanity check. */
  maxNumericGap: number;
}

export function tanhDerivativeCheck(): TanhDerivativeCheck {
  const d: MathNode = math.derivative('tanh(x)', 'x');
  const inU: Record<string, string> = {
    sech: '(2 * u / (u^2 + 1))',
    tanh: '((u^2 - 1) / (u^2 + 1))',
    cosh: '((u^2 + 1) / (2 * u))',
  };
  const toU = (node: MathNode): MathNode =>
    node.transform((n: MathNode) => {
      const name = n.type === 'FunctionNode' ? (n as unknown as { fn: { name: string } }).fn.name : '';
      return name in inU ? math.parse(inU[name]) : n;
    });
  const diff = toU(math.parse(`(${d.toString()}) - (1 - tanh(x)^2)`));
  const r = math.rationalize(math.simplify(diff), {}, true) as unknown as {
    numerator: MathNode;
    denominator: MathNode;
  };
  const f = d.compile();
  let gap = 0;
  for (let x = -4; x <= 4; x += 0.125)
    gap = Math.max(gap, Math.abs((f.evaluate({ x }) as number) - (1 - Math.tanh(x) ** 2)));
  return {
    derivative: d.toString(),
    difference: `${r.numerator.toString()} / (${r.denominator.toString()})`,
    holds: r.numerator.toString() === '0',
    maxNumericGap: gap,
  };
}
