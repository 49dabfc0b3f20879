// Why over 300 lines: the Trainer class (one iteration, its streams, evaluation and resuming) is one object; its
// settings live in config.ts.
//
// The training loop: draw a minibatch of sequences, get their summed gradient (full or chunked BPTT: one batched
// forward and backward pass over all of them; randomized and streaming truncation: one sequence at a time), clip,
// step the optimiser; record the loss per scored step, a smoothed loss, the perplexity, the
// gradient norm, whether clipping happened, and (for tasks) the accuracy at the steps that need long-range memory.
//
// Reproducible: the parameters come from the seed, and iteration i draws its randomness from rng(mix(seed, i)),
// so the same seed gives the same losses — and a run resumed from a checkpoint continues exactly as if it had
// never stopped (the text streams' positions and hidden states are saved too).
//
// Text is read the way min-char-rnn reads it, B times side by side: the text is cut into B equal parts (d2l's
// "sequential partitioning"), stream b walks through part b T characters per iteration, carrying its h across
// iterations (the state is carried, the gradient is not — itself a truncation at the sequence boundary), and at the
// end of its part starts over with h = 0.
import * as path from 'node:path';
import { backward, type Forward, forward, forwardBatch, type Grads } from '../model/engine';
import { toInputs } from '../model/inputs';
import type { LossName, TargetInput } from '../model/losses';
import { checkParams, initParams, type Params } from '../model/params';
import { chunkStarts, forwardInPieces } from '../model/pieces';
import { type Rng, rng } from '../model/rng';
import { type Mat, mat, row } from '../model/tensor';
import { checkEvery, checkpointedGrads } from './checkpointing';
import { type ClipResult, clipGrads, describeClip } from './clip';
import { check, iterationSeed, modelSizesOf, resolveConfig, type Source, type TrainConfig } from './config';
import { addGrads, makeOptimizer, type Optimizer, type ParamGrads, zeroGrads } from './optim';
import { sampleTokens } from './sample';
import { type Example, isCorrect } from './tasks';
import type { Corpus } from './text';
import { describeTruncation, estimateGradient } from './truncation';

export interface IterationStats {
  iteration: number; // 1-based: how many updates have been made, including this one
  loss: number; // this iteration's loss per scored step (per character for text): Σ L(t) / scored steps
  smoothed: number; // bias-corrected moving average of `loss`
  perplexity: number | null; // exp(smoothed) for softmax-ce; null for squared error
  scored: number; // how many steps were scored
  accuracy: number | null; // fraction right at the key steps (text: next-character argmax at every step)
  gradNorm: number; // ‖g‖ of the summed gradient before clipping
  clipped: boolean;
  clipFraction: number; // fraction of iterations so far that clipped
  lr: number;
  ms: number; // time this iteration took
}

interface StreamState {
  pos: number; // next character to read
  h: Float64Array; // carried hidden state
}

/** Everything a resumed run needs besides the parameters and the optimiser. */
export interface TrainerState {
  iteration: number;
  ema: number; // un-corrected moving average of the loss
  clippedCount: number;
  streams: { pos: number; h: number[] }[];
}

export interface Restore {
  params: Params;
  optimizer: Optimizer;
  state: TrainerState;
}

export interface Evaluation {
  loss: number; // per scored step (per character for text)
  perplexity: number | null;
  accuracy: number; // key steps for tasks; next-character argmax for text
  scored: number;
}

export class Trainer {
  readonly config: TrainConfig;
  readonly params: Params;
  readonly optimizer: Optimizer;
  readonly loss: LossName;
  readonly history: IterationStats[] = [];
  iteration = 0;
  private ema = 0;
  private clippedCount = 0;
  private readonly streams: StreamState[] = [];
  /** The last forward and backward result, whose arrays the next sequence overwrites instead of allocating anew. */
  private scratch: { fw?: Forward; g?: Grads } = {};
  /**
   * Gradient checkpointing (checkpointing.ts): keep every k-th hidden state of full BPTT and recompute the
   * rest in the backward pass; null (default) runs the engine's backward(). The same gradients up to rounding, so it
   * is a setting of the run, not of the model: checkpoints do not store it. Needs full BPTT.
   */
  gradCheckpointEvery: number | null = null;

