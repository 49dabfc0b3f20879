// The lab's limits, each with the figure a refusal quotes: how large a file it reads, how much memory a run may
// take, how long a checkpoint's JSON may be. They are checked before anything large is read or allocated, so a
// careless `--hidden 100000` or a symlink to /dev/zero gets one line that says the limit, never a crash after
// minutes of work.
import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { BpttError } from '../model/errors';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The largest file of each kind the lab reads (bytes). */
export const FILE_LIMITS = {
  'case file': 64 * MiB, // a T×H case with T·H in the millions; far beyond what a lesson checks by hand
  'text file': 16 * MiB, // sixteen times the complete works in tiny-shakespeare; Genesis is 0.2 MiB
  checkpoint: 512 * MiB, // about the longest string this Node can hold (a checkpoint is read as one string)
  'solution file': 4 * MiB, // a student's function and its helpers; a thousand times a full-backward solution
  notebook: 64 * MiB, // a student's notebook with its outputs (plots embed plotly, a few MiB each)
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

/** A character model knows at most this many distinct characters (a Chinese novel has a few thousand). */
export const MAX_VOCAB = 65536;

/** The longest string V8 can make (a checkpoint is written and read as one JSON string). */
export const MAX_STRING_LENGTH: number = bufferConstants.MAX_STRING_LENGTH;

/** WebAssembly memory is addressed with 32 bits: the engine's workspace holds at most 4 GiB. */
export const WORKSPACE_LIMIT = 4 * GiB;

/** Typed arrays (parameters, activations) may take half of this machine's memory, and never more than 16 GiB. */
export function memoryLimit(): { bytes: number; why: string } {
  const half = totalmem() / 2;
  return half < 16 * GiB
    ? { bytes: half, why: `half of this machine's ${formatBytes(totalmem())}` }
    : { bytes: 16 * GiB, why: "the lab's ceiling" };
}

/** JavaScript objects (strings, arrays) may take half of Node's heap limit. */
export function heapLimit(): number {
  return getHeapStatistics().heap_size_limit / 2;
}

export function formatBytes(n: number): string {
  if (!(n < 1024 * 1024 * GiB)) return 'more than 1024 TiB';
  if (n >= 1024 * GiB) return `${(n / (1024 * GiB)).toFixed(1)} TiB`;
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

/** "40 s", "12 min", "3.5 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** What a run or a case is made of, for the memory estimate. */
export interface RunShape {
  D: number;
  H: number;
  K: number;
  /** Steps per sequence (the longest one). */
  T: number;
  /** Sequences per iteration. */
  B: number;
  /** Real-valued inputs (T×D matrices) instead of tokens. */
  real: boolean;
  /** Optimiser slots per parameter (sgd, adagrad, rmsprop 1; adam 2); 0 when nothing trains. */
  slots: number;
}

export interface MemoryPart {
  what: string;
  bytes: number;
}

/** Parameters θ = (U, W, V, b, c): H·D + H·H + K·H + H + K numbers. */
export const paramCount = (s: Pick<RunShape, 'D' | 'H' | 'K'>): number => s.H * s.D + s.H * s.H + s.K * s.H + s.H + s.K;

/**
 * The memory of a forward and backward pass plus, when training, the gradients and the optimiser state, in
 * parts a refusal can name. Counted from what engine.ts allocates (its workspace and the matrices it hands back),
 * rounded up: the figure is an upper estimate.
 */
export function engineMemory(s: RunShape): { parts: MemoryPart[]; workspace: number } {
  const { D, H, K, B } = s;
  const R = s.T * B;
  const real = s.real ? 1 : 0;
  // engine.ts: the forward's workspace, then the backward's (the larger of the two is what the workspace keeps)
  const fwdWs = forwardWords(s);
  const bwdWs = 2 * H * K + 2 * R * K + 2 * H * H + B * H + (R + B) * H + 5 * R * H + H * D + real * 2 * R * D;
  const workspace = 8 * Math.max(fwdWs, bwdWs);
  const parts: MemoryPart[] = [
    parametersPart(s),
    // forward result (a, h(0..T), o, ŷ) and backward result (∇o, H(t), ∇h, ∇a) per step
    { what: `the activations of ${R} steps`, bytes: 8 * (R * (6 * H + 3 * K) + B * H + real * R * D) },
    { what: "the engine's workspace", bytes: workspace },
    gradientsPart(s),
  ];
  return { parts, workspace };
}

/** The parameters θ, as a part of a memory estimate. */
export const parametersPart = (s: Pick<RunShape, 'D' | 'H' | 'K'>): MemoryPart => ({
  what: `the parameters (U ${s.H}×${s.D}, W ${s.H}×${s.H}, V ${s.K}×${s.H})`,
  bytes: 8 * paramCount(s),
});

/** The gradients (a pass's and their sum) and, when training, the optimiser's state. */
export const gradientsPart = (s: Pick<RunShape, 'D' | 'H' | 'K' | 'slots'>): MemoryPart =>
  s.slots > 0
    ? { what: "the gradients and the optimiser's state", bytes: 8 * paramCount(s) * (2 + s.slots) }
    : { what: 'the gradients', bytes: 8 * paramCount(s) };

/** Numbers in engine.ts's workspace for a forward pass: W, V, (U and the inputs when real), a, h(0..T), o. */
function forwardWords(s: Omit<RunShape, 'slots'>): number {
  const { D, H, K, B } = s;
  const R = s.T * B;
  const real = s.real ? 1 : 0;
  return H * H + K * H + real * (H * D + R * D) + R * H + (R + B) * H + R * K;
}

/**
 * The memory of a forward pass alone (what evaluation runs): engine.ts's forward workspace, and the matrices it
 * hands back, a, h(0..T), o, ŷ and the per-step losses.
 */
export function forwardMemory(s: Omit<RunShape, 'slots'>): { activations: number; workspace: number } {
  const R = s.T * s.B;
  const real = s.real ? 1 : 0;
  return {
    activations: 8 * (R * (2 * s.H + 2 * s.K + 1) + s.B * s.H + real * R * s.D),
    workspace: 8 * forwardWords(s),
  };
}

/** An upper bound on the characters of a checkpoint's JSON: at most 26 per number ("-1.2345678901234567e-123, "). */
export function checkpointChars(s: Pick<RunShape, 'D' | 'H' | 'K' | 'B' | 'slots'>, vocab: number): number {
  const numbers = paramCount(s) * (1 + s.slots) + s.B * s.H;
  return 26 * numbers + 16 * vocab + 64 * 1024; // + the vocabulary ("\uXXXX", per character) and the settings
}

/** Throws a BpttError naming the total, the largest parts and the limit when `parts` exceed what the lab allows. */
export function checkMemory(parts: MemoryPart[], workspace: number, what: string, advice: string): void {
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  const top = [...parts]
    .sort((a, b) => b.bytes - a.bytes)
    .filter((p) => p.bytes > 0)
    .slice(0, 3)
    .map((p) => `${p.what} ${formatBytes(p.bytes)}`)
    .join(', ');
  const limit = memoryLimit();
  if (!(total <= limit.bytes)) {
    throw new BpttError(
      `${what} needs about ${formatBytes(total)} of memory (${top}), more than this lab allows ` +
        `(${formatBytes(limit.bytes)}, ${limit.why}); ${advice}`,
    );
  }
  if (workspace > WORKSPACE_LIMIT) {
    throw new BpttError(
      `${what} needs a ${formatBytes(workspace)} workspace for one pass, more than the ` +
        `${formatBytes(WORKSPACE_LIMIT)} the engine can address (WebAssembly memory); ${advice}`,
    );
  }
}
