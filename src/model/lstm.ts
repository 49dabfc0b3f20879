// Why over 300 lines: the LSTM is read as one piece, its forward pass and the hand-written backward pass that undoes
// it step by step, with the parameter set they share; its gradient check is in check/lstm-gradcheck.ts.
// A minimal LSTM (Deep Learning §10.10.1; Hochreiter & Schmidhuber 1997 with the forget gate of Gers et al. 2000),
// forward and hand-written backward side by side, in the style of engine.ts: each backward line says which forward line
// it differentiates. One layer, no peepholes, the gate layout of PyTorch's nn.LSTM so its weights map one to one.
//
//   a(t) = b + Wx x(t) + Wh h(t−1)                      4H pre-activations, in blocks [i; f; g; q]
//   i(t) = σ(a_i)   f(t) = σ(a_f)   g(t) = tanh(a_g)   q(t) = σ(a_q)      input, forget, candidate, output gates
//   c(t) = f(t) ⊙ c(t−1) + i(t) ⊙ g(t)                  the cell (the book's s(t))
//   h(t) = q(t) ⊙ tanh(c(t))
//   o(t) = by + V h(t)                                  the output layer, then L(t) as for the vanilla RNN (losses.ts)
//
// q is the book's name for the output gate (PyTorch's o), so that o(t) stays the output as in eq 10.10; the output
// bias is `by` (min-char-rnn's name) because c is the cell. The path the LSTM was built for: along the cell,
// ∂c(t)/∂c(t−1) = diag(f(t)), a product of numbers in (0, 1) that the network can hold near 1, where the vanilla
// RNN's ∂h(t)/∂h(t−1) = diag(1 − h(t)²) W is squeezed by tanh′ and W at every step (chapter 6).
//
// Shapes: x(t) ∈ R^D, h(t), c(t) ∈ R^H, o(t) ∈ R^K; Wx is 4H×D, Wh is 4H×H, b ∈ R^4H, V is K×H, by ∈ R^K.
// Per-step matrices hold step t = 1..T in row t − 1; h(0) and c(0) are rows 0 of hAll and cAll.

import { checkTruncate } from './engine';
import { BpttError } from './errors';
import { type InputSpec, type Inputs, toInputs } from './inputs';
import { type LossName, lossBackward, lossForward, type TargetInput, type Targets, toTargets } from './losses';
import { randn, rng } from './rng';
import { expectFinite, expectLength, expectShape, firstNonFinite, type Mat, mat, row } from './tensor';

export interface LstmParams {
  readonly Wx: Mat; // 4H×D, input → gates
  readonly Wh: Mat; // 4H×H, hidden → gates
  readonly b: Float64Array; // 4H, gate biases
  readonly V: Mat; // K×H, hidden → output
  readonly by: Float64Array; // K, output bias
}

export const LSTM_PARAM_NAMES = ['Wx', 'Wh', 'b', 'V', 'by'] as const;
export type LstmParamName = (typeof LSTM_PARAM_NAMES)[number];

export interface LstmSizes {
  readonly D: number;
  readonly H: number;
  readonly K: number;
}

/** Sizes read off the parameters, after checking that they fit together. */
export function checkLstmParams(p: LstmParams): LstmSizes {
  const H = p.Wh.cols;
  const D = p.Wx.cols;
  const K = p.V.rows;
  const eqA = 'a(t) = b + Wx x(t) + Wh h(t-1) (LSTM gates [i; f; g; q])';
  const eqO = 'o(t) = by + V h(t)';
  expectShape(p.Wh, 4 * H, H, `Wh in ${eqA}`, '4H×H');
  expectShape(p.Wx, 4 * H, D, `Wx in ${eqA}`, '4H×D');
  expectLength(p.b, 4 * H, `b in ${eqA}`, '4H');
  expectShape(p.V, K, H, `V in ${eqO}`, 'K×H');
  expectLength(p.by, K, `by in ${eqO}`, 'K');
  if (H < 1 || D < 1 || K < 1) throw new BpttError(`LSTM sizes must be at least 1, got H = ${H}, D = ${D}, K = ${K}`);
  for (const name of LSTM_PARAM_NAMES) expectFinite(lstmParamData(p, name), `LSTM parameter ${name}`);
  return { D, H, K };
}

/** The flat storage of one parameter (a matrix's data or the vector itself). */
export function lstmParamData(p: LstmParams, name: LstmParamName): Float64Array {
  const v = p[name];
  return v instanceof Float64Array ? v : v.data;
}