  constructor(
    readonly source: Source,
    config: Partial<TrainConfig> = {},
    restore?: Restore,
  ) {
    this.config = resolveConfig(config, source);
    const { D, K, loss } = modelSizesOf(source);
    this.loss = loss;
    const H = this.config.hiddenSize;
    if (restore) {
      const s = checkParams(restore.params);
      check(
        s.D === D && s.K === K && s.H === H,
        `the checkpoint's model (D = ${s.D}, H = ${s.H}, K = ${s.K}) does not fit this run (D = ${D}, H = ${H}, K = ` +
          `${K})`,
      );
      this.params = restore.params;
      this.optimizer = restore.optimizer;
    } else {
      this.params = initParams({
        inputSize: D,
        hiddenSize: H,
        outputSize: K,
        seed: this.config.seed,
        scale: this.config.initScale,
      });
      this.optimizer = makeOptimizer(this.config.optimizer, this.params, {
        ...this.config.optimizerOptions,
        lr: this.config.lr,
      });
    }
    if (source.kind === 'text') {
      const spacing = Math.floor((source.corpus.train.length - 1) / this.config.batchSize);
      for (let b = 0; b < this.config.batchSize; b++) this.streams.push({ pos: b * spacing, h: new Float64Array(H) });
    }
    if (restore) this.restoreState(restore.state);
  }

  private restoreState(s: TrainerState): void {
    check(
      Number.isInteger(s.iteration) && s.iteration >= 0,
      `trainer state: iteration must be an integer ≥ 0, got ${String(s.iteration)}`,
    );
    check(Number.isFinite(s.ema), `trainer state: ema must be a finite number, got ${String(s.ema)}`);
    check(
      Number.isInteger(s.clippedCount) && s.clippedCount >= 0 && s.clippedCount <= s.iteration,
      `trainer state: clippedCount must be an integer in 0..iteration, got ${String(s.clippedCount)}`,
    );
    this.iteration = s.iteration;
    this.ema = s.ema;
    this.clippedCount = s.clippedCount;
    if (this.source.kind === 'text') {
      check(
        Array.isArray(s.streams) && s.streams.length === this.streams.length,
        `trainer state: expected ${this.streams.length} text streams (batchSize), got ` +
          `${Array.isArray(s.streams) ? s.streams.length : 'none'}`,
      );
      const n = this.source.corpus.train.length;
      s.streams.forEach((st, b) => {
        check(
          Number.isInteger(st.pos) && st.pos >= 0 && st.pos < n,
          `trainer state: stream ${b} position must be in 0..${n - 1}, got ${String(st.pos)}`,
        );
        check(
          Array.isArray(st.h) && st.h.length === this.config.hiddenSize && st.h.every(Number.isFinite),
          `trainer state: stream ${b} h must hold H = ${this.config.hiddenSize} finite numbers`,
        );
        this.streams[b].pos = st.pos;
        this.streams[b].h.set(st.h);
      });
    }
  }

  /** The state a checkpoint needs to resume exactly. */
  state(): TrainerState {
    return {
      iteration: this.iteration,
      ema: this.ema,
      clippedCount: this.clippedCount,
      streams: this.streams.map((s) => ({ pos: s.pos, h: Array.from(s.h) })),
    };
  }

  /** The b-th sequence of this iteration: the next text window of stream b, or a fresh task example. */
  private nextSequence(b: number, r: Rng): { ex: Example; h0?: Float64Array } {
    if (this.source.kind === 'task') return { ex: this.source.task.sample(r) };
    const data = this.source.corpus.train;
    const T = this.config.seqLength;
    const spacing = Math.floor((data.length - 1) / this.config.batchSize);
    const s = this.streams[b];
    // stream b reads [b·spacing, end)
    const end = b === this.config.batchSize - 1 ? data.length : (b + 1) * spacing + 1;
    if (s.pos + T + 1 > end) {
      s.pos = b * spacing; // wrapped: start over with a fresh state, as min-char-rnn does
      s.h.fill(0);
    }
    const xs = data.subarray(s.pos, s.pos + T);
    const ys = Array.from(data.subarray(s.pos + 1, s.pos + T + 1));
    return { ex: { xs: { tokens: xs }, ys, keySteps: ys.map((_, t) => t) }, h0: s.h };
  }

