// Why over 300 lines: the worked example by hand is one piece: each equation's line of arithmetic sits beside the
// value it computes, forward, ∇h recursion and parameter gradients in the order chapter 9 shows them.
// The worked example by hand (chapter 9): every multiplication of the forward pass, of the ∇h recursion and of each
// parameter gradient, written out as LaTeX from the numbers themselves, so the page cannot drift from the values.
//
// This is a third transcription of eqs 10.8–10.28, next to the engine (rnn.ts) and the mathjs reference: plain
// scalar loops that build each printed line and compute its value from the very factors the line shows (in full
// precision; the line shows them rounded). Chapter 9 then holds these values equal to the engine's and to central
// differences, and test/byhand.test.ts holds them equal to the 50-digit hand fixtures.
import { BpttError } from '../model/errors';
import type { Params } from '../model/params';

/** Targets: one class per step (softmax-ce) or one K-vector per step (squared); null = no loss at that step. */
export type HandTarget = number | readonly number[] | null;

export interface HandOptions {
  loss?: 'softmax-ce' | 'squared';
  h0?: readonly number[];
  /** Decimals of a rounded value in the lines (exact short values such as 0.25 are printed as they are). Default 4. */
  digits?: number;
}

/** One block of aligned LaTeX rows: a heading (markdown, maths in $…$) and its rows (each `lhs &= … = value`). */
export interface HandSection {
  readonly title: string;
  readonly rows: readonly string[];
}

/** Every value the worked example computes, per step (index t − 1) where it has steps. */
export interface HandValues {
  readonly a: number[][];
  readonly h: number[][];
  readonly o: number[][];
  readonly losses: number[];
  readonly loss: number;
  readonly dO: number[][];
  readonly dh: number[][];
  readonly dtanh: number[][];
  readonly da: number[][];
  readonly dU: number[][];
  readonly dW: number[][];
  readonly dV: number[][];
  readonly db: number[];
  readonly dc: number[];
  readonly dh0: number[];
}

export interface HandWorked {
  readonly forward: HandSection[];
  readonly backward: HandSection[];
  readonly params: HandSection[];
  readonly values: HandValues;
}

const rowsOf = (data: Float64Array, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));

/**
 * The worked example for parameters `p`, real inputs `x` (τ×D) and targets `y`: its values, and its lines in three
 * parts (the forward pass step by step, the ∇h recursion from τ down to 1, the parameter gradients).
 */