export interface LstmInitOptions {
  inputSize: number; // D
  hiddenSize: number; // H
  outputSize: number; // K
  /** Seed; the same seed gives the same parameters. Default 1. */
  seed?: number;
  /** Multiplies the std 1/√fan_in of Wx, Wh, V. Default 1. */
  scale?: number;
  /** The forget gate's bias, so that f(t) starts near σ(forgetBias): 1 by default (Jozefowicz et al. 2015). */
  forgetBias?: number;
}

export function initLstm(o: LstmInitOptions): LstmParams {
  const { inputSize: D, hiddenSize: H, outputSize: K } = o;
  for (const [k, v] of Object.entries({ inputSize: D, hiddenSize: H, outputSize: K })) {
    if (!Number.isInteger(v) || v < 1) throw new BpttError(`initLstm: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = rng(o.seed ?? 1);
  const s = o.scale ?? 1;
  const b = new Float64Array(4 * H);
  b.fill(o.forgetBias ?? 1, H, 2 * H);
  return {
    Wx: randn(4 * H, D, s / Math.sqrt(D), r),
    Wh: randn(4 * H, H, s / Math.sqrt(H), r),
    b,
    V: randn(K, H, s / Math.sqrt(H), r),
    by: new Float64Array(K),
  };
}

export function lstmZerosLike(p: LstmParams): LstmParams {
  return {
    Wx: mat(p.Wx.rows, p.Wx.cols),
    Wh: mat(p.Wh.rows, p.Wh.cols),
    b: new Float64Array(p.b.length),
    V: mat(p.V.rows, p.V.cols),
    by: new Float64Array(p.by.length),
  };
}

export function cloneLstm(p: LstmParams): LstmParams {
  const m = (x: Mat): Mat => mat(x.rows, x.cols, x.data.slice());
  return { Wx: m(p.Wx), Wh: m(p.Wh), b: p.b.slice(), V: m(p.V), by: p.by.slice() };
}

export interface LstmForwardOptions {
  loss?: LossName;
  /** h(0) and c(0); zeros when absent. */
  h0?: ArrayLike<number>;
  c0?: ArrayLike<number>;
  /**
   * The parameters used at step t (1..T), instead of p: the book's device of per-step copies θ(t), which the
   * per-step gradient check perturbs one step at a time. Must have p's shapes.
   */
  paramsAt?: (t: number) => LstmParams;
}

export interface LstmForward {
  readonly sizes: LstmSizes;
  readonly T: number;
  readonly inputs: Inputs;
  readonly targets: Targets;
  readonly gates: Mat; // T×4H: [i(t); f(t); g(t); q(t)] after their nonlinearities
  readonly hAll: Mat; // (T+1)×H: h(0), …, h(T)
  readonly cAll: Mat; // (T+1)×H: c(0), …, c(T)
  readonly tanhC: Mat; // T×H: tanh(c(t))
  readonly o: Mat; // T×K
  readonly yhat: Mat; // T×K
  readonly losses: Float64Array; // T
  readonly loss: number; // Σ_t L(t)
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export function lstmForward(
  p: LstmParams,
  xsSpec: InputSpec,
  ys: TargetInput,
  opts: LstmForwardOptions = {},
): LstmForward {
  const sizes = checkLstmParams(p);
  const { D, H, K } = sizes;
  const inputs = toInputs(xsSpec, D);
  const T = inputs.T;
  if (T < 1) throw new BpttError('the sequence is empty: the LSTM forward pass needs at least one step x(1) (T ≥ 1)');
  const targets = toTargets(opts.loss ?? 'softmax-ce', ys, T, K);
  const hAll = mat(T + 1, H);
  const cAll = mat(T + 1, H);
  if (opts.h0 !== undefined) {
    expectLength(opts.h0, H, 'h(0) of the LSTM', 'H');
    hAll.data.set(opts.h0);
    expectFinite(row(hAll, 0), 'h(0)');
  }
  if (opts.c0 !== undefined) {
    expectLength(opts.c0, H, 'c(0) of the LSTM', 'H');
    cAll.data.set(opts.c0);
    expectFinite(row(cAll, 0), 'c(0)');
  }
  const gates = mat(T, 4 * H);
  const tanhC = mat(T, H);
  const o = mat(T, K);
  const yhat = mat(T, K);
  const losses = new Float64Array(T);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const q = opts.paramsAt ? opts.paramsAt(t + 1) : p;
    const G = gates.data;
    const gt = t * 4 * H;
    for (let r = 0; r < 4 * H; r++) {
      // a(t) = b + Wx x(t) + Wh h(t−1)
      let a = q.b[r];
      if (inputs.tokens !== null) a += q.Wx.data[r * D + inputs.tokens[t]];
      else for (let j = 0; j < D; j++) a += q.Wx.data[r * D + j] * (inputs.x as Mat).data[t * D + j];
      for (let j = 0; j < H; j++) a += q.Wh.data[r * H + j] * hAll.data[t * H + j];
      G[gt + r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sigmoid(a); // g = tanh(a_g); i, f, q = σ(a)
    }
    for (let j = 0; j < H; j++) {
      const ig = G[gt + j],
        fg = G[gt + H + j],
        gg = G[gt + 2 * H + j],
        qg = G[gt + 3 * H + j];
      const c = fg * cAll.data[t * H + j] + ig * gg; // c(t) = f ⊙ c(t−1) + i ⊙ g
      cAll.data[(t + 1) * H + j] = c;
      const tc = Math.tanh(c);
      tanhC.data[t * H + j] = tc;
      hAll.data[(t + 1) * H + j] = qg * tc; // h(t) = q ⊙ tanh(c(t))
    }
    for (let k = 0; k < K; k++) {
      let s = q.by[k]; // o(t) = by + V h(t)
      for (let j = 0; j < H; j++) s += q.V.data[k * H + j] * hAll.data[(t + 1) * H + j];
      o.data[t * K + k] = s;
    }
    losses[t] = lossForward(targets, t, o.data, yhat.data);
    loss += losses[t];
  }
  if (!Number.isFinite(loss)) {
    const t = Array.from(losses).findIndex((v) => !Number.isFinite(v));
    throw new BpttError(`LSTM forward pass: L(${t + 1}) is ${losses[t]} — the first non-finite loss`);
  }
  return { sizes, T, inputs, targets, gates, hAll, cAll, tanhC, o, yhat, losses, loss };
}

export interface LstmBackwardOptions {
  /** Chunked truncation as backward()'s: no gradient crosses a chunk boundary, through h or through c. */
  truncate?: number;
  /** Per-step parameters of the forward pass (as LstmForwardOptions.paramsAt), for the per-step gradient check. */
  paramsAt?: (t: number) => LstmParams;
}

export interface LstmGrads {
  readonly dWx: Mat;
  readonly dWh: Mat;
  readonly db: Float64Array;
  readonly dV: Mat;
  readonly dby: Float64Array;
  readonly dh0: Float64Array; // ∇h(0) L
  readonly dc0: Float64Array; // ∇c(0) L
  readonly dO: Mat; // T×K, ∇o(t) L
  readonly dh: Mat; // T×H, ∇h(t) L
  readonly dc: Mat; // T×H, ∇c(t) L (everything that reaches c(t), the path through h(t) included)
  readonly da: Mat; // T×4H, ∇a(t) L for the four gates' pre-activations
  readonly truncate: number;
}

/** Backward pass: ∇o(t), then ∇h(t), ∇c(t) from τ down to 1, each step's gate gradients, and the sums over t. */
export function lstmBackward(p: LstmParams, fw: LstmForward, opts: LstmBackwardOptions = {}): LstmGrads {
  const { D, H, K } = checkLstmParams(p);
  if (D !== fw.sizes.D || H !== fw.sizes.H || K !== fw.sizes.K) {
    throw new BpttError(
      `lstmBackward: the parameters (H = ${H}, D = ${D}, K = ${K}) are not those of the forward pass (H = ` +
        `${fw.sizes.H}, D = ${fw.sizes.D}, K = ${fw.sizes.K})`,
    );
  }
  const T = fw.T;
  const k = checkTruncate(opts.truncate, T);
  const g = lstmZerosLike(p);
  const dO = mat(T, K);
  const dh = mat(T, H);
  const dc = mat(T, H);
  const da = mat(T, 4 * H);
  const dhNext = new Float64Array(H); // Wh^T ∇a(t+1) L: what h(t) receives from step t + 1
  const dcNext = new Float64Array(H); // f(t+1) ⊙ ∇c(t+1) L: what c(t) receives from step t + 1
  const G = fw.gates.data;
  for (let t = T - 1; t >= 0; t--) {
    if ((t + 1) % k === 0 && t + 1 < T) {
      dhNext.fill(0); // a chunk's last step: detached from the next chunk, as PyTorch's detach() on h and c
      dcNext.fill(0);
    }
    const q = opts.paramsAt ? opts.paramsAt(t + 1) : p;
    lossBackward(fw.targets, t, fw.o.data, fw.yhat.data, dO.data); // ∇o(t) L
    const gt = t * 4 * H;
    for (let j = 0; j < H; j++) {
      // In the forward pass o(t) = by + V h(t), so h(t) receives V^T ∇o(t) L, besides what step t + 1 sends back.
      let s = dhNext[j];
      for (let m = 0; m < K; m++) s += q.V.data[m * H + j] * dO.data[t * K + m];
      dh.data[t * H + j] = s;
      const ig = G[gt + j],
        fg = G[gt + H + j],
        gg = G[gt + 2 * H + j],
        qg = G[gt + 3 * H + j];
      const tc = fw.tanhC.data[t * H + j];
      // h(t) = q ⊙ tanh(c(t)): c(t) receives ∇h ⊙ q ⊙ (1 − tanh²c), besides f(t+1) ⊙ ∇c(t+1) along the cell.
      const dcj = s * qg * (1 - tc * tc) + dcNext[j];
      dc.data[t * H + j] = dcj;
      const cPrev = fw.cAll.data[t * H + j];
      da.data[gt + j] = dcj * gg * ig * (1 - ig); // c = f ⊙ c(t−1) + i ⊙ g: ∂c/∂i = g; σ' = σ(1 − σ)
      da.data[gt + H + j] = dcj * cPrev * fg * (1 - fg); // ∂c/∂f = c(t−1)
      da.data[gt + 2 * H + j] = dcj * ig * (1 - gg * gg); // ∂c/∂g = i; tanh' = 1 − tanh²
      da.data[gt + 3 * H + j] = s * tc * qg * (1 - qg); // h = q ⊙ tanh c: ∂h/∂q = tanh c
      dcNext[j] = dcj * fg; // ∂c(t)/∂c(t−1) = diag(f(t)): the cell path
    }
    // The sums over t, step t's terms: ∇V += ∇o h^T, ∇by += ∇o, ∇Wx += ∇a x^T, ∇Wh += ∇a h(t−1)^T, ∇b += ∇a.
    for (let m = 0; m < K; m++) {
      g.by[m] += dO.data[t * K + m];
      for (let j = 0; j < H; j++) g.V.data[m * H + j] += dO.data[t * K + m] * fw.hAll.data[(t + 1) * H + j];
    }
    for (let r = 0; r < 4 * H; r++) {
      const d = da.data[gt + r];
      g.b[r] += d;
      if (fw.inputs.tokens !== null) g.Wx.data[r * D + fw.inputs.tokens[t]] += d;
      else for (let j = 0; j < D; j++) g.Wx.data[r * D + j] += d * (fw.inputs.x as Mat).data[t * D + j];
      for (let j = 0; j < H; j++) g.Wh.data[r * H + j] += d * fw.hAll.data[t * H + j];
    }
    // a(t) = b + Wx x(t) + Wh h(t−1), so h(t−1) receives Wh^T ∇a(t) L.
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let r = 0; r < 4 * H; r++) s += q.Wh.data[r * H + j] * da.data[gt + r];
      dhNext[j] = s;
    }
  }
  const out: LstmGrads = {
    dWx: g.Wx,
    dWh: g.Wh,
    db: g.b,
    dV: g.V,
    dby: g.by,
    dh0: dhNext,
    dc0: dcNext,
    dO,
    dh,
    dc,
    da,
    truncate: k,
  };
  for (const [name, v] of [
    ['∇Wx', g.Wx.data],
    ['∇Wh', g.Wh.data],
    ['∇b', g.b],
    ['∇V', g.V.data],
    ['∇by', g.by],
    ['∇h(0)', dhNext],
    ['∇c(0)', dcNext],
  ] as const) {
    const i = firstNonFinite(v);
    if (i >= 0) throw new BpttError(`LSTM backward pass: ${name} L[${i}] is ${v[i]}`);
  }
  return out;
}

/** The gradient of one parameter, by name. */
export function lstmGradData(
  g: Pick<LstmGrads, 'dWx' | 'dWh' | 'db' | 'dV' | 'dby'>,
  name: LstmParamName,
): Float64Array {
  const v = { Wx: g.dWx, Wh: g.dWh, b: g.db, V: g.dV, by: g.dby }[name];
  return v instanceof Float64Array ? v : v.data;
}

/** Step t's summand (t = 1..T) of each parameter's gradient, from a finished backward pass. */
export function lstmStepContribution(
  p: LstmParams,
  fw: LstmForward,
  g: LstmGrads,
  t: number,
): Record<LstmParamName, Float64Array> {
  if (!Number.isInteger(t) || t < 1 || t > fw.T) throw new BpttError(`step t must be in 1..${fw.T}, got ${t}`);
  const { D, H, K } = fw.sizes;
  const c = lstmZerosLike(p);
  const s = t - 1;
  for (let m = 0; m < K; m++) {
    c.by[m] = g.dO.data[s * K + m];
    for (let j = 0; j < H; j++) c.V.data[m * H + j] = g.dO.data[s * K + m] * fw.hAll.data[t * H + j];
  }
  for (let r = 0; r < 4 * H; r++) {
    const d = g.da.data[s * 4 * H + r];
    c.b[r] = d;
    if (fw.inputs.tokens !== null) c.Wx.data[r * D + fw.inputs.tokens[s]] = d;
    else for (let j = 0; j < D; j++) c.Wx.data[r * D + j] = d * (fw.inputs.x as Mat).data[s * D + j];
    for (let j = 0; j < H; j++) c.Wh.data[r * H + j] = d * fw.hAll.data[s * H + j];
  }
  return { Wx: c.Wx.data, Wh: c.Wh.data, b: c.b, V: c.V.data, by: c.by };
}

// --- the Jacobians along the cell ---

/**
 * ‖∂c(t)/∂c(k)‖ along the cell path only (the LSTM's "constant error carousel"): the product of the diagonal
 * Jacobians diag(f(k+1)) ⋯ diag(f(t)), whose spectral norm is max_j Π_s f_j(s). Entry k (k = 0..t) of the result.
 */
export function cellPathNorms(fw: LstmForward, t: number = fw.T): Float64Array {
  if (!Number.isInteger(t) || t < 1 || t > fw.T)
    throw new BpttError(`cellPathNorms: t must be in 1..${fw.T}, got ${t}`);
  const H = fw.sizes.H;
  const prod = new Float64Array(H).fill(1);
  const out = new Float64Array(t + 1);
  out[t] = 1;
  for (let s = t; s >= 1; s--) {
    for (let j = 0; j < H; j++) prod[j] *= fw.gates.data[(s - 1) * 4 * H + H + j]; // f_j(s)
    out[s - 1] = prod.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  }
  return out;
}

/**
 * One step of the cell on its own, from a given (h(t−1), c(t−1)): returns c(t) and h(t). For checking the step's
 * Jacobians by finite differences (e.g. ∂c(t)/∂c(t−1) with h(t−1) held = diag(f(t))); t is 1..T of fw's inputs.
 */
export function lstmCell(
  p: LstmParams,
  fw: LstmForward,
  t: number,
  hPrev: ArrayLike<number>,
  cPrev: ArrayLike<number>,
): { c: Float64Array; h: Float64Array } {
  const { D, H } = checkLstmParams(p);
  if (!Number.isInteger(t) || t < 1 || t > fw.T) throw new BpttError(`lstmCell: t must be in 1..${fw.T}, got ${t}`);
  expectLength(hPrev, H, 'h(t−1) in lstmCell', 'H');
  expectLength(cPrev, H, 'c(t−1) in lstmCell', 'H');
  const a = new Float64Array(4 * H);
  for (let r = 0; r < 4 * H; r++) {
    let s = p.b[r];
    if (fw.inputs.tokens !== null) s += p.Wx.data[r * D + fw.inputs.tokens[t - 1]];
    else for (let j = 0; j < D; j++) s += p.Wx.data[r * D + j] * (fw.inputs.x as Mat).data[(t - 1) * D + j];
    for (let j = 0; j < H; j++) s += p.Wh.data[r * H + j] * hPrev[j];
    a[r] = s;
  }
  const c = new Float64Array(H);
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    c[j] = sigmoid(a[H + j]) * cPrev[j] + sigmoid(a[j]) * Math.tanh(a[2 * H + j]);
    h[j] = sigmoid(a[3 * H + j]) * Math.tanh(c[j]);
  }
  return { c, h };
}