  /** Forward and backward over this iteration's sequences as one batch (full BPTT, or chunks of k). */
  private batchGradient(seqs: { ex: Example; h0?: Float64Array }[], k: number | undefined): { fw: Forward; g: Grads } {
    const h0 = seqs.map(({ h0 }) => h0 ?? new Float64Array(this.config.hiddenSize));
    const fw = forwardBatch(
      this.params,
      seqs.map(({ ex }) => ex.xs),
      seqs.map(({ ex }) => ex.ys),
      { loss: this.loss, h0, into: this.scratch.fw },
    );
    const g = backward(this.params, fw, { truncate: k, gradsInto: this.scratch.g });
    this.scratch = { fw, g };
    return { fw, g };
  }

  /** One update. Returns (and records) its statistics. */
  step(): IterationStats {
    const t0 = performance.now();
    const r = rng(iterationSeed(this.config.seed, this.iteration));
    const g = zeroGrads(this.params);
    let loss = 0;
    let scored = 0;
    let right = 0;
    let keys = 0;
    const B = this.config.batchSize;
    const tv = this.config.truncation;
    // Full and chunked BPTT: the B sequences as one batch, one forward and one backward pass (eqs 10.8–10.28 over
    // all T·B rows at once). Randomized and streaming truncation draw from r between sequences: one at a time.
    // (Sequences of different lengths, as the Reber task's, cannot share a batch either.)
    // Gradient checkpointing (checkpointing.ts) runs one sequence at a time, like the truncations that draw.
    const deterministic = (tv.kind === 'full' || tv.kind === 'chunked') && this.gradCheckpointEvery === null;
    const seqs = deterministic ? Array.from({ length: B }, (_, b) => this.nextSequence(b, r)) : [];
    const batched = deterministic && seqs.every(({ ex }) => ex.ys.length === seqs[0].ex.ys.length);
    const results = batched ? [this.batchGradient(seqs, tv.kind === 'chunked' ? tv.k : undefined)] : [];
    for (let b = 0; b < B; b++) {
      const { ex, h0 } = deterministic ? seqs[b] : this.nextSequence(b, r);
      let yhat: Mat; // ŷ(t) of sequence b is row t·stride + row0
      let hT: Float64Array; // h(T) of sequence b
      let row0 = 0;
      let stride = 1;
      if (batched) {
        const fw = results[0].fw;
        [yhat, hT, row0, stride] = [fw.yhat, row(fw.hAll, fw.T * B + b), b, B];
      } else if (this.gradCheckpointEvery !== null) {
        const res = this.checkpointed(ex, h0);
        addGrads(g, res.grads);
        loss += res.loss;
        [yhat, hT] = [res.yhat, res.hT];
      } else {
        const res = estimateGradient(this.params, ex.xs, ex.ys, tv, {
          loss: this.loss,
          h0,
          rng: r,
          into: this.scratch.fw,
          gradsInto: this.scratch.g,
        });
        // everything below reads res before the next sequence overwrites it
        this.scratch = { fw: res.fw, g: res.backward };
        addGrads(g, res.grads);
        loss += res.loss;
        [yhat, hT] = [res.fw.yhat, row(res.fw.hAll, res.fw.T)];
      }
      scored += countScored(ex.ys);
      for (const t of ex.keySteps) {
        const y = ex.ys[t];
        if (y === null) continue;
        keys++;
        if (
          isCorrect(this.loss, yhat, t * stride + row0, y, this.source.kind === 'task' ? this.source.task.tolerance : 0)
        )
          right++;
      }
      if (this.source.kind === 'text') {
        const s = this.streams[b];
        s.h.set(hT); // carry h(T) into the next window of this stream
        s.pos += this.config.seqLength;
      }
    }
    if (batched) {
      addGrads(g, results[0].g);
      loss += results[0].fw.loss;
    }
    const clip: ClipResult = clipGrads(g, this.config.clip);
    this.optimizer.step(this.params, g);
    this.iteration += 1;
    if (clip.clipped) this.clippedCount += 1;
    const perStep = loss / Math.max(scored, 1); // the engine's loss is a sum: per-step figures divide explicitly
    const beta = this.config.smoothing;
    this.ema = beta * this.ema + (1 - beta) * perStep;
    const smoothed = beta === 0 ? perStep : this.ema / (1 - beta ** this.iteration); // bias correction, as Adam's
    const stats: IterationStats = {
      iteration: this.iteration,
      loss: perStep,
      smoothed,
      perplexity: this.loss === 'softmax-ce' ? Math.exp(smoothed) : null,
      scored,
      accuracy: keys === 0 ? null : right / keys,
      gradNorm: clip.normBefore,
      clipped: clip.clipped,
      clipFraction: this.clippedCount / this.iteration,
      lr: this.optimizer.lr,
      ms: performance.now() - t0,
    };
    this.history.push(stats);
    return stats;
  }

