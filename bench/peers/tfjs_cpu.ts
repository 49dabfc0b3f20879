/* TensorFlow.js peer: @tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu, float32.
 * tf.valueAndGrads over the unrolled loop; h is (B, H) (B = 1 for a single case), so a
 * batch case (S4) runs matrix-matrix products.  Token inputs are one-hot rows (tf.oneHot),
 * built inside the timed call.
 *
 *   node --import tsx bench/peers/tfjs_cpu.ts --grad case.json
 *   node --import tsx bench/peers/tfjs_cpu.ts --time --size S1 [--case case.json]
 */
import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients"; // tfjs-core alone registers no gradients
import "@tensorflow/tfjs-backend-cpu";

type Case = {
  H: number; D: number; K: number; T: number; B: number; real: boolean; batched: boolean;
  U: number[]; W: number[]; V: number[]; b: number[]; c: number[]; h0: number[]; // flat, row-major
  tokens: number[]; x: number[]; y: number[]; // time-major: [T][B] and [T][B][D]
};

// name: [H, D, K, T, B, real]  (same table as make_case.py)
const SIZES: Record<string, [number, number, number, number, number, boolean]> = {
  S1: [100, 65, 65, 25, 0, false], S2: [256, 65, 65, 100, 0, false],
  S3: [512, 128, 128, 200, 0, true], S4: [256, 65, 65, 100, 32, false],
  tiny: [7, 5, 4, 6, 0, false], "tiny-x": [6, 5, 4, 7, 0, true],
  "tiny-batch": [7, 5, 4, 6, 3, false], "tiny-batch-x": [6, 5, 4, 5, 3, true],
};

/* mulberry32 + Box-Muller, bit-identical to make_case.py / c_loop.c */
function generate(size: string, seed: number): Case {
  const [H, D, K, T, B0, real] = SIZES[size];
  const B = B0 || 1;
  let a = seed >>> 0;
  const u32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = () => (u32() + 0.5) / 4294967296;
  const normal = () => {
    const u1 = uniform(), u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  const fill = (n: number, fan: number) => {
    const s = 1 / Math.sqrt(fan);
    return Array.from({ length: n }, () => normal() * s);
  };
  const cs: Case = {
    H, D, K, T, B, real, batched: B0 > 0,
    U: fill(H * D, D), W: fill(H * H, H), V: fill(K * H, H), b: fill(H, H), c: fill(K, H),
    h0: new Array(B * H).fill(0), tokens: new Array(T * B), x: new Array(real ? T * B * D : 0), y: new Array(T * B),
  };
  for (let s = 0; s < B; s++) {
    for (let t = 0; t < T; t++) {
      if (real) for (let j = 0; j < D; j++) cs.x[(t * B + s) * D + j] = normal();
      else cs.tokens[t * B + s] = Math.floor(uniform() * D);
    }
    for (let t = 0; t < T; t++) cs.y[t * B + s] = Math.floor(uniform() * K);
  }
  return cs;
}

function readCase(path: string): Case {
  const j = JSON.parse(fs.readFileSync(path, "utf8"));
  const p = j.params;
  const seqs: any[] = j.batch ?? [j];
  const B = seqs.length, H = p.W.length, D = p.U[0].length, K = p.V.length;
  const real = "x" in seqs[0];
  const T = seqs[0].y.length;
  const cs: Case = {
    H, D, K, T, B, real, batched: "batch" in j,
    U: p.U.flat(), W: p.W.flat(), V: p.V.flat(), b: p.b, c: p.c,
    h0: p.h0 ? [p.h0].flat(2) : new Array(B * H).fill(0),
    tokens: new Array(T * B), x: new Array(real ? T * B * D : 0), y: new Array(T * B),
  };
  seqs.forEach((q, s) => {
    for (let t = 0; t < T; t++) {
      cs.y[t * B + s] = q.y[t];
      if (real) for (let i = 0; i < D; i++) cs.x[(t * B + s) * D + i] = q.x[t][i];
      else cs.tokens[t * B + s] = q.tokens[t];
    }
  });
  return cs;
}

/* Returns a closure computing {loss, grads [U, W, V, b, c, h0]} (caller disposes). */
function setup(cs: Case) {
  const { H, D, K, T, B } = cs;
  const params = [
    tf.tensor2d(cs.U, [H, D]), tf.tensor2d(cs.W, [H, H]), tf.tensor2d(cs.V, [K, H]),
    tf.tensor1d(cs.b), tf.tensor1d(cs.c), tf.tensor2d(cs.h0, [B, H]),
  ];
  const inputs = cs.real ? tf.tensor3d(cs.x, [T, B, D]) : tf.tensor2d(cs.tokens, [T, B], "int32");
  const labels = tf.tensor1d(cs.y, "int32");
  const f = (...args: tf.Tensor[]) => {
    const [U, W, V, b, c, h0] = args;
    const X = cs.real ? inputs : tf.cast(tf.oneHot(inputs as tf.Tensor2D, D), "float32");
    const xs = tf.unstack(X); // T tensors of (B, D)
    let h = h0 as tf.Tensor2D;
    const outs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      // a = b + W h(t-1) + U x(t), in row form: h W^T + x U^T + b
      h = tf.tanh(tf.add(tf.add(tf.matMul(xs[t] as tf.Tensor2D, U as tf.Tensor2D, false, true),
        tf.matMul(h, W as tf.Tensor2D, false, true)), b)) as tf.Tensor2D;
      outs.push(tf.add(tf.matMul(h, V as tf.Tensor2D, false, true), c)); // o = c + V h
    }
    const O = tf.concat(outs, 0); // (T*B, K), row t*B + s
    const Y = tf.cast(tf.oneHot(labels, K), "float32");
    return tf.neg(tf.sum(tf.mul(Y, tf.logSoftmax(O)))) as tf.Scalar;
  };
  const vg = tf.valueAndGrads(f);
  return () => tf.tidy(() => {
    const { value, grads } = vg(params);
    return [value, ...grads];
  });
}

