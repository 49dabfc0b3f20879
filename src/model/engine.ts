// Why over 300 lines: the engine is read as one piece, each forward pass directly followed by its backward pass
// (llm.c's layout): input, recurrence, output, then the two drivers that own the workspace.
//
// The vanilla RNN of Deep Learning §10.2.2, forward (eqs 10.8–10.14) and backward (eqs 10.17–10.28), in pairs:
//   input       a(t) = b + U x(t) + …             → ∇U L, ∇b L                       (eqs 10.8; 10.23, 10.27–10.28)
// recurrence a(t) += W h(t−1), h(t) = tanh a(t) → ∇h(t) L for t = τ … 1, ∇W L, ∇h(0) L (eqs 10.8–10.9; 10.19–10.21,
// 10.25–10.26)
//   output      o(t) = c + V h(t)                 → ∇c L, ∇V L, Vᵀ ∇o(t) L          (eqs 10.10; 10.22, 10.24, 10.21)
//   loss        ŷ(t), L(t) (losses.ts)            → ∇o(t) L                          (eqs 10.11–10.14; 10.17–10.18)
// A range names every number in it: eq 10.13 is in 10.12–10.14, eq 10.20 (∇h(t) L through both successors of
// h(t)) in 10.19–10.21. The list of which function computes which equation: EQUATIONS in equations.ts.
//
// Shapes, stated once. B sequences run side by side (B = 1 for forward()); R = T·B rows, row r = (t − 1)·B + s
// holding step t of sequence s (the book counts t from 1, rows from 0).
//   x: R×D (or R token indices)   U: H×D   W: H×H   V: K×H   b: H   c: K
//   a, h, ∇h, ∇a, H(t): R×H        hAll: (R + B)×H = h(0), h(1), …, h(T), so row r of hAll is h(t − 1) and row
//   o, ŷ, ∇o: R×K                 r + B is h(t): all h(t − 1) and all h(t) are each one contiguous block.
// Only the recurrences go one step at a time (W h(t − 1) forward, Wᵀ H(t) ∇h(t) L backward); everything else is one
// matrix product over all R rows (C = A Bᵀ, kernels.ts), which is how the book writes the gradients too: the
// recursion first, then the sums. The passes see named blocks of the workspace (kernels.ts); the drivers at the end
// lay the workspace out and copy the results into matrices the caller owns.
import { BpttError } from './errors';
import { type InputSpec, type Inputs, interleave, toInputs } from './inputs';
import { type Block, rowsOf, type Workspace, workspace } from './kernels';
import { type LossName, lossBackward, lossForward, type TargetInput, type Targets, toTargets } from './losses';
import { checkParams, type Params, type Sizes } from './params';
import { expectFinite, expectLength, firstNonFinite, type Mat, mat, row } from './tensor';

/** Everything the forward pass computed. Per-step matrices hold step t in row t − 1 (row (t − 1)·B + s in a batch). */
export interface Forward {
  readonly sizes: Sizes;
  readonly T: number;
  readonly B: number; // sequences side by side: 1 for forward(), B for forwardBatch()
  readonly inputs: Inputs; // T·B steps, step-major
  readonly targets: Targets; // T·B targets, step-major
  readonly hAll: Mat; // (T+1)·B × H: h(0), h(1), …, h(T)
  readonly h0: Float64Array; // h(0) (B·H entries: a view into hAll)
  readonly a: Mat; // T·B × H, a(t)
  readonly h: Mat; // T·B × H, h(t) (a view into hAll)
  readonly o: Mat; // T·B × K, o(t)
  readonly yhat: Mat; // T·B × K, ŷ(t) = softmax(o(t)) (softmax-ce) or o(t) (squared)
  readonly losses: Float64Array; // T·B, L(t) (0 where the target is null)
  readonly loss: number; // L = Σ_t L(t) (eqs 10.12–10.14), a sum, never a mean
}

