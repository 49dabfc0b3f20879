// Optimisers: each turns the gradients of one iteration into an in-place update of U, W, V, b, c.
// Written elementwise, one line per update rule, the way Deep Learning ch. 8 writes its algorithms
// (ε the learning rate, δ the small constant, r and s the accumulators):
//
//   sgd      (Algorithm 8.2)  v ← μ v − ε g;            θ ← θ + v                         μ = 0.9, ε = 0.01
//   adagrad  (min-char-rnn)   r ← r + g²;                θ ← θ − ε g / √(r + δ)            ε = 0.1, δ = 1e-8
// rmsprop (recurrentjs) r ← ρ r + (1 − ρ) g²; θ ← θ − ε g / √(r + δ) ε = 0.01, ρ = 0.999, δ = 1e-8
//   adam     (Algorithm 8.7)  s ← ρ1 s + (1 − ρ1) g;  r ← ρ2 r + (1 − ρ2) g²;
// θ ← θ − ε (s / (1 − ρ1^t)) / (√(r / (1 − ρ2^t)) + δ) ε = 0.001, ρ1 = 0.9, ρ2 = 0.999, δ = 1e-8
//
// Where the book and a reference program differ we follow the program named, so a reader can compare line by line:
// min-char-rnn puts δ inside the square root (the book's Algorithm 8.4 adds it outside: ε / (δ + √r)), and
// recurrentjs clips and decays weights inside its RMSProp solver — here clipping is a separate step (clip.ts) and
// there is no weight decay. All state lives in plain Float64Arrays named per parameter, so a checkpoint can
// save it (`state()`) and restore it (`restoreOptimizer`).
import type { Grads } from '../model/engine';
import { BpttError } from '../model/errors';
import { checkParams, PARAM_NAMES, type ParamName, type Params, paramData } from '../model/params';
import { expectFinite, type Mat } from '../model/tensor';

/** The parameter gradients an optimiser needs: a `Grads` from backward() is one. */
export type ParamGrads = Pick<Grads, 'dU' | 'dW' | 'dV' | 'db' | 'dc'>;

const GRAD_KEY = { U: 'dU', W: 'dW', V: 'dV', b: 'db', c: 'dc' } as const;

/** The flat storage of ∇θ L for parameter θ. */
export function gradData(g: ParamGrads, name: ParamName): Float64Array {
  const v: Mat | Float64Array = g[GRAD_KEY[name]];
  return v instanceof Float64Array ? v : v.data;
}

/** Zero gradients shaped like the parameters, to sum a minibatch into. */
export function zeroGrads(p: Params): ParamGrads {
  const m = (x: Mat): Mat => ({ rows: x.rows, cols: x.cols, data: new Float64Array(x.data.length) });
  return { dU: m(p.U), dW: m(p.W), dV: m(p.V), db: new Float64Array(p.b.length), dc: new Float64Array(p.c.length) };
}

/** acc += g, parameter by parameter (sums the gradients of a minibatch's sequences). */
export function addGrads(acc: ParamGrads, g: ParamGrads): void {
  for (const name of PARAM_NAMES) {
    const a = gradData(acc, name);
    const b = gradData(g, name);
    for (let i = 0; i < a.length; i++) a[i] += b[i];
  }
}

export type OptimizerName = 'sgd' | 'adagrad' | 'rmsprop' | 'adam';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adagrad', 'rmsprop', 'adam'];

export interface OptimizerOptions {
  /**
   * Learning rate ε. Defaults: sgd 0.01, adagrad 0.1 (min-char-rnn), rmsprop 0.01 (recurrentjs demo), adam 0.001
   * (Kingma & Ba).
   */
  lr?: number;
  /** sgd: momentum μ, default 0.9 (0 is plain SGD). */
  momentum?: number;
  /** rmsprop: decay ρ of the running mean of g², default 0.999 (recurrentjs). */
  decay?: number;
  /** adam: ρ1 and ρ2, defaults 0.9 and 0.999. */
  beta1?: number;
  beta2?: number;
  /** δ, default 1e-8 for all of them. */
  eps?: number;
}

export const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.01, adagrad: 0.1, rmsprop: 0.01, adam: 0.001 };

/** What each optimiser keeps per parameter: v (sgd), r (adagrad, rmsprop), s and r (adam). */
const SLOTS: Record<OptimizerName, readonly string[]> = {
  sgd: ['v'],
  adagrad: ['r'],
  rmsprop: ['r'],
  adam: ['s', 'r'],
};