  /** One sequence's gradient by checkpointed full BPTT, with ŷ(t) kept only at the key steps (for the accuracy). */
  private checkpointed(
    ex: Example,
    h0: Float64Array | undefined,
  ): { loss: number; grads: ParamGrads; yhat: Mat; hT: Float64Array } {
    check(
      this.config.truncation.kind === 'full',
      `gradient checkpointing computes full BPTT's gradient; it cannot be combined with ` +
        `${describeTruncation(this.config.truncation)} truncation`,
    );
    const K = modelSizesOf(this.source).K;
    const yhat = mat(ex.ys.length, K); // only the key steps' rows are filled
    const keys = new Set(ex.keySteps);
    const res = checkpointedGrads(this.params, ex.xs, ex.ys, {
      every: checkEvery(this.gradCheckpointEvery),
      loss: this.loss,
      h0,
      onYhat: (t, y) => keys.has(t - 1) && yhat.data.set(y, (t - 1) * K),
    });
    return { loss: res.loss, grads: res, yhat, hT: res.hT };
  }

  /** Runs n updates, calling onIteration after each (for a progress bar, a log, a plot). */
  run(n: number, onIteration?: (s: IterationStats, trainer: Trainer) => void): IterationStats[] {
    check(Number.isInteger(n) && n >= 0, `iterations must be an integer ≥ 0, got ${String(n)}`);
    const out: IterationStats[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.step();
      out.push(s);
      onIteration?.(s, this);
    }
    return out;
  }