/** The gradients of L, and the per-step quantities the notebooks show. Per-step matrices hold step t in row t − 1. */
export interface Grads {
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly dh0: Float64Array; // ∇h(0) L = W^T H(1) ∇h(1) L (no V^T ∇o(0) term: there is no o(0)); B·H in a batch
  readonly dO: Mat; // T×K, ∇o(t) L (eq 10.18) — capital O because `do` is a keyword
  readonly dh: Mat; // T×H, ∇h(t) L (eqs 10.19–10.21), within its chunk when truncated
  readonly dtanh: Mat; // T×H, the diagonal of H(t) = diag(1 − h(t)²)
  readonly da: Mat; // T×H, ∇a(t) L = H(t) ∇h(t) L
  readonly truncate: number; // the chunk length used (T for full BPTT; 0 for factors ξ given by the caller)
}

// ---- input: a(t) = b + U x(t), the input term of eq 10.8, for all R rows at once ----

function inputForward(ws: Workspace, p: Params, x: Inputs, a: Block): void {
  const M = ws.f64;
  const [H, D] = [a.cols, p.U.cols];
  if (x.tokens) {
    for (let r = 0; r < a.rows; r++) {
      const tok = x.tokens[r]; // U x(t) for a one-hot x(t) is column x(t) of U
      for (let i = 0; i < H; i++) M[a.at + r * H + i] = p.b[i] + p.U.data[i * D + tok];
    }
  } else {
    ws.mulT(a, ws.load(x.x as Mat), ws.load(p.U)); // U x(t) for every t
    for (let r = 0; r < a.rows; r++) for (let i = 0; i < H; i++) M[a.at + r * H + i] += p.b[i];
  }
}

/** In the forward pass a(t) = b + U x(t) + …, so b and U receive ∇a(t) L = H(t) ∇h(t) L, summed over t. */
function inputBackward(ws: Workspace, x: Inputs, da: Block, daT: Block, dU: Mat, db: Float64Array): void {
  const M = ws.f64;
  const [H, D] = [da.cols, dU.cols];
  // eq 10.23: ∇b L = Σ_t H(t) ∇h(t) L
  for (let r = 0; r < da.rows; r++) for (let i = 0; i < H; i++) db[i] += M[da.at + r * H + i];
  if (x.tokens) {
    dU.data.fill(0);
    for (let r = 0; r < da.rows; r++) {
      const tok = x.tokens[r]; // eqs 10.27–10.28 for a one-hot x(t): ∇a(t) L goes to column x(t) of ∇U L only
      for (let i = 0; i < H; i++) dU.data[i * D + tok] += M[da.at + r * H + i];
    }
  } else {
    const dUw = ws.block(H, D);
    ws.mulT(dUw, daT, ws.loadTransposed(x.x as Mat)); // eqs 10.27–10.28: ∇U L = Σ_t H(t) ∇h(t) L x(t)^T
    ws.toMat(dUw, dU);
  }
}

// ---- recurrence: a(t) += W h(t − 1), h(t) = tanh(a(t)) (eqs 10.8–10.9), one step at a time ----

function recurrenceForward(ws: Workspace, W: Block, a: Block, hAll: Block, T: number, B: number): void {
  const M = ws.f64;
  const n = B * a.cols; // entries of one step (B rows)
  for (let t = 0; t < T; t++) {
    ws.mulT(rowsOf(a, t * B, B), rowsOf(hAll, t * B, B), W, true); // a(t) += W h(t − 1)
    for (let i = t * n; i < (t + 1) * n; i++) M[hAll.at + n + i] = Math.tanh(M[a.at + i]); // h(t) = tanh(a(t))
  }
}

/**
 * In the forward pass h(t) fed a(t+1) = … + W h(t) and o(t) = c + V h(t), so ∇h(t) L gathers both (eqs 10.19–10.21),
 * from t = τ down to 1. What flows from step t back into h(t − 1) is multiplied by ξ(t) = xi[t − 1]: all 1 for full
 * BPTT, 0 at chunk starts for chunked truncation, drawn for randomized truncation; xi[0] scales ∇h(0) L.
 * On entry dh holds V^T ∇o(t) L (outputBackward); on exit, ∇h(t) L.
 */
