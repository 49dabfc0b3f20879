// Sampling from a trained model: feed a token, read softmax(o(t) / temperature) (temperatureSoftmax), draw the next
// token, feed it back. Temperature < 1 sharpens the distribution, > 1 flattens it; temperature 0 means "always the
// most likely token" (argmax). Each step is the engine's own forward pass over one step, with h(t−1)
// handed over as its h(0).

import { forward } from '../model/engine';
import { BpttError } from '../model/errors';
import { checkParams, type Params } from '../model/params';
import { type Rng, rng } from '../model/rng';
import { row } from '../model/tensor';
import { decode, encode, type Vocab } from './text';

export interface SampleOptions {
  /** How many tokens to generate. */
  length: number;
  /** > 0, or exactly 0 for argmax. Default 1. */
  temperature?: number;
  /** Seed of the draws (ignored when `rng` is given). Default 1. */
  seed?: number;
  rng?: Rng;
  /** Tokens fed first to set up h (their continuation is sampled); default: none. */
  prime?: ArrayLike<number>;
  /** Token that starts sampling when there is no prime. Default 0. */
  start?: number;
  /** h(0); zeros when absent. */
  h0?: ArrayLike<number>;
}

export function checkTemperature(temperature: number): number {
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new BpttError(
      `temperature must be a finite number > 0 (or exactly 0 for argmax), got ${String(temperature)}`,
    );
  }
  return temperature;
}

/**
 * The sampling distribution softmax(o / temperature): entry k is e^(o_k / temperature) / Σ_j e^(o_j / temperature).
 * Temperature 1 is the model's own ŷ(t) (eq 10.11); below 1 it is sharper, above 1 flatter; temperature 0 is the
 * limit, all the mass on argmax(o) (the first one on ties). Subtracting max o first keeps exp from overflowing even
 * for a tiny temperature (the largest term is then exactly 1).
 */
export function temperatureSoftmax(o: ArrayLike<number>, temperature: number): Float64Array {
  checkTemperature(temperature);
  if (o.length === 0) throw new BpttError('temperatureSoftmax: o must hold at least one score');
  let best = 0;
  for (let k = 1; k < o.length; k++) if (o[k] > o[best]) best = k;
  const p = new Float64Array(o.length);
  if (temperature === 0) {
    p[best] = 1;
    return p;
  }
  let sum = 0;
  for (let k = 0; k < o.length; k++) {
    p[k] = Math.exp((o[k] - o[best]) / temperature);
    sum += p[k];
  }
  for (let k = 0; k < o.length; k++) p[k] /= sum;
  return p;
}

/** The entropy −Σ p_k log p_k of a distribution, in nats (0 for a certain outcome, log K for a uniform one). */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let k = 0; k < p.length; k++) if (p[k] > 0) h -= p[k] * Math.log(p[k]);
  return h;
}

/** Draws k with probability temperatureSoftmax(o, temperature)_k; temperature 0 returns argmax(o) (first on ties). */
export function drawToken(o: ArrayLike<number>, temperature: number, r: Rng): number {
  const p = temperatureSoftmax(o, temperature);
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  if (temperature === 0) return best; // no draw: argmax
  let u = r.uniform();
  for (let k = 0; k < p.length; k++) {
    u -= p[k];
    if (u < 0) return k;
  }
  return best; // u landed on the rounding edge
}

export interface SampleResult {
  tokens: Int32Array; // the generated tokens (not the prime)
  h: Float64Array; // h after the last input fed (the last generated token has not been fed yet)
}

/** Generates `length` tokens from a one-hot-input model (D = K: the output is fed back as the next input). */
export function sampleTokens(p: Params, o: SampleOptions): SampleResult {
  const { D, H, K } = checkParams(p);
  if (D !== K)
    throw new BpttError(`sampling feeds each output back as the next input, so D must equal K; got D = ${D}, K = ${K}`);
  if (!Number.isInteger(o.length) || o.length < 0)
    throw new BpttError(`sample length must be an integer ≥ 0, got ${String(o.length)}`);
  const temperature = checkTemperature(o.temperature ?? 1);
  const r = o.rng ?? rng(o.seed ?? 1);
  const prime = Array.from(o.prime ?? [o.start ?? 0]);
  if (prime.length === 0)
    throw new BpttError('sample: prime must hold at least one token (or leave it out and give start)');
  let h = new Float64Array(H);
  if (o.h0 !== undefined) h.set(o.h0);
  // Run the prime (all but its last token) through the model to set up h; the last token is the first input below.
  if (prime.length > 1) {
    const fw = forward(p, prime.slice(0, -1), new Array(prime.length - 1).fill(null), { h0: h });
    h = row(fw.h, fw.T - 1).slice();
  }
  let x = prime[prime.length - 1];
  const out = new Int32Array(o.length);
  for (let i = 0; i < o.length; i++) {
    const fw = forward(p, [x], [null], { h0: h });
    h = row(fw.h, 0).slice();
    x = drawToken(row(fw.o, 0), temperature, r);
    out[i] = x;
  }
  return { tokens: out, h };
}

export interface TextSampleOptions extends Omit<SampleOptions, 'prime' | 'start'> {
  /** Text fed first (every character must be in the vocabulary); default: the vocabulary's first character. */
  prime?: string;
}

/** Generates text from a character model; the prime is not repeated in the result. */
export function sampleText(p: Params, vocab: Vocab, o: TextSampleOptions): string {
  if (vocab.size !== p.V.rows)
    throw new BpttError(`the vocabulary has ${vocab.size} characters but the model has K = ${p.V.rows} outputs`);
  const prime = o.prime === undefined || o.prime === '' ? undefined : encode(o.prime, vocab, 'the prime');
  return decode(sampleTokens(p, { ...o, prime, start: 0 }).tokens, vocab);
}
