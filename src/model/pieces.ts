// Running a long sequence in pieces: the forward pass over steps [s, e) of the sequence, one piece after the other,
// h(s − 1) carried from the end of one piece into the next. Chunked truncated BPTT in O(k·H) memory, the gradient
// check's truncated loss and held-out evaluation all walk a sequence this way; this is the one loop that does it.
import { backward, checkTruncate, type Forward, type ForwardOptions, forward, type Grads } from './engine';
import { BpttError } from './errors';
import { type InputSpec, type Inputs, sliceInputs, specOf, toInputs } from './inputs';
import type { TargetInput } from './losses';
import { checkParams, type Params, zerosLike } from './params';
import { type Mat, row } from './tensor';

export interface PieceOptions extends Pick<ForwardOptions, 'loss' | 'h0'> {
  /** The state a piece starting at (0-based) step s begins from, when it is not the carried one (a detached h). */
  stateAt?: (s: number) => ArrayLike<number> | undefined;
  /** The parameters of the piece starting at s (default p): the gradient check moves one step's copy only. */
  paramsAt?: (s: number) => Params;
  /** Let each piece overwrite the previous piece's arrays (the visitor must not keep them). */
  reuse?: boolean;
}

/**
 * Runs the forward pass over pieces [starts[j], starts[j + 1]) (the last one ends at T; starts[0] must be 0),
 * calling visit(fw, s) after each piece with its forward result and its first step s (0-based).
 */
export function forwardInPieces(
  p: Params,
  inputs: Inputs,
  ys: ArrayLike<number | ArrayLike<number> | null>,
  starts: readonly number[],
  opts: PieceOptions,
  visit: (fw: Forward, s: number) => void,
): void {
  const T = inputs.T;
  let h: ArrayLike<number> | undefined = opts.h0;
  let fw: Forward | undefined;
  starts.forEach((s, j) => {
    const e = j + 1 < starts.length ? starts[j + 1] : T;
    h = opts.stateAt?.(s) ?? h;
    const params = opts.paramsAt?.(s) ?? p;
    const ysPiece = Array.prototype.slice.call(ys, s, e) as TargetInput;
    fw = forward(params, specOf(sliceInputs(inputs, s, e)), ysPiece, {
      loss: opts.loss,
      h0: h,
      into: opts.reuse ? fw : undefined,
    });
    visit(fw, s);
    h = row(fw.h, fw.T - 1).slice(); // carried (a copy: the next piece may overwrite fw)
  });
}

/** The starts 0, k, 2k, … of the chunks of k steps in a sequence of T steps. */
export function chunkStarts(T: number, k: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < T; s += k) out.push(s);
  return out;
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
export function gradsChunkByChunk(
  p: Params,
  xsSpec: InputSpec,
  ys: TargetInput,
  opts: ForwardOptions & { truncate: number },
): ChunkedGrads {
  const { D, H } = checkParams(p);
  const inputs = toInputs(xsSpec, D);
  const T = inputs.T;
  const k = checkTruncate(opts.truncate, T);
  if (ys.length !== T) throw new BpttError(`y must have one target per step, T = ${T}, got ${ys.length}`);
  const total = zerosLike(p);
  const dh0 = new Float64Array(H);
  let loss = 0;
  let g: Grads | undefined;
  forwardInPieces(p, inputs, ys, chunkStarts(T, k), { loss: opts.loss, h0: opts.h0, reuse: true }, (fw, s) => {
    g = backward(p, fw, { gradsInto: g });
    loss += fw.loss;
    const parts: [Float64Array, Float64Array][] = [
      [total.U.data, g.dU.data],
      [total.W.data, g.dW.data],
      [total.V.data, g.dV.data],
      [total.b, g.db],
      [total.c, g.dc],
    ];
    for (const [sum, part] of parts) for (let i = 0; i < sum.length; i++) sum[i] += part[i];
    if (s === 0) dh0.set(g.dh0); // ∇h(0) L from the first chunk only
  });
  return { loss, dU: total.U, dW: total.W, dV: total.V, db: total.b, dc: total.c, dh0 };
}