function recurrenceBackward(
  ws: Workspace,
  Wt: Block,
  hAll: Block,
  dh: Block,
  da: Block,
  carry: Block,
  dtanh: Mat,
  xi: ArrayLike<number>,
  T: number,
  B: number,
  dh0: Float64Array,
): void {
  const M = ws.f64;
  const n = B * dh.cols;
  M.fill(0, carry.at, carry.at + n); // eq 10.19: there is no step after τ, so ∇h(τ) L = V^T ∇o(τ) L
  for (let t = T - 1; t >= 0; t--) {
    const at = t * n;
    for (let i = 0; i < n; i++) {
      const hi = M[hAll.at + n + at + i];
      const dhi = M[dh.at + at + i] + M[carry.at + i]; // eq 10.21: ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L
      M[dh.at + at + i] = dhi;
      dtanh.data[at + i] = 1 - hi * hi; // H(t) = diag(1 − h(t)²) because tanh' = 1 − tanh²
      M[da.at + at + i] = (1 - hi * hi) * dhi; // ∇a(t) L = H(t) ∇h(t) L
    }
    ws.mulT(carry, rowsOf(da, t * B, B), Wt); // a(t) = … + W h(t − 1), so h(t − 1) receives W^T ∇a(t) L ...
    const s = xi[t]; // ... crossing the boundary into step t − 1 scaled by ξ(t)
    if (s === 0)
      M.fill(0, carry.at, carry.at + n); // detached, like PyTorch's detach(): nothing flows back
    else if (s !== 1) for (let i = 0; i < n; i++) M[carry.at + i] *= s;
  }
  dh0.set(M.subarray(carry.at, carry.at + n)); // ∇h(0) L = W^T H(1) ∇h(1) L (times ξ(1))
}

/** Eqs 10.25–10.26: ∇W L = Σ_t H(t) ∇h(t) L h(t−1)^T, over all rows at once. */
function recurrenceWeightGrad(ws: Workspace, daT: Block, hAll: Block, dWw: Block): void {
  ws.mulT(dWw, daT, ws.loadTransposed(rowsOf(hAll, 0, daT.cols))); // the rows of h(t − 1) for every t
}

// ---- output: o(t) = c + V h(t) (eq 10.10), for all R rows at once ----

function outputForward(ws: Workspace, V: Block, c: Float64Array, hAll: Block, o: Block, B: number): void {
  const M = ws.f64;
  const K = o.cols;
  ws.mulT(o, rowsOf(hAll, B, o.rows), V); // V h(t), the rows of h(t) for every t
  for (let r = 0; r < o.rows; r++) for (let k = 0; k < K; k++) M[o.at + r * K + k] += c[k];
}

/** In the forward pass o(t) = c + V h(t), so c, V and h(t) receive ∇o(t) L. */
function outputBackward(
  ws: Workspace,
  p: Params,
  dO: Mat,
  hAll: Block,
  B: number,
  dc: Float64Array,
  dVw: Block,
  dh: Block,
): void {
  const K = dO.cols;
  // eq 10.22: ∇c L = Σ_t ∇o(t) L
  for (let r = 0; r < dO.rows; r++) for (let j = 0; j < K; j++) dc[j] += dO.data[r * K + j];
  ws.mulT(dh, ws.load(dO), ws.loadTransposed(p.V)); // V^T ∇o(t) L, the second term of eq 10.21, for every t
  const hT = ws.loadTransposed(rowsOf(hAll, B, dO.rows));
  ws.mulT(dVw, ws.loadTransposed(dO), hT); // eq 10.24: ∇V L = Σ_t ∇o(t) L h(t)^T
}

// ---- the drivers: lay out the workspace, run the pairs in order, copy the results out ----

export interface ForwardOptions {
  /** Which L(t): 'softmax-ce' (the book's, default) or 'squared' (½‖o(t) − y(t)‖²). */
  loss?: LossName;
  /** h(0); zeros when absent. */
  h0?: ArrayLike<number>;
  /**
   * A previous result of the same shapes whose arrays this pass may overwrite instead of allocating new ones
   * (training loops and benchmarks: no garbage per call). That previous result is then gone.
   */
  into?: Forward;
}