export function handWorked(
  p: Params,
  x: readonly (readonly number[])[],
  y: readonly HandTarget[],
  o: HandOptions = {},
): HandWorked {
  const H = p.W.rows;
  const D = p.U.cols;
  const K = p.V.rows;
  const T = x.length;
  const loss = o.loss ?? 'softmax-ce';
  if (T < 1) throw new BpttError('handWorked: x needs at least one step x(1)');
  if (y.length !== T) throw new BpttError(`handWorked: y must have one target per step, τ = ${T}, got ${y.length}`);
  x.forEach((r, t) => {
    if (r.length !== D)
      throw new BpttError(
        `handWorked: x(${t + 1}) in a(t) = b + W h(t-1) + U x(t) (eq 10.8) must have D = ${D} entries (U is ` +
          `${H}×${D}), got ${r.length}`,
      );
  });
  const U = rowsOf(p.U.data, H, D);
  const W = rowsOf(p.W.data, H, H);
  const V = rowsOf(p.V.data, K, H);
  const b = Array.from(p.b);
  const c = Array.from(p.c);
  const h0 = o.h0 ? Array.from(o.h0) : new Array<number>(H).fill(0);
  if (h0.length !== H) throw new BpttError(`handWorked: h(0) must have n_h = ${H} entries, got ${h0.length}`);

  const digits = o.digits ?? 4;
  const num = (v: number): string => {
    for (let d = 0; d < digits; d++) if (Number(v.toFixed(d)) === v) return v.toFixed(d) === '-0' ? '0' : v.toFixed(d);
    const s = v.toFixed(digits);
    return /^-0\.0*$/.test(s) ? s.slice(1) : s;
  };
  const fac = (v: number): string => (num(v).startsWith('-') ? `(${num(v)})` : num(v));
  const prod = (...vs: number[]): string => vs.map(fac).join(' \\cdot ');
  const sumOf = (terms: string[]): string => terms.join(' + ').replace(/\+ \(-/g, '+ (-');
  // names: an index only where the size is above 1
  const vec = (name: string, t: number | string | null, i: number, n: number): string =>
    `${name}${t === null ? '' : `^{(${t})}`}${n > 1 ? `_{${i + 1}}` : ''}`;
  const ent = (name: string, i: number, j: number, r: number, cc: number): string =>
    r * cc === 1 ? name : `${name}_{${i + 1}${j + 1}}`;
  const grad = (of: string, i: number, n: number): string =>
    n > 1 ? `(\\nabla_{${of}} L)_{${i + 1}}` : `\\nabla_{${of}} L`;
  const Hs = (t: number, i: number): string => `\\boldsymbol{H}^{(${t})}${H > 1 ? `_{${i + 1}${i + 1}}` : ''}`;
  const gradM = (of: string, i: number, j: number, r: number, cc: number): string =>
    r * cc === 1 ? `\\nabla_{${of}} L` : `(\\nabla_{${of}} L)_{${i + 1}${j + 1}}`;

  // ---- forward ----
  const a: number[][] = [];
  const h: number[][] = [];
  const out: number[][] = [];
  const losses: number[] = [];
  const dO: number[][] = [];
  const forwardSecs: HandSection[] = [];
  for (let t = 0; t < T; t++) {
    const rows: string[] = [];
    const prev = t === 0 ? h0 : h[t - 1];
    const at: number[] = [];
    for (let i = 0; i < H; i++) {
      const sym = [
        `b${H > 1 ? `_{${i + 1}}` : ''}`,
        ...prev.map((_, j) => `${ent('W', i, j, H, H)} ${vec('h', t, j, H)}`),
        ...x[t].map((_, k) => `${ent('U', i, k, H, D)} ${vec('x', t + 1, k, D)}`),
      ];
      let v = b[i];
      prev.forEach((hj, j) => (v += W[i][j] * hj));
      x[t].forEach((xk, k) => (v += U[i][k] * xk));
      at.push(v);
      rows.push(`${vec('a', t + 1, i, H)} &= ${sym.join(' + ')}`);
      const terms = [num(b[i]), ...prev.map((hj, j) => prod(W[i][j], hj)), ...x[t].map((xk, k) => prod(U[i][k], xk))];
      rows.push(`&= ${sumOf(terms)} = ${num(v)}`);
    }
    const ht = at.map(Math.tanh);
    ht.forEach((v, i) =>
      rows.push(`${vec('h', t + 1, i, H)} &= \\tanh(${vec('a', t + 1, i, H)}) = \\tanh(${num(at[i])}) = ${num(v)}`),
    );
    const ot: number[] = [];
    for (let k = 0; k < K; k++) {
      let v = c[k];
      ht.forEach((hj, j) => (v += V[k][j] * hj));
      ot.push(v);
      const symbols = [
        `c${K > 1 ? `_{${k + 1}}` : ''}`,
        ...ht.map((_, j) => `${ent('V', k, j, K, H)} ${vec('h', t + 1, j, H)}`),
      ];
      const values = [num(c[k]), ...ht.map((hj, j) => prod(V[k][j], hj))];
      rows.push(`${vec('o', t + 1, k, K)} &= ${sumOf(symbols)} = ${sumOf(values)} = ${num(v)}`);
    }
    const target = y[t];
    let Lt = 0;
    const g = new Array<number>(K).fill(0);
    if (target === null) {
      rows.push(`L^{(${t + 1})} &= 0 \\quad \\text{(no target at this step)}, \\qquad \\nabla_{o^{(${t + 1})}} L = 0`);
    } else if (loss === 'squared') {
      const yt = target as readonly number[];
      if (typeof yt === 'number' || yt.length !== K)
        throw new BpttError(`handWorked: the squared loss needs y(${t + 1}) as a vector of K = ${K} entries`);
      const diff = ot.map((v, k) => v - yt[k]);
      Lt = 0.5 * diff.reduce((s, d) => s + d * d, 0);
      rows.push(
        `L^{(${t + 1})} &= \\tfrac12 \\big(${ot
          .map((_, k) => `(${vec('o', t + 1, k, K)} - ${vec('y', t + 1, k, K)})^2`)
          .join(' + ')}\\big) = \\tfrac12 \\big(${ot
          .map((v, k) => `(${num(v)} - ${fac(yt[k])})^2`)
          .join(' + ')}\\big) = ${num(Lt)}`,
      );
      diff.forEach((d, k) => {
        g[k] = d;
        const symbols = `${vec('o', t + 1, k, K)} - ${vec('y', t + 1, k, K)}`;
        rows.push(`${grad(`o^{(${t + 1})}`, k, K)} &= ${symbols} = ${num(ot[k])} - ${fac(yt[k])} = ${num(d)}`);
      });
    } else {
      const cls = target as number;
      if (typeof cls !== 'number' || !Number.isInteger(cls) || cls < 0 || cls >= K)
        throw new BpttError(`handWorked: softmax-ce needs y(${t + 1}) as a class index below K = ${K}`);
      const m = Math.max(...ot);
      const e = ot.map((v) => Math.exp(v - m));
      const z = e.reduce((s, v) => s + v, 0);
      const yhat = e.map((v) => v / z);
      Lt = -(ot[cls] - m - Math.log(z));
      rows.push(`\\hat y^{(${t + 1})} &= \\operatorname{softmax}(o^{(${t + 1})}) = (${yhat.map(num).join(', ')})`);
      rows.push(`L^{(${t + 1})} &= -\\log \\hat y^{(${t + 1})}_{${cls + 1}} = -\\log ${num(yhat[cls])} = ${num(Lt)}`);
      yhat.forEach((v, k) => {
        g[k] = v - (k === cls ? 1 : 0);
        const minus = k === cls ? ' - 1' : '';
        const symbols = `\\hat y^{(${t + 1})}_{${k + 1}}${minus}`;
        rows.push(`${grad(`o^{(${t + 1})}`, k, K)} &= ${symbols} = ${num(v)}${minus} = ${num(g[k])}`);
      });
    }
    a.push(at);
    h.push(ht);
    out.push(ot);
    losses.push(Lt);
    dO.push(g);
    forwardSecs.push({ title: `Forward pass, step t = ${t + 1}`, rows });
  }
  const L = losses.reduce((s, v) => s + v, 0);
  forwardSecs.push({
    title: 'The loss',
    rows: [`L &= ${losses.map((_, t) => `L^{(${t + 1})}`).join(' + ')} = ${sumOf(losses.map(num))} = ${num(L)}`],
  });

  // ---- backward: the ∇h recursion, t = τ down to 1 ----
  const dh: number[][] = new Array(T);
  const dt: number[][] = h.map((r) => r.map((v) => 1 - v * v));
  const da: number[][] = new Array(T);
  const backSecs: HandSection[] = [];
  for (let t = T - 1; t >= 0; t--) {
    const rows: string[] = [];
    const g = new Array<number>(H).fill(0);
    for (let j = 0; j < H; j++) {
      const symOut = dO[t].map((_, k) => `${ent('V', k, j, K, H)} ${grad(`o^{(${t + 1})}`, k, K)}`);
      const numOut = dO[t].map((gk, k) => prod(V[k][j], gk));
      let v = 0;
      dO[t].forEach((gk, k) => (v += V[k][j] * gk));
      if (t === T - 1) {
        rows.push(`${grad(`h^{(${t + 1})}`, j, H)} &= ${symOut.join(' + ')} = ${sumOf(numOut)} = ${num(v)}`);
      } else {
        const symCarry = dh[t + 1].map(
          (_, i) => `${ent('W', i, j, H, H)} \\, ${Hs(t + 2, i)} \\, ${grad(`h^{(${t + 2})}`, i, H)}`,
        );
        const numCarry = dh[t + 1].map((gi, i) => prod(W[i][j], dt[t + 1][i], gi));
        dh[t + 1].forEach((gi, i) => (v += W[i][j] * dt[t + 1][i] * gi));
        rows.push(`${grad(`h^{(${t + 1})}`, j, H)} &= ${[...symCarry, ...symOut].join(' + ')}`);
        rows.push(`&= ${sumOf([...numCarry, ...numOut])} = ${num(v)}`);
      }
      g[j] = v;
    }
    dh[t] = g;
    da[t] = g.map((v, i) => dt[t][i] * v);
    for (let i = 0; i < H; i++) {
      const dtanh = `${Hs(t + 1, i)} &= 1 - (${vec('h', t + 1, i, H)})^2 = 1 - ${fac(h[t][i])}^2 = ${num(dt[t][i])}`;
      rows.push(`${dtanh}, \\qquad ${grad(`a^{(${t + 1})}`, i, H)} = ${prod(dt[t][i], g[i])} = ${num(da[t][i])}`);
    }
    backSecs.push({
      title:
        t === T - 1
          ? `Step t = τ = ${t + 1}: only the output path (eq 10.19)`
          : `Step t = ${t + 1}: through $h^{(${t + 2})}$ and through $o^{(${t + 1})}$ (eq 10.21)`,
      rows,
    });
  }
  const dh0 = h0.map((_, j) => da[0].reduce((s, gi, i) => s + W[i][j] * gi, 0));

  // ---- parameter gradients: sums over t ----
  const steps = [...Array(T).keys()];
  const prevOf = (t: number): number[] => (t === 0 ? h0 : h[t - 1]);
  const sumRow = (lhs: string, sym: (t: number) => string, fs: (t: number) => number[]): [string, number] => {
    const v = steps.reduce((s, t) => s + fs(t).reduce((q, f) => q * f, 1), 0);
    return [`${lhs} &= ${steps.map(sym).join(' + ')} = ${sumOf(steps.map((t) => prod(...fs(t))))} = ${num(v)}`, v];
  };
  const paramSecs: HandSection[] = [];
  const dc: number[] = [];
  const dV: number[][] = [];
  const db: number[] = [];
  const dW: number[][] = [];
  const dU: number[][] = [];
  {
    const rows: string[] = [];
    for (let k = 0; k < K; k++) {
      const [r, v] = sumRow(
        grad('c', k, K),
        (t) => grad(`o^{(${t + 1})}`, k, K),
        (t) => [dO[t][k]],
      );
      rows.push(r);
      dc.push(v);
    }
    paramSecs.push({ title: '$\\nabla_c L = \\sum_t \\nabla_{o^{(t)}} L$ (eq 10.22)', rows });
  }
  {
    const rows: string[] = [];
    for (let k = 0; k < K; k++) {
      dV.push([]);
      for (let j = 0; j < H; j++) {
        const [r, v] = sumRow(
          gradM('V', k, j, K, H),
          (t) => `${grad(`o^{(${t + 1})}`, k, K)} \\, ${vec('h', t + 1, j, H)}`,
          (t) => [dO[t][k], h[t][j]],
        );
        rows.push(r);
        dV[k].push(v);
      }
    }
    paramSecs.push({ title: '$\\nabla_V L = \\sum_t \\nabla_{o^{(t)}} L \\, h^{(t)\\top}$ (eq 10.24)', rows });
  }
  {
    const rows: string[] = [];
    for (let i = 0; i < H; i++) {
      const [r, v] = sumRow(
        grad('b', i, H),
        (t) => grad(`a^{(${t + 1})}`, i, H),
        (t) => [da[t][i]],
      );
      rows.push(r);
      db.push(v);
    }
    paramSecs.push({ title: '$\\nabla_b L = \\sum_t \\boldsymbol{H}^{(t)} \\nabla_{h^{(t)}} L$ (eq 10.23)', rows });
  }
  {
    const rows: string[] = [];
    for (let i = 0; i < H; i++) {
      dW.push([]);
      for (let j = 0; j < H; j++) {
        const [r, v] = sumRow(
          gradM('W', i, j, H, H),
          (t) => `${grad(`a^{(${t + 1})}`, i, H)} \\, ${vec('h', t, j, H)}`,
          (t) => [da[t][i], prevOf(t)[j]],
        );
        rows.push(r);
        dW[i].push(v);
      }
    }
    paramSecs.push({
      title: '$\\nabla_W L = \\sum_t \\boldsymbol{H}^{(t)} \\nabla_{h^{(t)}} L \\, h^{(t-1)\\top}$ (eq 10.26)',
      rows,
    });
  }
  {
    const rows: string[] = [];
    for (let i = 0; i < H; i++) {
      dU.push([]);
      for (let k = 0; k < D; k++) {
        const [r, v] = sumRow(
          gradM('U', i, k, H, D),
          (t) => `${grad(`a^{(${t + 1})}`, i, H)} \\, ${vec('x', t + 1, k, D)}`,
          (t) => [da[t][i], x[t][k]],
        );
        rows.push(r);
        dU[i].push(v);
      }
    }
    paramSecs.push({
      title: '$\\nabla_U L = \\sum_t \\boldsymbol{H}^{(t)} \\nabla_{h^{(t)}} L \\, x^{(t)\\top}$ (eq 10.28)',
      rows,
    });
  }
  return {
    forward: forwardSecs,
    backward: backSecs,
    params: paramSecs,
    values: { a, h, o: out, losses, loss: L, dO, dh, dtanh: dt, da, dU, dW, dV, db, dc, dh0 },
  };
}

/** A section as one display-maths block (aligned rows), for bp.showMath. */
export function handLatex(s: HandSection): string {
  return `\\begin{aligned}${s.rows.join(' \\\\ ')}\\end{aligned}`;
}

/** Sections as markdown: a bold heading and its aligned block each (what showHand displays). */
export function handMarkdown(sections: readonly HandSection[]): string {
  return sections.map((s) => `**${s.title}**\n\n$$${handLatex(s)}$$`).join('\n\n');
}
