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
  heapLimit,
  MAX_STRING_LENGTH,
  type MemoryPart,
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
  const runWhat = `this run (D = ${D}, n_h = ${H}, K = ${K}, τ = ${T}, B = ${B}, ${config.optimizer})`;
  // full and chunked BPTT run an iteration's B sequences as one batch; the other variants one after another
  const batched = config.truncation.kind === 'full' || config.truncation.kind === 'chunked';
  const train = engineMemory({ D, H, K, T, B: batched ? B : 1, real, slots });
  const evaluation = engineMemory({ D, H, K, T: text ? EVAL_CHUNK : T, B: 1, real, slots });
  const parts: MemoryPart[] = train.parts.map((p, i) => ({
    what: p.what,
    bytes: Math.max(p.bytes, evaluation.parts[i].bytes),
  }));
  if (text) parts.push({ what: `the states of ${B} text streams`, bytes: 8 * B * H });
  checkMemory(
    parts,
    Math.max(train.workspace, evaluation.workspace),
    runWhat,
    'use a smaller --hidden, --batch, --lag or --alphabet',
  );

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
      `--checkpoint ${file} holds another run's checkpoint${which ? ` (${which})` : ''}: continue it with --resume, or replace it with --overwrite`,
    );
  }
}