/** Forward pass over one sequence (eqs 10.8–10.14). */
export function forward(p: Params, xsSpec: InputSpec, ys: TargetInput, opts: ForwardOptions = {}): Forward {
  const sizes = checkParams(p);
  const inputs = toInputs(xsSpec, sizes.D);
  if (inputs.T < 1) throw new BpttError('the sequence is empty: forward needs at least one step x(1) (T ≥ 1)');
  const targets = toTargets(opts.loss ?? 'softmax-ce', ys, inputs.T, sizes.K);
  const h0 = new Float64Array(sizes.H);
  if (opts.h0 !== undefined) {
    expectLength(opts.h0, sizes.H, 'h(0) in a(1) = b + W h(0) + U x(1) (eq 10.8)', 'H');
    h0.set(opts.h0);
    expectFinite(h0, 'h(0)');
  }
  return forwardPass(p, sizes, inputs, targets, inputs.T, 1, h0, opts.into);
}

export interface BatchOptions {
  loss?: LossName;
  /** As ForwardOptions.into. */
  into?: Forward;
  /** One h(0) per sequence; zeros when absent. */
  h0?: readonly ArrayLike<number>[];
}

/** Forward pass over B sequences of the same length at once (a minibatch); backward() takes the result as it is. */
export function forwardBatch(
  p: Params,
  xsList: readonly InputSpec[],
  ysList: readonly TargetInput[],
  opts: BatchOptions = {},
): Forward {
  const sizes = checkParams(p);
  const B = xsList.length;
  if (B < 1) throw new BpttError('forwardBatch needs at least one sequence');
  if (ysList.length !== B)
    throw new BpttError(`forwardBatch: ${B} input sequences but ${ysList.length} target sequences`);
  const { inputs, T } = interleave(
    xsList.map((xs) => toInputs(xs, sizes.D)),
    sizes.D,
  );
  const ysFlat: (number | ArrayLike<number> | null)[] = new Array(T * B);
  ysList.forEach((ys, i) => {
    if (ys.length !== T)
      throw new BpttError(`forwardBatch: y of sequence ${i} must have one target per step, T = ${T}, got ${ys.length}`);
    for (let t = 0; t < T; t++) ysFlat[t * B + i] = ys[t];
  });
  const targets = toTargets(opts.loss ?? 'softmax-ce', ysFlat as TargetInput, T * B, sizes.K);
  const h0 = new Float64Array(B * sizes.H);
  if (opts.h0 !== undefined) {
    if (opts.h0.length !== B)
      throw new BpttError(`forwardBatch: h0 must give one h(0) per sequence (B = ${B}), got ${opts.h0.length}`);
    opts.h0.forEach((v, i) => {
      expectLength(v, sizes.H, `h(0) of sequence ${i} in a(1) = b + W h(0) + U x(1) (eq 10.8)`, 'H');
      h0.set(v, i * sizes.H);
    });
    expectFinite(h0, 'h(0)');
  }
  return forwardPass(p, sizes, inputs, targets, T, B, h0, opts.into);
}

function forwardPass(
  p: Params,
  sizes: Sizes,
  inputs: Inputs,
  targets: Targets,
  T: number,
  B: number,
  h0: Float64Array,
  into?: Forward,
): Forward {
  const { H, K, D } = sizes;
  const R = T * B;
  const ws = workspace();
  ws.begin(H * H + K * H + (inputs.x !== null ? H * D + R * D : 0) + R * H + (R + B) * H + R * K + 16);
  const [W, V] = [ws.load(p.W), ws.load(p.V)];
  const [a, hAll, o] = [ws.block(R, H), ws.block(R + B, H), ws.block(R, K)];
  ws.f64.set(h0, hAll.at);
  inputForward(ws, p, inputs, a);
  recurrenceForward(ws, W, a, hAll, T, B);
  outputForward(ws, V, p.c, hAll, o, B);
  const out = { a: ws.toMat(a, into?.a), hAll: ws.toMat(hAll, into?.hAll), o: ws.toMat(o, into?.o) };
  // Eq 10.11 and the loss terms (eqs 10.12–10.14), losses.ts.
  const yhat = into?.yhat.rows === R && into.yhat.cols === K ? into.yhat : mat(R, K);
  const losses = into?.losses.length === R ? into.losses : new Float64Array(R);
  let loss = 0;
  for (let r = 0; r < R; r++) {
    losses[r] = lossForward(targets, r, out.o.data, yhat.data);
    loss += losses[r];
  }
  const h = mat(R, H, out.hAll.data.subarray(B * H));
  const fw: Forward = {
    sizes,
    T,
    B,
    inputs,
    targets,
    hAll: out.hAll,
    h0: out.hAll.data.subarray(0, B * H),
    a: out.a,
    h,
    o: out.o,
    yhat,
    losses,
    loss,
  };
  if (!Number.isFinite(loss)) reportNonFinite(fw);
  return fw;
}

