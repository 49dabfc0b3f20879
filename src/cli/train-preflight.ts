// What would stop a `bpttlab train` run later, found before it starts: the memory it needs, held-out text to
// evaluate on, a checkpoint Node can write and read back and the disk can hold, and a --checkpoint path that is not
// someone else's file.
import { statfsSync } from 'node:fs';
import * as path from 'node:path';
import {
  checkMemory,
  checkpointChars,
  engineMemory,
  FILE_LIMITS,
  formatBytes,
  forwardMemory,
  gradientsPart,
  heapLimit,
  MAX_STRING_LENGTH,
  type MemoryPart,
  parametersPart,
  type RunShape,
} from '../io/limits';
import { BpttError } from '../model/errors';
import { checkpointHeader } from '../train/checkpoint-lock';
import { modelSizesOf, type Source, type TrainConfig } from '../train/config';
import type { TrainOptions } from './train';

/** Steps evaluate() runs a text through at once (train.ts): the activations of that pass count as well. */
const EVAL_CHUNK = 250;

/**
 * Everything that would stop this run later, found now, before any large allocation and before hours of training:
 * the memory it needs, held-out text to evaluate on, and a checkpoint Node can write, read back and the disk can hold.
 */
export function preflight(source: Source, config: TrainConfig, o: TrainOptions): void {
  const { D, K } = modelSizesOf(source);
  const H = config.hiddenSize;
  const B = config.batchSize;
  const slots = config.optimizer === 'adam' ? 2 : 1;
  const text = source.kind === 'text';
  const T = text ? config.seqLength : source.task.steps;
  const real = !text && source.task.loss === 'squared'; // adding and sine feed real numbers; copy and reber tokens
  // --grad-checkpoint-every k (full BPTT only: with truncation the run is refused once set up) caps k at τ
  const every = o.gradCheckpointEvery;
  const k = every !== undefined && config.truncation.kind === 'full' ? Math.min(every, T) : null;
  const checkpoints = k === null ? '' : `, gradient checkpoints every k = ${k}`;
  const runWhat = `this run (D = ${D}, n_h = ${H}, K = ${K}, τ = ${T}, B = ${B}, ${config.optimizer}${checkpoints})`;
  const shape = { D, H, K, T, B, real, slots };
  const evalT = text ? EVAL_CHUNK : T;
  const { parts, workspace } = k === null ? storedMemory(shape, config, evalT) : checkpointedMemory(shape, k, evalT);
  if (text) parts.push({ what: `the states of ${B} text streams`, bytes: 8 * B * H });
  checkMemory(parts, workspace, runWhat, 'use a smaller --hidden, --batch, --lag or --alphabet');

  // JavaScript's heap holds the samples (one string per character while they are joined) and the checkpoint's JSON
  // (two bytes per character once the vocabulary is not ASCII, and its pieces while they are joined: 4 bytes a
  // character)
  const vocab = text ? source.corpus.vocab.size : 0;
  const chars = o.checkpoint === undefined ? 0 : checkpointChars({ D, H, K, B: text ? B : 0, slots }, vocab);
  const most = Math.min(MAX_STRING_LENGTH, FILE_LIMITS.checkpoint);
  if (chars > most) {
    throw new BpttError(
      `a checkpoint of ${runWhat} can be up to ${formatBytes(chars)} of JSON (the parameters and ` +
        `${config.optimizer}'s state), more than the ${formatBytes(most)} a checkpoint can be (the longest string ` +
        `Node can read back): use a smaller --hidden or vocabulary, or leave out --checkpoint`,
    );
  }
  // tasks: the JS array of one sequence's targets
  const heap = (text ? 64 * o.sampleLength : 0) + 4 * chars + (text ? 0 : 16 * T);
  if (heap > heapLimit()) {
    throw new BpttError(
      `${runWhat} needs about ${formatBytes(heap)} of JavaScript heap (for its checkpoint's JSON, its samples or ` +
        `its targets), more than the ${formatBytes(heapLimit())} this Node allows (half its heap limit): use a ` +
        `smaller model, --sample-length or --lag`,
    );
  }
  if (text && source.corpus.valid.length < 2) {
    const n = source.corpus.tokens.length;
    let enough = n + 1; // the shortest text whose held-out part (data.ts: the last 10%, rounded) has 2 characters
    while (enough - Math.max(2, Math.round(enough * 0.9)) < 2) enough++;
    throw new BpttError(
      `${source.corpus.source} has ${n} characters: its held-out tenth (${source.corpus.valid.length} character(s)) ` +
        `is too short to measure the loss on (at least 2 are needed); use a text of at least ${enough} characters`,
    );
  }
  if (o.checkpoint !== undefined) {
    try {
      const fs = statfsSync(path.dirname(path.resolve(o.checkpoint)));
      const free = fs.bavail * fs.bsize;
      if (chars > free)
        throw new BpttError(
          `the disk of --checkpoint ${o.checkpoint} has ${formatBytes(free)} free, and a checkpoint of this run can ` +
            `take up to ${formatBytes(chars)}: free some space or choose another folder`,
        );
    } catch (e) {
      if (e instanceof BpttError) throw e; // statfs itself failing (an unusual file system) is no reason to refuse
    }
  }
}

