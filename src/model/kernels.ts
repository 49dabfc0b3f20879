// Where the fast engine does its arithmetic: one block of memory (a workspace) and one product, C = A B^T.
// The product runs as WebAssembly with 128-bit SIMD (src/kernels.wat), three to six times faster than the same
// loops in JavaScript; where WebAssembly SIMD is missing, or BPTTLAB_KERNEL=js is set, the plain-JavaScript twin
// gemmNT of tensor.ts runs instead, on the same memory, with the same results up to rounding.
//
// The engine copies what a pass needs into the workspace, computes there, and copies its results out into
// ordinary matrices the caller owns, so nothing a caller holds ever points into the workspace.

import { gemmNT as gemmJS } from './gemm-js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';
import { type Mat, mat } from './tensor';

type WasmGemm = (m: number, n: number, k: number, a: number, b: number, c: number, acc: number) => void;
// The little of the WebAssembly API used here (lib "dom" is not in this project's TypeScript settings).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { memory: WasmMemory; gemmNT: WasmGemm } };
}

function loadWasm(): { memory: WasmMemory; gemm: WasmGemm } | null {
  if (typeof process !== 'undefined' && process.env?.BPTTLAB_KERNEL === 'js') return null;
  const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined) return null;
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const { memory, gemmNT } = new WA.Instance(new WA.Module(bytes), {}).exports;
    return { memory, gemm: gemmNT };
  } catch {
    return null; // no WebAssembly SIMD here: the JavaScript kernel does the same work
  }
}

/** A bump allocator over one Float64Array; offsets are in doubles. Sized once per pass by begin(). */
export class Workspace {
  /** 'wasm' or 'js': which kernel computes the products. */
  readonly kernel: 'wasm' | 'js';
  f64: Float64Array;
  private used = 0;
  private readonly wasm: { memory: WasmMemory; gemm: WasmGemm } | null;

  constructor(forceJs = false) {
    this.wasm = forceJs ? null : loadWasm();
    this.kernel = this.wasm ? 'wasm' : 'js';
    this.f64 = this.wasm ? new Float64Array(this.wasm.memory.buffer) : new Float64Array(1 << 12);
  }

  /** Starts a pass that needs at most `doubles` entries: grows the memory first, so views stay valid. */
  begin(doubles: number): void {
    const need = doubles + 64; // room for the 2-double alignment padding of each allocation
    if (need > this.f64.length) {
      if (this.wasm) {
        const pages = Math.ceil((need * 8 - this.wasm.memory.buffer.byteLength) / 65536);
        this.wasm.memory.grow(pages);
        this.f64 = new Float64Array(this.wasm.memory.buffer);
      } else {
        this.f64 = new Float64Array(Math.max(need, 2 * this.f64.length));
      }
    }
    this.used = 0;
  }

  /**
   * n doubles; returns the offset. Not zeroed: the engine writes every entry before reading it (by put, transpose,
   * a product with accumulate = false, or an explicit fill), and zeroing megabytes per pass would be wasted work.
   * Offsets stay 16-byte aligned for the SIMD loads.
   */
  alloc(n: number): number {
    const off = this.used;
    this.used += n + (n & 1);
    if (this.used > this.f64.length)
      throw new Error(`workspace overflow: begin() reserved ${this.f64.length} doubles, ${this.used} needed`);
    return off;
  }

  /** Copies v in; returns its offset. */
  put(v: Float64Array): number {
    const off = this.alloc(v.length);
    this.f64.set(v, off);
    return off;
  }

  /** C = A B^T, or C += A B^T: A is m×k at offset a, B is n×k at b, C is m×n at c (offsets in doubles). */
  gemm(m: number, n: number, k: number, a: number, b: number, c: number, accumulate: boolean): void {
    if (m === 0 || n === 0) return;
    if (this.wasm) this.wasm.gemm(m, n, k, a * 8, b * 8, c * 8, accumulate ? 1 : 0);
    else gemmJS(m, n, k, this.f64, a, this.f64, b, this.f64, c, accumulate);
  }

  /** The transpose of the rows×cols block at src[off…] into the workspace at `to`. */
  transpose(rows: number, cols: number, src: Float64Array, off: number, to: number): void {
    const M = this.f64;
    for (let i = 0; i < rows; i++) {
      const o = off + i * cols;
      for (let j = 0; j < cols; j++) M[to + j * rows + i] = src[o + j];
    }
  }

  // --- the same, on named matrices (blocks) instead of offsets: what the engine's passes use ---

  /** A new rows×cols block (not zeroed: see alloc). */
  block(rows: number, cols: number): Block {
    return { at: this.alloc(rows * cols), rows, cols };
  }

  /** A block holding a copy of m (a matrix, or a vector as one row). */
  load(m: Mat | Float64Array, rows = 'rows' in m ? m.rows : 1, cols = 'cols' in m ? m.cols : m.length): Block {
    return { at: this.put('data' in m ? m.data : m), rows, cols };
  }

  /** A block holding the transpose of m (cols×rows). */
  loadTransposed(m: Mat | Block): Block {
    const t = this.block(m.cols, m.rows);
    if ('data' in m) this.transpose(m.rows, m.cols, m.data, 0, t.at);
    else this.transpose(m.rows, m.cols, this.f64, m.at, t.at);
    return t;
  }

  /** C = A B^T (C += A B^T when accumulate): A is m×k, B is n×k, C is m×n. */
  mulT(C: Block, A: Block, B: Block, accumulate = false): void {
    if (A.cols !== B.cols || C.rows !== A.rows || C.cols !== B.rows) {
      throw new Error(
        `workspace: cannot form a ${C.rows}×${C.cols} C = A B^T from A ${A.rows}×${A.cols} and B ${B.rows}×${B.cols}`,
      );
    }
    this.gemm(A.rows, B.rows, A.cols, A.at, B.at, C.at, accumulate);
  }

  /** The block's contents, copied into `into` when it has the shape, else into a new matrix. */
  toMat(b: Block, into?: Mat): Mat {
    const out = into !== undefined && into.rows === b.rows && into.cols === b.cols ? into : mat(b.rows, b.cols);
    out.data.set(this.f64.subarray(b.at, b.at + b.rows * b.cols));
    return out;
  }
}

/** A rows×cols row-major matrix inside the workspace, starting at offset `at` (in doubles). */
export interface Block {
  readonly at: number;
  readonly rows: number;
  readonly cols: number;
}

/** Rows [from, from + count) of a block, as a block (no copy). */
export function rowsOf(b: Block, from: number, count: number): Block {
  return { at: b.at + from * b.cols, rows: count, cols: b.cols };
}

let shared: Workspace | null = null;

/** The engine's workspace (one per process: passes run one at a time). */
export function workspace(): Workspace {
  shared ??= new Workspace();
  return shared;
}

/** Which kernel the engine uses: 'wasm' (WebAssembly SIMD) or 'js'. */
export function kernelName(): 'wasm' | 'js' {
  return workspace().kernel;
}