/** An optimiser's whole state as plain JSON: hyper-parameters, step count t, and the slots per parameter. */
export interface OptimizerState {
  name: OptimizerName;
  lr: number;
  hyper: Record<string, number>; // momentum / decay / beta1, beta2 / eps
  t: number; // how many steps were taken (Adam's bias correction needs it)
  slots: Record<string, Record<ParamName, number[]>>;
}

export interface Optimizer {
  readonly name: OptimizerName;
  /** The learning rate ε; may be changed between steps (a schedule). */
  lr: number;
  readonly hyper: Readonly<Record<string, number>>;
  /** Steps taken so far. */
  readonly t: number;
  /** θ ← update(θ, ∇θ L) for every parameter, in place. */
  step(p: Params, g: ParamGrads): void;
  /** A JSON-ready copy of the state (for checkpoints). */
  state(): OptimizerState;
}

function positive(what: string, v: number): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new BpttError(`${what} must be a positive number, got ${String(v)}`);
  return v;
}

function fraction(what: string, v: number, allowZero: boolean): number {
  if (typeof v !== 'number' || !(allowZero ? v >= 0 : v > 0) || !(v < 1)) {
    throw new BpttError(`${what} must be in ${allowZero ? '[0, 1)' : '(0, 1)'}, got ${String(v)}`);
  }
  return v;
}

function hyperOf(name: OptimizerName, o: OptimizerOptions): Record<string, number> {
  const eps = positive(`${name}: eps (δ)`, o.eps ?? 1e-8);
  switch (name) {
    case 'sgd':
      return { momentum: fraction('sgd: momentum μ', o.momentum ?? 0.9, true) };
    case 'adagrad':
      return { eps };
    case 'rmsprop':
      return { decay: fraction('rmsprop: decay ρ', o.decay ?? 0.999, false), eps };
    case 'adam':
      return {
        beta1: fraction('adam: beta1 (ρ1)', o.beta1 ?? 0.9, true),
        beta2: fraction('adam: beta2 (ρ2)', o.beta2 ?? 0.999, false),
        eps,
      };
  }
}

class ElementwiseOptimizer implements Optimizer {
  t = 0;
  constructor(
    readonly name: OptimizerName,
    public lr: number,
    readonly hyper: Readonly<Record<string, number>>,
    private readonly slots: Record<string, Record<ParamName, Float64Array>>,
  ) {}

  step(p: Params, g: ParamGrads): void {
    checkParams(p);
    for (const name of PARAM_NAMES) {
      const theta = paramData(p, name);
      const grad = gradData(g, name);
      if (grad.length !== theta.length) {
        throw new BpttError(`${this.name}: ∇${name} L has ${grad.length} entries but ${name} has ${theta.length}`);
      }
      expectFinite(grad, `${this.name}: ∇${name} L`); // checked before any update, so a bad gradient changes nothing
      if (this.slots[SLOTS[this.name][0]][name].length !== theta.length) {
        throw new BpttError(
          `${this.name}: its state for ${name} has ${this.slots[SLOTS[this.name][0]][name].length} entries but ` +
            `${name} has ${theta.length} (a different model?)`,
        );
      }
    }
    this.t += 1;
    const eps = this.lr;
    const h = this.hyper;
    for (const name of PARAM_NAMES) {
      const theta = paramData(p, name);
      const g0 = gradData(g, name);
      switch (this.name) {
        case 'sgd': {
          const v = this.slots.v[name];
          for (let i = 0; i < theta.length; i++) {
            v[i] = h.momentum * v[i] - eps * g0[i];
            theta[i] += v[i];
          }
          break;
        }
        case 'adagrad': {
          const r = this.slots.r[name];
          for (let i = 0; i < theta.length; i++) {
            r[i] += g0[i] * g0[i];
            theta[i] -= (eps * g0[i]) / Math.sqrt(r[i] + h.eps);
          }
          break;
        }
        case 'rmsprop': {
          const r = this.slots.r[name];
          for (let i = 0; i < theta.length; i++) {
            r[i] = h.decay * r[i] + (1 - h.decay) * g0[i] * g0[i];
            theta[i] -= (eps * g0[i]) / Math.sqrt(r[i] + h.eps);
          }
          break;
        }
        case 'adam': {
          const s = this.slots.s[name];
          const r = this.slots.r[name];
          const c1 = 1 - h.beta1 ** this.t; // bias corrections: s and r start at 0, so early
          const c2 = 1 - h.beta2 ** this.t; // averages are too small by exactly these factors
          for (let i = 0; i < theta.length; i++) {
            s[i] = h.beta1 * s[i] + (1 - h.beta1) * g0[i];
            r[i] = h.beta2 * r[i] + (1 - h.beta2) * g0[i] * g0[i];
            theta[i] -= (eps * (s[i] / c1)) / (Math.sqrt(r[i] / c2) + h.eps);
          }
          break;
        }
      }
    }
  }