function pct(sorted: number[], q: number) { // linear interpolation, like numpy.percentile
  const pos = q * (sorted.length - 1), lo = Math.floor(pos);
  return lo + 1 < sorted.length ? sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (pos - lo) : sorted[lo];
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (k: string) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  await tf.setBackend("cpu");
  await tf.ready();
  const gradPath = opt("--grad");
  if (gradPath) {
    const cs = readCase(gradPath);
    const [loss, ...g] = setup(cs)();
    const [U, W, V, b, c, h0] = g.map((t) => t.arraySync());
    const out = { loss: loss.dataSync()[0], grads: { U, W, V, b, c, h0: cs.batched ? h0 : (h0 as number[][])[0] } };
    process.stdout.write(JSON.stringify(out) + "\n");
    return;
  }
  if (!argv.includes("--time")) {
    console.error("usage: tfjs_cpu.ts --grad case.json | --time --size S1 [--case case.json] [--seed 1] [--seconds 1.5]");
    process.exit(2);
  }
  const size = opt("--size") ?? "S1";
  const casePath = opt("--case");
  const cs = casePath ? readCase(casePath) : generate(size, Number(opt("--seed") ?? 1));
  const seconds = Number(opt("--seconds") ?? 1.5);
  const run = setup(cs);
  const once = () => { const r = run(); const l = r[0].dataSync()[0]; tf.dispose(r); return l; };
  let loss = 0, n = 0, t0 = performance.now();
  while (n < 3 || performance.now() - t0 < 300) { loss = once(); n++; }
  const ts: number[] = [];
  t0 = performance.now();
  while (ts.length < 10 || performance.now() - t0 < seconds * 1e3) {
    const a = performance.now();
    once();
    ts.push(performance.now() - a);
  }
  ts.sort((x, y) => x - y);
  const med = pct(ts, 0.5);
  const rec: Record<string, unknown> = { size, engine: "tfjs-cpu", msPerSequence: cs.batched ? med / cs.B : med };
  if (cs.batched) Object.assign(rec, { msPerBatch: med, batch: cs.B });
  Object.assign(rec, {
    runs: ts.length, medianMs: med, p10Ms: pct(ts, 0.1), p90Ms: pct(ts, 0.9), loss, threads: 1,
    dtype: "float32", tfjs: tf.version_core, backend: tf.getBackend(), numTensors: tf.memory().numTensors,
  });
  process.stdout.write(JSON.stringify(rec) + "\n");
}

main().catch((e) => { console.error(e); process.exit(1); });