export interface BackwardOptions {
  /**
   * Truncated BPTT: chunks of k steps from t = 1 (1..k, k+1..2k, ...; the last may be shorter). The state
   * is carried across chunk boundaries but no gradient flows back across them (PyTorch's detach()).
   * The loss is still the full Σ_t L(t); ∇h(0) comes from the first chunk only. k ≥ T is full BPTT.
   */
  truncate?: number;
  /**
   * Instead of truncate: the factor ξ(t) (xi[t − 1], t = 1..T) that multiplies what flows from step t back into
   * h(t − 1) (xi[0]: into h(0)). All 1 is full BPTT; randomized truncation draws them (truncation.ts).
   */
  xi?: ArrayLike<number>;
  /** A previous result of the same shapes whose arrays this pass may overwrite (as ForwardOptions.into). */
  gradsInto?: Grads;
}

export function checkTruncate(k: number | undefined, T: number): number {
  if (k === undefined) return Math.max(T, 1);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new BpttError(`truncate must be an integer ≥ 1 (chunk length k of truncated BPTT), got ${String(k)}`);
  }
  return k;
}

/** ξ(t) of chunked truncation with chunks of k: 0 where a chunk starts (t = k+1, 2k+1, …), else 1. */
function chunkFactors(T: number, k: number): Float64Array {
  const xi = new Float64Array(T).fill(1);
  for (let t = k; t < T; t += k) xi[t] = 0;
  return xi;
}

/** Backward pass (eqs 10.17–10.28): ∇o(t), then the ∇h(t) recursion from τ down to 1, then the sums over t. */
export function backward(p: Params, fw: Forward, opts: BackwardOptions = {}): Grads {
  const { H, K, D } = checkParams(p);
  if (H !== fw.sizes.H || K !== fw.sizes.K || D !== fw.sizes.D) {
    throw new BpttError(
      `backward: the parameters (H = ${H}, D = ${D}, K = ${K}) are not those of the forward pass (H = ` +
        `${fw.sizes.H}, D = ${fw.sizes.D}, K = ${fw.sizes.K})`,
    );
  }
  const { T, B } = fw;
  const R = T * B;
  const k = opts.xi === undefined ? checkTruncate(opts.truncate, T) : 0;
  if (opts.xi !== undefined && opts.xi.length !== T)
    throw new BpttError(`backward: xi needs one factor ξ(t) per step, T = ${T}, got ${opts.xi.length}`);
  const xi = opts.xi ?? chunkFactors(T, k);
  const into = opts.gradsInto;
  const vec = (v: Float64Array | undefined, len: number) => (v?.length === len ? v.fill(0) : new Float64Array(len));
  const reuse = (m: Mat | undefined, rows: number, cols: number) =>
    m?.rows === rows && m.cols === cols ? m : mat(rows, cols);
  const [dO, dtanh, dU] = [reuse(into?.dO, R, K), reuse(into?.dtanh, R, H), reuse(into?.dU, H, D)];
  const [dh0, dc, db] = [vec(into?.dh0, B * H), vec(into?.dc, K), vec(into?.db, H)];
  const ws = workspace();
  ws.begin(
    2 * H * K +
      2 * R * K +
      2 * H * H +
      B * H +
      (R + B) * H +
      5 * R * H +
      H * D +
      (fw.inputs.x !== null ? 2 * R * D : 0) +
      16,
  );
  const hAll = ws.load(fw.hAll);
  const [dh, da, dVw, dWw, carry] = [ws.block(R, H), ws.block(R, H), ws.block(K, H), ws.block(H, H), ws.block(B, H)];

  // eqs 10.17–10.18, losses.ts
  for (let r = 0; r < R; r++) lossBackward(fw.targets, r, fw.o.data, fw.yhat.data, dO.data);
  outputBackward(ws, p, dO, hAll, B, dc, dVw, dh);
  recurrenceBackward(ws, ws.loadTransposed(p.W), hAll, dh, da, carry, dtanh, xi, T, B, dh0);
  const daT = ws.loadTransposed(da); // H×R: ∇a(t) L for every t as columns, shared by ∇W L and ∇U L
  recurrenceWeightGrad(ws, daT, hAll, dWw);
  inputBackward(ws, fw.inputs, da, daT, dU, db);

  const grads: Grads = {
    dU,
    dW: ws.toMat(dWw, into?.dW),
    dV: ws.toMat(dVw, into?.dV),
    db,
    dc,
    dh0,
    dO,
    dh: ws.toMat(dh, into?.dh),
    dtanh,
    da: ws.toMat(da, into?.da),
    truncate: k,
  };
  checkGradsFinite(grads, fw);
  return grads;
}