  state(): OptimizerState {
    const slots: Record<string, Record<ParamName, number[]>> = {};
    for (const [slot, per] of Object.entries(this.slots)) {
      slots[slot] = {
        U: Array.from(per.U),
        W: Array.from(per.W),
        V: Array.from(per.V),
        b: Array.from(per.b),
        c: Array.from(per.c),
      };
    }
    return { name: this.name, lr: this.lr, hyper: { ...this.hyper }, t: this.t, slots };
  }
}

function checkName(name: string): OptimizerName {
  if (!OPTIMIZERS.includes(name as OptimizerName))
    throw new BpttError(`unknown optimiser "${name}": expected one of ${OPTIMIZERS.join(', ')}`);
  return name as OptimizerName;
}

/** A fresh optimiser for parameters shaped like `p`, every slot zero, t = 0. */
export function makeOptimizer(name: OptimizerName, p: Params, o: OptimizerOptions = {}): Optimizer {
  const n = checkName(name);
  checkParams(p);
  const lr = positive(`${n}: learning rate (lr)`, o.lr ?? DEFAULT_LR[n]);
  const slots: Record<string, Record<ParamName, Float64Array>> = {};
  for (const slot of SLOTS[n]) {
    slots[slot] = {
      U: new Float64Array(p.U.data.length),
      W: new Float64Array(p.W.data.length),
      V: new Float64Array(p.V.data.length),
      b: new Float64Array(p.b.length),
      c: new Float64Array(p.c.length),
    };
  }
  return new ElementwiseOptimizer(n, lr, hyperOf(n, o), slots);
}

/**
 * Rebuilds an optimiser from `state()` output, checking it against the parameters it will update:
 * the name, every hyper-parameter, t, and each slot's length and finiteness. `where` prefixes errors.
 */
export function restoreOptimizer(state: OptimizerState, p: Params, where = 'optimizer state'): Optimizer {
  if (state === null || typeof state !== 'object')
    throw new BpttError(`${where} must be an object, got ${JSON.stringify(state)}`);
  const n = checkName(String(state.name));
  if (state.hyper === null || typeof state.hyper !== 'object') throw new BpttError(`${where}.hyper must be an object`);
  const expected = Object.keys(hyperOf(n, {}));
  for (const k of expected) {
    if (typeof state.hyper[k] !== 'number') throw new BpttError(`${where}.hyper.${k} is missing (needed by ${n})`);
  }
  const hyper = hyperOf(n, state.hyper as OptimizerOptions);
  const lr = positive(`${where}.lr`, state.lr);
  if (!Number.isInteger(state.t) || state.t < 0)
    throw new BpttError(`${where}.t must be an integer ≥ 0 (steps taken), got ${String(state.t)}`);
  if (state.slots === null || typeof state.slots !== 'object') throw new BpttError(`${where}.slots must be an object`);
  const slots: Record<string, Record<ParamName, Float64Array>> = {};
  for (const slot of SLOTS[n]) {
    const per = state.slots[slot];
    if (per === null || typeof per !== 'object')
      throw new BpttError(`${where}.slots.${slot} is missing (${n} keeps ${SLOTS[n].join(' and ')})`);
    const out = {} as Record<ParamName, Float64Array>;
    for (const name of PARAM_NAMES) {
      const want = paramData(p, name).length;
      const arr = per[name];
      if (!Array.isArray(arr))
        throw new BpttError(
          `${where}.slots.${slot}.${name} must be an array of ${want} numbers, got ${JSON.stringify(arr) ?? 'nothing'}`,
        );
      if (arr.length !== want)
        throw new BpttError(`${where}.slots.${slot}.${name} has ${arr.length} entries but ${name} has ${want}`);
      const v = new Float64Array(want);
      for (let i = 0; i < want; i++) {
        if (typeof arr[i] !== 'number' || !Number.isFinite(arr[i]))
          throw new BpttError(
            `${where}.slots.${slot}.${name}[${i}] must be a finite number, got ${JSON.stringify(arr[i]) ?? 'nothing'}`,
          );
        v[i] = arr[i];
      }
      out[name] = v;
    }
    slots[slot] = out;
  }
  const opt = new ElementwiseOptimizer(n, lr, hyper, slots);
  opt.t = state.t;
  return opt;
}