/**
 * Full or truncated BPTT by the engine: every step's activations are stored for the backward pass. Evaluation runs
 * through the engine too (a text 250 steps at a time, a task's sequence whole), counted as a whole pass as well.
 */
function storedMemory(s: RunShape, config: TrainConfig, evalT: number): { parts: MemoryPart[]; workspace: number } {
  // full and chunked BPTT run an iteration's B sequences as one batch; the other variants one after another
  const batched = config.truncation.kind === 'full' || config.truncation.kind === 'chunked';
  const train = engineMemory({ ...s, B: batched ? s.B : 1 });
  const evaluation = engineMemory({ ...s, T: evalT, B: 1 });
  const parts: MemoryPart[] = train.parts.map((p, i) => ({
    what: p.what,
    bytes: Math.max(p.bytes, evaluation.parts[i].bytes),
  }));
  return { parts, workspace: Math.max(train.workspace, evaluation.workspace) };
}

/**
 * Full BPTT with gradient checkpointing (train/checkpointing.ts), one sequence at a time: the forward pass keeps
 * h(0), h(k), h(2k), …, h(τ) (⌈τ/k⌉ + 1 states) and the backward pass recomputes one segment of k + 1 states at a
 * time, so about τ/k + k states instead of τ + 1. What still grows with τ: ŷ(t) (the Trainer keeps the key steps'
 * for the accuracy, in a τ×K matrix), a real-valued input sequence, and evaluation, a forward pass alone.
 */
function checkpointedMemory(s: RunShape, k: number, evalT: number): { parts: MemoryPart[]; workspace: number } {
  const { D, H, K, T } = s;
  const kept = Math.ceil(T / k) + 1 + (k + 1);
  const evaluation = forwardMemory({ ...s, T: evalT, B: 1 });
  const parts: MemoryPart[] = [
    parametersPart(s),
    { what: `the ${kept} hidden states kept (⌈τ/k⌉ + 1 checkpoints and a segment of k + 1)`, bytes: 8 * kept * H },
    { what: `ŷ(t) of ${T} steps`, bytes: 8 * T * K },
    { what: `the forward pass of ${evalT} steps that evaluates`, bytes: evaluation.activations },
    { what: "the engine's workspace", bytes: evaluation.workspace },
    gradientsPart(s),
  ];
  if (s.real) parts.push({ what: `the inputs x(t) of ${T} steps`, bytes: 8 * T * D });
  return { parts, workspace: evaluation.workspace };
}

/** Refuses to overwrite what is not a bpttlab checkpoint, or another run's checkpoint without --overwrite. */
export function checkTarget(file: string, overwrite: boolean): void {
  const head = checkpointHeader(file);
  if (head.kind === 'other') {
    throw new BpttError(
      `--checkpoint ${file} exists and is not a bpttlab checkpoint (it starts with ${JSON.stringify(head.start)}): ` +
        `refusing to overwrite it; choose another path`,
    );
  }
  if (head.kind === 'checkpoint' && !overwrite) {
    const which = [
      head.run === null ? null : `run ${head.run}`,
      head.iteration === null ? null : `iteration ${head.iteration}`,
    ]
      .filter((x) => x !== null)
      .join(', ');
    throw new BpttError(
      `--checkpoint ${file} holds another run's checkpoint${which ? ` (${which})` : ''}: continue it with --resume, ` +
        `or replace it with --overwrite`,
    );
  }
}