// ---- non-finite values: the first step and quantity where they appeared ----

function reportNonFinite(fw: Forward): never {
  const quantities: [string, Mat][] = [
    ['a', fw.a],
    ['h', fw.h],
    ['o', fw.o],
    ['ŷ', fw.yhat],
  ];
  const where = (r: number) => `step t = ${Math.floor(r / fw.B) + 1}${fw.B > 1 ? `, sequence ${r % fw.B}` : ''}`;
  for (let r = 0; r < fw.T * fw.B; r++) {
    const t = Math.floor(r / fw.B) + 1;
    for (const [name, m] of quantities) {
      const i = firstNonFinite(row(m, r));
      if (i >= 0)
        throw new BpttError(
          `forward pass: ${name}(${t})[${i}] is ${row(m, r)[i]} — the first non-finite value (${where(r)})`,
        );
    }
    if (!Number.isFinite(fw.losses[r])) throw new BpttError(`forward pass: L(${t}) is ${fw.losses[r]} (${where(r)})`);
  }
  throw new BpttError(`forward pass: the loss is ${fw.loss} although every L(t) is finite (overflow in the sum)`);
}

function checkGradsFinite(g: Grads, fw: Forward): void {
  // The backward pass runs from t = τ down, so the first non-finite value is the one with the largest t.
  for (let r = fw.T * fw.B - 1; r >= 0; r--) {
    for (const [name, m] of [
      ['∇o', g.dO],
      ['∇h', g.dh],
    ] as const) {
      const i = firstNonFinite(row(m, r));
      const t = Math.floor(r / fw.B) + 1;
      if (i >= 0)
        throw new BpttError(
          `backward pass: ${name}(${t}) L[${i}] is ${row(m, r)[i]} — the first non-finite value (step t = ${t})`,
        );
    }
  }
  const all: [string, Float64Array][] = [
    ['∇U', g.dU.data],
    ['∇W', g.dW.data],
    ['∇V', g.dV.data],
    ['∇b', g.db],
    ['∇c', g.dc],
    ['∇h(0)', g.dh0],
  ];
  for (const [name, v] of all) {
    const i = firstNonFinite(v);
    if (i >= 0) throw new BpttError(`backward pass: ${name} L[${i}] is ${v[i]} (overflow while summing over t)`);
  }
}

/** h(t−1) for 0-based step t of a single sequence: h(0) at t = 0, else row t − 1 of h. */
export function hPrevOf(fw: Forward, t: number): Float64Array {
  return row(fw.hAll, t * fw.B);
}