  /**
   * Like run(), but hands control back to the event loop every `every` iterations and calls onUpdate there:
   * in a notebook, a plot updated from onUpdate is redrawn while training goes on.
   */
  async runAsync(
    n: number,
    o: { every?: number; onUpdate?: (recent: IterationStats[], trainer: Trainer) => void | Promise<void> } = {},
  ): Promise<IterationStats[]> {
    const every = o.every ?? 50;
    check(Number.isInteger(every) && every >= 1, `every must be an integer ≥ 1, got ${String(every)}`);
    const out: IterationStats[] = [];
    for (let done = 0; done < n; ) {
      const recent = this.run(Math.min(every, n - done));
      done += recent.length;
      out.push(...recent);
      await o.onUpdate?.(recent, this);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /**
   * Loss and accuracy on data the model did not train on: the held-out end of the text (its first `maxSteps`
   * characters, state carried), or `examples` task examples from a fixed evaluation seed.
   */
  evaluate(o: { maxSteps?: number; examples?: number } = {}): Evaluation {
    let loss = 0;
    let scored = 0;
    let right = 0;
    let keys = 0;
    if (this.source.kind === 'text') {
      const v = this.source.corpus.valid;
      const n = Math.min(v.length, (o.maxSteps ?? 20000) + 1);
      check(n >= 2, 'evaluate: there is no held-out text (validFraction was 0?)');
      const ys = v.subarray(1, n);
      const starts = chunkStarts(n - 1, 250); // 250 steps at a time, the state carried
      forwardInPieces(
        this.params,
        toInputs({ tokens: v.subarray(0, n - 1) }, this.source.corpus.vocab.size),
        ys,
        starts,
        {},
        (fw, s) => {
          loss += fw.loss;
          scored += fw.T;
          for (let t = 0; t < fw.T; t++) {
            keys++;
            if (isCorrect('softmax-ce', fw.yhat, t, ys[s + t], 0)) right++;
          }
        },
      );
    } else {
      const task = this.source.task;
      const r = rng(iterationSeed(this.config.seed ^ 0x5eed, 1 << 30)); // never one of the training iterations' seeds
      for (let i = 0; i < (o.examples ?? 200); i++) {
        const ex = task.sample(r);
        const fw = forward(this.params, ex.xs, ex.ys, { loss: task.loss });
        loss += fw.loss;
        scored += countScored(ex.ys);
        for (const t of ex.keySteps) {
          const y = ex.ys[t];
          if (y === null) continue;
          keys++;
          if (isCorrect(task.loss, fw.yhat, t, y, task.tolerance)) right++;
        }
      }
    }
    const perStep = loss / Math.max(scored, 1);
    return {
      loss: perStep,
      perplexity: this.loss === 'softmax-ce' ? Math.exp(perStep) : null,
      accuracy: keys === 0 ? 0 : right / keys,
      scored,
    };
  }

  /** Text from the model (text sources only), primed with `prime` (default: a newline if the vocabulary has one). */
  sample(o: { length?: number; temperature?: number; seed?: number; prime?: string } = {}): string {
    check(this.source.kind === 'text', 'sample: only a character model can be sampled as text');
    const corpus = (this.source as { corpus: Corpus }).corpus;
    const vocab = corpus.vocab;
    const prime = o.prime ?? (vocab.index.has('\n') ? '\n' : vocab.chars[0]);
    const tokens = Array.from(prime, (c) => {
      const j = vocab.index.get(c);
      check(j !== undefined, `sample: the prime's character ${JSON.stringify(c)} is not in the vocabulary`);
      return j as number;
    });
    const out = sampleTokens(this.params, {
      length: o.length ?? 200,
      temperature: o.temperature ?? 1,
      seed: o.seed ?? this.iteration + 1,
      prime: tokens,
    });
    return Array.from(out.tokens, (k) => vocab.chars[k]).join('');
  }

  /** A one-line summary of the settings. */
  describe(): string {
    const c = this.config;
    const clip = describeClip(c.clip);
    const what =
      this.source.kind === 'text'
        ? `${displayPath(this.source.corpus.source)} (${this.source.corpus.vocab.size} characters, τ = ${c.seqLength})`
        : this.source.task.description;
    return (
      `${what}; n_h = ${c.hiddenSize}, B = ${c.batchSize}, ${c.optimizer} lr ${c.lr}, ${clip}, ` +
      `${describeTruncation(c.truncation)} BPTT, seed ${c.seed}`
    );
  }
}

/** A path relative to the working directory when that is shorter (so messages stay readable). */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel !== '' && rel.length < p.length ? rel : p;
}

function countScored(ys: TargetInput): number {
  let n = 0;
  for (let t = 0; t < ys.length; t++) if (ys[t] !== null && ys[t] !== undefined) n++;
  return n;
}

/** Builds a trainer and runs it: the one-call form. */
export function train(
  source: Source,
  config: Partial<TrainConfig> & { iterations: number },
  onIteration?: (s: IterationStats, trainer: Trainer) => void,
): Trainer {
  const { iterations, ...rest } = config;
  const t = new Trainer(source, rest);
  t.run(iterations, onIteration);
  return t;
}
