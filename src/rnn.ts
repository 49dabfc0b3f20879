// The vanilla RNN of Deep Learning §10.2.2: forward (eqs 10.8–10.11) and backward (eqs 10.17–10.28), side by
// side in this file; every backward line names the equation it implements. Indexing: per-step matrices hold
// step t = 1..T in row t − 1 (the book counts from 1); h(0) is kept apart as `h0`.
//
// Shapes: x(t) ∈ R^D, h(t) ∈ R^H, o(t) ∈ R^K; U is H×D, W is H×H, V is K×H, b ∈ R^H, c ∈ R^K.
import { LossName, TargetInput, Targets, lossBackward, lossForward, toTargets } from './losses';
import { workspace } from './kernels';
import { BpttError, Mat, expectFinite, expectLength, expectShape, firstNonFinite, fromRows, mat, randn, rng, row, shapeOf } from './tensor';

export interface Params {
  readonly U: Mat; // H×D, input → hidden
  readonly W: Mat; // H×H, hidden → hidden
  readonly V: Mat; // K×H, hidden → output
  readonly b: Float64Array; // H
  readonly c: Float64Array; // K
}

export interface Sizes {
  readonly D: number;
  readonly H: number;
  readonly K: number;
}

export const PARAM_NAMES = ['U', 'W', 'V', 'b', 'c'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Sizes read off the parameters, after checking that they fit together. */
export function checkParams(p: Params): Sizes {
  const H = p.W.rows;
  const D = p.U.cols;
  const K = p.V.rows;
  const eqA = 'a(t) = b + W h(t-1) + U x(t) (eq 10.8)';
  const eqO = 'o(t) = c + V h(t) (eq 10.10)';
  expectShape(p.W, H, H, `W in ${eqA}`, 'H×H');
  expectShape(p.U, H, D, `U in ${eqA}`, 'H×D');
  expectLength(p.b, H, `b in ${eqA}`, 'H');
  expectShape(p.V, K, H, `V in ${eqO}`, 'K×H');
  expectLength(p.c, K, `c in ${eqO}`, 'K');
  if (H < 1 || D < 1 || K < 1) throw new BpttError(`sizes must be at least 1, got H = ${H}, D = ${D}, K = ${K}`);
  for (const name of PARAM_NAMES) {
    const v = p[name];
    expectFinite(v instanceof Float64Array ? v : v.data, `parameter ${name}`);
  }
  return { D, H, K };
}

export interface InitOptions {
  inputSize: number; // D
  hiddenSize: number; // H
  outputSize: number; // K
  /** Seed of the generator; the same seed gives the same parameters. Default 1. */
  seed?: number;
  /** Multiplies the default std 1/√fan_in of U, W, V (Xavier-like, so tanh starts neither linear nor saturated). Default 1. */
  scale?: number;
  /** Std of the biases b, c. Default 0 (zeros), as in min-char-rnn. */
  biasStd?: number;
}

export function initParams(o: InitOptions): Params {
  const { inputSize: D, hiddenSize: H, outputSize: K } = o;
  for (const [k, v] of Object.entries({ inputSize: D, hiddenSize: H, outputSize: K })) {
    if (!Number.isInteger(v) || v < 1) throw new BpttError(`initParams: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = rng(o.seed ?? 1);
  const s = o.scale ?? 1;
  const bs = o.biasStd ?? 0;
  return {
    U: randn(H, D, s / Math.sqrt(D), r),
    W: randn(H, H, s / Math.sqrt(H), r),
    V: randn(K, H, s / Math.sqrt(H), r),
    b: randn(1, H, bs, r).data,
    c: randn(1, K, bs, r).data,
  };
}

export function zerosLike(p: Params): Params {
  return { U: mat(p.U.rows, p.U.cols), W: mat(p.W.rows, p.W.cols), V: mat(p.V.rows, p.V.cols), b: new Float64Array(p.b.length), c: new Float64Array(p.c.length) };
}

export function cloneParams(p: Params): Params {
  return { U: mat(p.U.rows, p.U.cols, p.U.data.slice()), W: mat(p.W.rows, p.W.cols, p.W.data.slice()), V: mat(p.V.rows, p.V.cols, p.V.data.slice()), b: p.b.slice(), c: p.c.slice() };
}

/** The flat storage of one parameter (a matrix's data or the vector itself). */
export function paramData(p: Params, name: ParamName): Float64Array {
  const v = p[name];
  return v instanceof Float64Array ? v : v.data;
}

// --- inputs ---

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
        throw new BpttError(`token x(${t + 1}) must be an index in 0..${D - 1} (D = ${D}) for a one-hot ${eq}, got ${j}`);
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

// --- the whole sequence ---
//
// Layout: B sequences run side by side (B = 1 for `forward`). Row r = (t − 1)·B + s of every per-step matrix
// holds step t of sequence s. h(0), …, h(T) are stacked in `hAll`, so h(t − 1) of row r is row r of hAll and
// h(t) is row r + B: the matrix of all h(t − 1) and the matrix of all h(t) are both contiguous.
//
// Only the recurrences must go one step at a time: W h(t − 1) forward and W^T H(t) ∇h(t) L backward. Everything
// else (U x(t), o(t) = c + V h(t), V^T ∇o(t) L, and the sums over t of eqs 10.22–10.28) is one matrix product
// over all steps, which is how the book presents the gradients too: the recursion first, then the sums.

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

/** h(t−1) for 0-based step t of a single sequence: h(0) at t = 0, else row t − 1 of h. */
export function hPrevOf(fw: Forward, t: number): Float64Array {
  return row(fw.hAll, t * fw.B);
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
  return run(p, sizes, inputs, targets, inputs.T, 1, h0, opts.into);
}

export interface BatchOptions {
  loss?: LossName;
  /** As ForwardOptions.into. */
  into?: Forward;
  /** One h(0) per sequence; zeros when absent. */
  h0?: readonly ArrayLike<number>[];
}

/** Forward pass over B sequences of the same length at once (a minibatch); backward() takes the result as it is. */
export function forwardBatch(p: Params, xsList: readonly InputSpec[], ysList: readonly TargetInput[], opts: BatchOptions = {}): Forward {
  const sizes = checkParams(p);
  const B = xsList.length;
  if (B < 1) throw new BpttError('forwardBatch needs at least one sequence');
  if (ysList.length !== B) throw new BpttError(`forwardBatch: ${B} input sequences but ${ysList.length} target sequences`);
  const seqs = xsList.map((xs) => toInputs(xs, sizes.D));
  const T = seqs[0].T;
  if (T < 1) throw new BpttError('the sequences are empty: forward needs at least one step x(1) (T ≥ 1)');
  seqs.forEach((s, i) => {
    if (s.T !== T) throw new BpttError(`forwardBatch: every sequence must have the same length; sequence 0 has T = ${T}, sequence ${i} has T = ${s.T}`);
    if ((s.tokens === null) !== (seqs[0].tokens === null)) throw new BpttError(`forwardBatch: sequence ${i} mixes token and real-vector inputs with sequence 0`);
  });
  // interleave step-major: row (t − 1)·B + s
  const D = sizes.D;
  let inputs: Inputs;
  if (seqs[0].tokens) {
    const tokens = new Int32Array(T * B);
    seqs.forEach((s, i) => (s.tokens as Int32Array).forEach((tok, t) => (tokens[t * B + i] = tok)));
    inputs = { T: T * B, tokens, x: null };
  } else {
    const x = mat(T * B, D);
    seqs.forEach((s, i) => {
      for (let t = 0; t < T; t++) x.data.set((s.x as Mat).data.subarray(t * D, (t + 1) * D), (t * B + i) * D);
    });
    inputs = { T: T * B, tokens: null, x };
  }
  const ysFlat: (number | ArrayLike<number> | null)[] = new Array(T * B);
  ysList.forEach((ys, i) => {
    if (ys.length !== T) throw new BpttError(`forwardBatch: y of sequence ${i} must have one target per step, T = ${T}, got ${ys.length}`);
    for (let t = 0; t < T; t++) ysFlat[t * B + i] = ys[t];
  });
  const targets = toTargets(opts.loss ?? 'softmax-ce', ysFlat as TargetInput, T * B, sizes.K);
  const h0 = new Float64Array(B * sizes.H);
  if (opts.h0 !== undefined) {
    if (opts.h0.length !== B) throw new BpttError(`forwardBatch: h0 must give one h(0) per sequence (B = ${B}), got ${opts.h0.length}`);
    opts.h0.forEach((v, i) => {
      expectLength(v, sizes.H, `h(0) of sequence ${i} in a(1) = b + W h(0) + U x(1) (eq 10.8)`, 'H');
      h0.set(v, i * sizes.H);
    });
    expectFinite(h0, 'h(0)');
  }
  return run(p, sizes, inputs, targets, T, B, h0, opts.into);
}

/** m's storage when it has exactly rows×cols entries (to be overwritten), else a new zeroed matrix. */
function reuse(m: Mat | undefined, rows: number, cols: number): Mat {
  return m !== undefined && m.rows === rows && m.cols === cols ? m : mat(rows, cols);
}

function run(p: Params, sizes: Sizes, inputs: Inputs, targets: Targets, T: number, B: number, h0: Float64Array, into?: Forward): Forward {
  const { H, K, D } = sizes;
  const R = T * B; // rows: one per step and sequence
  const real = inputs.x !== null;
  // Work in the workspace (WebAssembly memory when available), then copy the results out (see kernels.ts).
  const ws = workspace();
  ws.begin(H * H + K * H + (real ? H * D + R * D : 0) + R * H + (R + B) * H + R * K + 16);
  const W = ws.put(p.W.data);
  const V = ws.put(p.V.data);
  const a = ws.alloc(R * H);
  const hAll = ws.alloc((R + B) * H); // h(0), h(1), …, h(T): step t's h(t − 1) and h(t) are B rows apart
  const o = ws.alloc(R * K);
  const M = ws.f64;
  M.set(h0, hAll);

  // Eq 10.8, its input term for every step at once: a(t) = b + U x(t) (+ W h(t − 1) in the recurrence below).
  if (inputs.tokens) {
    for (let r = 0; r < R; r++) {
      const tok = inputs.tokens[r]; // U x(t) for a one-hot x(t) is column x(t) of U
      for (let i = 0; i < H; i++) M[a + r * H + i] = p.b[i] + p.U.data[i * D + tok];
    }
  } else {
    ws.gemm(R, H, D, ws.put((inputs.x as Mat).data), ws.put(p.U.data), a, false);
    for (let r = 0; r < R; r++) for (let i = 0; i < H; i++) M[a + r * H + i] += p.b[i];
  }
  // Eqs 10.8–10.9, the recurrence: a(t) += W h(t − 1); h(t) = tanh(a(t)). Step t's rows start at (t − 1)·B.
  const n = B * H;
  for (let t = 0; t < T; t++) {
    ws.gemm(B, H, H, hAll + t * n, W, a + t * n, true); // h(t − 1) sits at the same row offset in hAll as a(t) in a
    for (let i = t * n; i < (t + 1) * n; i++) M[hAll + n + i] = Math.tanh(M[a + i]);
  }
  // Eq 10.10 for every step at once: o(t) = c + V h(t).
  ws.gemm(R, K, H, hAll + n, V, o, false);
  for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) M[o + r * K + k] += p.c[k];

  const out = { a: reuse(into?.a, R, H), hAll: reuse(into?.hAll, R + B, H), o: reuse(into?.o, R, K) };
  out.a.data.set(M.subarray(a, a + R * H));
  out.hAll.data.set(M.subarray(hAll, hAll + (R + B) * H));
  out.o.data.set(M.subarray(o, o + R * K));
  // Eq 10.11 and the loss terms (eqs 10.12–10.14).
  const yhat = reuse(into?.yhat, R, K);
  const losses = into?.losses.length === R ? into.losses : new Float64Array(R);
  let loss = 0;
  for (let r = 0; r < R; r++) {
    losses[r] = lossForward(targets, r, out.o.data, yhat.data);
    loss += losses[r];
  }
  const h = mat(R, H, out.hAll.data.subarray(n));
  const fw: Forward = { sizes, T, B, inputs, targets, hAll: out.hAll, h0: out.hAll.data.subarray(0, n), a: out.a, h, o: out.o, yhat, losses, loss };
  if (!Number.isFinite(loss)) reportNonFinite(fw);
  return fw;
}

/** Finds the first step and quantity where the forward pass stopped being finite, and says so. */
function reportNonFinite(fw: Forward): never {
  const quantities: [string, Mat][] = [['a', fw.a], ['h', fw.h], ['o', fw.o], ['ŷ', fw.yhat]];
  const where = (r: number) => `step t = ${Math.floor(r / fw.B) + 1}${fw.B > 1 ? `, sequence ${r % fw.B}` : ''}`;
  for (let r = 0; r < fw.T * fw.B; r++) {
    const t = Math.floor(r / fw.B) + 1;
    for (const [name, m] of quantities) {
      const i = firstNonFinite(row(m, r));
      if (i >= 0) throw new BpttError(`forward pass: ${name}(${t})[${i}] is ${row(m, r)[i]} — the first non-finite value (${where(r)})`);
    }
    if (!Number.isFinite(fw.losses[r])) throw new BpttError(`forward pass: L(${t}) is ${fw.losses[r]} (${where(r)})`);
  }
  throw new BpttError(`forward pass: the loss is ${fw.loss} although every L(t) is finite (overflow in the sum)`);
}

export interface BackwardOptions {
  /**
   * Truncated BPTT: chunks of k steps from t = 1 (1..k, k+1..2k, ...; the last may be shorter). The state
   * is carried across chunk boundaries but no gradient flows back across them (PyTorch's detach()).
   * The loss is still the full Σ_t L(t); ∇h(0) comes from the first chunk only. k ≥ T is full BPTT.
   */
  truncate?: number;
  /** A previous result of the same shapes whose arrays this pass may overwrite (as ForwardOptions.into). */
  gradsInto?: Grads;
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
  readonly truncate: number; // the chunk length used (T for full BPTT)
}

export function checkTruncate(k: number | undefined, T: number): number {
  if (k === undefined) return Math.max(T, 1);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new BpttError(`truncate must be an integer ≥ 1 (chunk length k of truncated BPTT), got ${String(k)}`);
  }
  return k;
}

/** Backward pass (eqs 10.17–10.28): ∇o(t), then the ∇h(t) recursion from τ down to 1, then the sums over t. */
export function backward(p: Params, fw: Forward, opts: BackwardOptions = {}): Grads {
  const { H, K, D } = checkParams(p);
  if (H !== fw.sizes.H || K !== fw.sizes.K || D !== fw.sizes.D) {
    throw new BpttError(`backward: the parameters (H = ${H}, D = ${D}, K = ${K}) are not those of the forward pass (H = ${fw.sizes.H}, D = ${fw.sizes.D}, K = ${fw.sizes.K})`);
  }
  const { T, B } = fw;
  const R = T * B;
  const n = B * H;
  const k = checkTruncate(opts.truncate, T);
  const into = opts.gradsInto;
  const vec = (v: Float64Array | undefined, len: number) => (v?.length === len ? v.fill(0) : new Float64Array(len));
  const dO = reuse(into?.dO, R, K);
  const dtanh = reuse(into?.dtanh, R, H);
  const dh0 = vec(into?.dh0, n);
  const real = fw.inputs.x !== null;
  const ws = workspace();
  ws.begin(2 * H * K + 2 * R * K + 2 * H * H + n + (R + B) * H + 5 * R * H + H * D + (real ? 2 * R * D : 0) + 16);
  const M = ws.f64;

  // Eqs 10.17–10.18: ∇o(t) L for every step (∂L/∂L(t) = 1, so it is the gradient of L(t) alone).
  for (let r = 0; r < R; r++) lossBackward(fw.targets, r, fw.o.data, fw.yhat.data, dO.data);
  const dOw = ws.put(dO.data);
  // In the forward pass o(t) = c + V h(t), so h(t) receives V^T ∇o(t) L: the second term of eq 10.21, for all t at once.
  const Vt = ws.alloc(H * K);
  ws.transpose(K, H, p.V.data, 0, Vt);
  const dh = ws.alloc(R * H);
  ws.gemm(R, H, K, dOw, Vt, dh, false);

  // Eqs 10.19–10.21, one step at a time from the end of each truncation chunk [s, e) (0-based steps):
  //   ∇h(t) L = W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L, with nothing from h(t+1) at the chunk's last step (eq 10.19).
  const Wt = ws.alloc(H * H);
  ws.transpose(H, H, p.W.data, 0, Wt);
  const hAll = ws.put(fw.hAll.data);
  const da = ws.alloc(R * H);
  const carry = ws.alloc(n); // W^T H(t+1) ∇h(t+1) L, handed from step t+1 to step t
  for (let s = Math.floor((T - 1) / k) * k; s >= 0; s -= k) {
    const e = Math.min(s + k, T);
    M.fill(0, carry, carry + n); // the chunk's last step: no step after τ, or detached like PyTorch's detach()
    for (let t = e - 1; t >= s; t--) {
      const at = t * n;
      for (let i = 0; i < n; i++) {
        const hi = M[hAll + n + at + i];
        const dhi = M[dh + at + i] + M[carry + i]; // eq 10.21: W^T H(t+1) ∇h(t+1) L + V^T ∇o(t) L
        M[dh + at + i] = dhi;
        dtanh.data[at + i] = 1 - hi * hi; // H(t) = diag(1 − h(t)²) because tanh' = 1 − tanh²
        M[da + at + i] = (1 - hi * hi) * dhi; // ∇a(t) L = H(t) ∇h(t) L
      }
      // In the forward pass a(t) = b + W h(t − 1) + U x(t), so h(t − 1) receives W^T ∇a(t) L: the next step's carry.
      ws.gemm(B, H, H, da + at, Wt, carry, false);
    }
    if (s === 0) dh0.set(M.subarray(carry, carry + n)); // ∇h(0) L = W^T H(1) ∇h(1) L; at a later chunk start it is dropped
  }

  // Eqs 10.22–10.28: each parameter's gradient is a sum over t of one term per step, here one product over all rows.
  const dc = vec(into?.dc, K);
  const db = vec(into?.db, H);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < K; j++) dc[j] += dO.data[r * K + j]; // eq 10.22: ∇c L = Σ_t ∇o(t) L
    for (let i = 0; i < H; i++) db[i] += M[da + r * H + i]; // eq 10.23: ∇b L = Σ_t H(t) ∇h(t) L
  }
  const daT = ws.alloc(H * R); // H×R: row i = ∇a_i over all steps
  ws.transpose(R, H, M, da, daT);
  const dOT = ws.alloc(K * R);
  ws.transpose(R, K, dO.data, 0, dOT);
  const hT = ws.alloc(H * R);
  ws.transpose(R, H, fw.hAll.data, n, hT);
  const dVw = ws.alloc(K * H); // eq 10.24: ∇V L = Σ_t ∇o(t) L h(t)^T
  ws.gemm(K, H, R, dOT, hT, dVw, false);
  const hPrevT = hT; // reuse: h(t − 1) for all rows, in place of h(t)
  ws.transpose(R, H, fw.hAll.data, 0, hPrevT);
  const dWw = ws.alloc(H * H); // eqs 10.25–10.26: ∇W L = Σ_t H(t) ∇h(t) L h(t−1)^T
  ws.gemm(H, H, R, daT, hPrevT, dWw, false);
  const dU = reuse(into?.dU, H, D); // eqs 10.27–10.28: ∇U L = Σ_t H(t) ∇h(t) L x(t)^T
  if (fw.inputs.tokens) {
    dU.data.fill(0);
    for (let r = 0; r < R; r++) {
      const tok = fw.inputs.tokens[r]; // a one-hot x(t) adds ∇a(t) L to column x(t) only
      for (let i = 0; i < H; i++) dU.data[i * D + tok] += M[da + r * H + i];
    }
  } else {
    const xT = ws.alloc(D * R);
    ws.transpose(R, D, (fw.inputs.x as Mat).data, 0, xT);
    const dUw = ws.alloc(H * D);
    ws.gemm(H, D, R, daT, xT, dUw, false);
    dU.data.set(M.subarray(dUw, dUw + H * D));
  }
  const copyOut = (m: Mat | undefined, rows: number, cols: number, off: number): Mat => {
    const out = reuse(m, rows, cols);
    out.data.set(M.subarray(off, off + rows * cols));
    return out;
  };
  const dV = copyOut(into?.dV, K, H, dVw);
  const dW = copyOut(into?.dW, H, H, dWw);
  const dhOut = copyOut(into?.dh, R, H, dh);
  const daOut = copyOut(into?.da, R, H, da);
  const grads: Grads = { dU, dW, dV, db, dc, dh0, dO, dh: dhOut, dtanh, da: daOut, truncate: k };
  checkGradsFinite(grads, fw);
  return grads;
}

function checkGradsFinite(g: Grads, fw: Forward): void {
  // The backward pass runs from t = τ down, so the first non-finite value is the one with the largest t.
  for (let r = fw.T * fw.B - 1; r >= 0; r--) {
    for (const [name, m] of [['∇o', g.dO], ['∇h', g.dh]] as const) {
      const i = firstNonFinite(row(m, r));
      const t = Math.floor(r / fw.B) + 1;
      if (i >= 0) throw new BpttError(`backward pass: ${name}(${t}) L[${i}] is ${row(m, r)[i]} — the first non-finite value (step t = ${t})`);
    }
  }
  const all: [string, Float64Array][] = [['∇U', g.dU.data], ['∇W', g.dW.data], ['∇V', g.dV.data], ['∇b', g.db], ['∇c', g.dc], ['∇h(0)', g.dh0]];
  for (const [name, v] of all) {
    const i = firstNonFinite(v);
    if (i >= 0) throw new BpttError(`backward pass: ${name} L[${i}] is ${v[i]} (overflow while summing over t)`);
  }
}

/** Forward then backward in one call. */
export function lossAndGrads(p: Params, xs: InputSpec, ys: TargetInput, opts: ForwardOptions & BackwardOptions = {}): { fw: Forward; grads: Grads } {
  const fw = forward(p, xs, ys, opts);
  return { fw, grads: backward(p, fw, opts) };
}

/** The loss and the parameter gradients (and ∇h(0)), without the per-step record. */
export interface ChunkedGrads {
  readonly loss: number;
  readonly dU: Mat;
  readonly dW: Mat;
  readonly dV: Mat;
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly dh0: Float64Array;
}

/**
 * Chunked truncated BPTT in O(k·H) memory: forward and backward one chunk of k steps at a time, the state carried
 * into the next chunk and the gradient stopped there, the chunks' gradients summed. The same numbers as
 * backward(p, forward(p, xs, ys), { truncate: k }), without ever holding all T steps — for sequences too long to keep.
 */
export function truncatedGrads(p: Params, xsSpec: InputSpec, ys: TargetInput, opts: ForwardOptions & { truncate: number }): ChunkedGrads {
  const { D, H } = checkParams(p);
  const inputs = toInputs(xsSpec, D);
  const T = inputs.T;
  const k = checkTruncate(opts.truncate, T);
  if (ys.length !== T) throw new BpttError(`y must have one target per step, T = ${T}, got ${ys.length}`);
  const total = zerosLike(p);
  const dh0 = new Float64Array(H);
  let loss = 0;
  let h: ArrayLike<number> | undefined = opts.h0;
  let fw: Forward | undefined;
  let g: Grads | undefined;
  for (let s = 0; s < T; s += k) {
    const e = Math.min(s + k, T);
    const seg = sliceInputs(inputs, s, e);
    fw = forward(p, seg.tokens ? { tokens: seg.tokens } : { x: seg.x as Mat }, ys.slice(s, e) as TargetInput, { loss: opts.loss, h0: h, into: fw });
    g = backward(p, fw, { gradsInto: g });
    loss += fw.loss;
    const parts: [Float64Array, Float64Array][] = [[total.U.data, g.dU.data], [total.W.data, g.dW.data], [total.V.data, g.dV.data], [total.b, g.db], [total.c, g.dc]];
    for (const [sum, part] of parts) for (let i = 0; i < sum.length; i++) sum[i] += part[i];
    if (s === 0) dh0.set(g.dh0); // ∇h(0) L from the first chunk only
    h = row(fw.h, fw.T - 1).slice(); // carried (a copy: the next chunk overwrites fw)
  }
  return { loss, dU: total.U, dW: total.W, dV: total.V, db: total.b, dc: total.c, dh0 };
}

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
      if (fw.inputs.tokens) c.U.data[i * D + fw.inputs.tokens[r]] += da[i]; // eq 10.28's term, one-hot x(t)
      else for (let j = 0; j < D; j++) c.U.data[i * D + j] += da[i] * (fw.inputs.x as Mat).data[r * D + j];
    }
  }
  return { dU: c.U, dW: c.W, dV: c.V, db: c.b, dc: c.c };
}

/** A readable one-line shape summary, e.g. "U 3×2, W 3×3, V 2×3, b 3, c 2". */
export function describeParams(p: Params): string {
  return `U ${shapeOf(p.U)}, W ${shapeOf(p.W)}, V ${shapeOf(p.V)}, b ${p.b.length}, c ${p.c.length}`;
}
