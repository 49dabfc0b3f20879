// The shared checker behind every exercise. An exercise is: a student-facing function (plain number[] /
// number[][] arguments, so nobody fights typed arrays), a list of cases (a tiny readable one first, then random
// ones, each reproducible from its seed), the correct answer, and the known mistakes, each written as a function
// ("mistake model") that computes what that mistake would return on the same case.
//
// Diagnosis is by numbers only: the student's outputs are compared with the correct ones and with every mistake
// model's; the source text is never looked at. Cases are chosen so that the mistakes disagree with each other
// (non-symmetric W, distinct entries, T ≥ 3, h(0) ≠ 0), and a mistake is named only when its model agrees with the
// student on every case the student answered.

/** What a student function may return: numbers, vectors, matrices, or a record of those (clipping returns grads). */
export type Value = number | readonly number[] | readonly (readonly number[])[] | { readonly [k: string]: Value };

/** One input to the student's function, reproducible: `seed` (null for the hand-made tiny case) and the sizes. */
export interface Case {
  readonly label: string;
  readonly seed: number | null;
  readonly sizes: string;
  readonly args: readonly unknown[];
}

/**
 * Any function of the exercise's arguments. Declared through a method so its parameters compare bivariantly:
 * `(h: number[][]) => number[][]` fits without `any` (the "bivariance hack" of React's typings).
 */
export type Model = { bivariant(...args: unknown[]): unknown }['bivariant'];

export interface Mistake {
  /** Stable id, e.g. 'uses-h-t'; tests and tools key on it. */
  readonly id: string;
  /** What the mistake is, in one line. */
  readonly title: string;
  /** What to fix, pointing to the book's equation. */
  readonly hint: string;
  /**
   * What a solution with this mistake returns (undefined when the mistake cannot happen on this case). Leave it out
   * when `opts` says it: the model is then the exercise's modelOf(opts), so the two can never disagree.
   */
  readonly model?: Model;
  /** The options that make the model from the exercise's modelOf (so two mistakes can be combined). */
  readonly opts?: object;
}

/** The function a mistake stands for: its own `model`, or the exercise's modelOf(opts). */
export function mistakeModel(ex: Exercise, m: Mistake): Model {
  if (m.model) return m.model;
  if (ex.modelOf && m.opts) return ex.modelOf(m.opts);
  throw new Error(`exercise ${ex.name}: mistake ${m.id} has neither a model nor opts for modelOf`);
}

export interface Exercise {
  /** CLI / check() name, e.g. 'dW'. */
  readonly name: string;
  /** The function name the notebook and a student file use, e.g. 'gradW'. */
  readonly fn: string;
  readonly title: string;
  /** The equation(s) it implements, e.g. 'eqs 10.25–10.26'. */
  readonly equation: string;
  /** The TypeScript signature shown to students. */
  readonly signature: string;
  /** Argument names, in order (for "your function changed its argument X"). */
  readonly params: readonly string[];
  /** The output's shape in symbols, e.g. 'H×H'. */
  readonly shape: string;
  /** The output's name in "first wrong entry" lines, e.g. '∇W' (entries then read ∇W[1][2]). */
  readonly output?: string;
  /** When the output's rows are time steps (row r is t = r + 1). */
  readonly stepRows?: boolean;
  readonly cases: () => Case[];
  readonly solution: Model;
  /** Most specific first: when several models fit, the first one is named. */
  readonly mistakes: readonly Mistake[];
  /** The parametrised model behind the mistakes' `opts`: when no single mistake fits, pairs are tried. */
  modelOf?(opts: object): Model;
}

export type Status = 'correct' | 'not-implemented' | 'mistake' | 'wrong' | 'threw' | 'bad-output' | 'mutated' | 'timeout' | 'not-a-function';

export interface Entry {
  /** Where, readably: "t = 2, entry 1", "[1][2]", "dW[0][1]". */
  readonly where: string;
  readonly expected: number;
  readonly got: number;
}

export interface Verdict {
  readonly exercise: string;
  readonly status: Status;
  readonly correct: boolean;
  /** The mistake named (status 'mistake'). */
  readonly mistake?: { readonly id: string; readonly title: string; readonly hint: string };
  /** A second mistake made at the same time (the numbers fit the two together, neither alone). */
  readonly together?: { readonly id: string; readonly title: string; readonly hint: string };
  /** Other mistakes that fit the numbers as well. */
  readonly alsoMatches?: readonly string[];
  /** The case that shows it (index into cases(), label, seed). */
  readonly case?: { readonly index: number; readonly label: string; readonly seed: number | null; readonly sizes: string };
  readonly firstWrong?: Entry;
  /** Plain-language detail (the error message, the shape, the changed argument). */
  readonly detail?: string;
  readonly casesPassed: number;
  readonly casesTotal: number;
  /** The verdict as text, ready to print. */
  readonly text: string;
}

/** Per-entry agreement: |a − b| ≤ tol · max(1, |a| + |b|); NaN agrees with NaN (a mistake model may overflow too). */
export const TOL = 1e-9;
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= TOL * Math.max(1, Math.abs(a) + Math.abs(b));
}

// --- values: normalise what the student returned, describe it, compare it ---

type Norm = { kind: 'num'; v: number } | { kind: 'vec'; v: number[] } | { kind: 'mat'; v: number[][] } | { kind: 'rec'; v: Record<string, Norm> };

function isNumArray(x: unknown): x is ArrayLike<number> {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return true;
  return Array.isArray(x) && x.every((e) => typeof e === 'number');
}

/** Turns a value into a checked normal form, or returns a description of why it is not a valid value. */
function normalise(x: unknown): Norm | string {
  if (typeof x === 'number') return { kind: 'num', v: x };
  if (isNumArray(x)) return { kind: 'vec', v: Array.from(x) };
  if (Array.isArray(x)) {
    if (x.length > 0 && x.every((r) => isNumArray(r))) {
      const rows = x.map((r) => Array.from(r as ArrayLike<number>));
      const c = rows[0].length;
      const bad = rows.findIndex((r) => r.length !== c);
      if (bad >= 0) return `a ragged matrix (row 0 has ${c} entries, row ${bad} has ${rows[bad].length})`;
      return { kind: 'mat', v: rows };
    }
    const bad = x.findIndex((e) => typeof e !== 'number' && !isNumArray(e));
    return `an array whose entry ${bad} is ${describeRaw(x[bad])}`;
  }
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x)) {
    const out: Record<string, Norm> = {};
    for (const [k, v] of Object.entries(x)) {
      const n = normalise(v);
      if (typeof n === 'string') return `an object whose field ${k} is ${n}`;
      out[k] = n;
    }
    return { kind: 'rec', v: out };
  }
  return describeRaw(x);
}

function describeRaw(x: unknown): string {
  if (x === undefined) return 'undefined (did you forget to return?)';
  if (x === null) return 'null';
  if (typeof x === 'string') return `a string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'object') return `an object (${x.constructor?.name ?? 'Object'})`;
  return `${typeof x} ${String(x)}`;
}

function describe(n: Norm): string {
  switch (n.kind) {
    case 'num': return 'a number';
    case 'vec': return `a vector (number[]) of length ${n.v.length}`;
    case 'mat': return `a ${n.v.length}×${n.v[0].length} matrix (number[][])`;
    case 'rec': return `an object with fields ${Object.keys(n.v).map((k) => `${k}: ${describe(n.v[k]).replace(/^an? /, '')}`).join(', ')}`;
  }
}

function sameShape(a: Norm, b: Norm): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'num') return true;
  if (a.kind === 'vec') return a.v.length === (b.v as number[]).length;
  if (a.kind === 'mat') {
    const bv = b.v as number[][];
    return a.v.length === bv.length && a.v[0].length === bv[0].length;
  }
  const bv = b.v as Record<string, Norm>;
  const ka = Object.keys(a.v).sort();
  const kb = Object.keys(bv).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameShape(a.v[k], bv[k]));
}

/** The first entry where `got` differs from `want` (same shapes assumed), in reading order. */
function firstDiff(want: Norm, got: Norm, stepRows: boolean, prefix = ''): Entry | null {
  const entry = (where: string, e: number, g: number): Entry | null => (close(e, g) ? null : { where, expected: e, got: g });
  switch (want.kind) {
    case 'num': return entry(prefix || 'the value', want.v, got.v as number);
    case 'vec': {
      const g = got.v as number[];
      for (let i = 0; i < want.v.length; i++) {
        const d = entry(`${prefix}[${i}]`, want.v[i], g[i]);
        if (d) return d;
      }
      return null;
    }
    case 'mat': {
      const g = got.v as number[][];
      for (let i = 0; i < want.v.length; i++) {
        for (let j = 0; j < want.v[i].length; j++) {
          const where = stepRows && !prefix ? `t = ${i + 1}, entry ${j} (row ${i})` : `${prefix}[${i}][${j}]`;
          const d = entry(where, want.v[i][j], g[i][j]);
          if (d) return d;
        }
      }
      return null;
    }
    case 'rec': {
      const g = got.v as Record<string, Norm>;
      for (const k of Object.keys(want.v)) {
        const d = firstDiff(want.v[k], g[k], stepRows, k);
        if (d) return d;
      }
      return null;
    }
  }
}

function agrees(a: Norm, b: Norm): boolean {
  return sameShape(a, b) && firstDiff(a, b, false) === null;
}

function firstNonFinite(n: Norm, prefix = ''): string | null {
  switch (n.kind) {
    case 'num': return Number.isFinite(n.v) ? null : prefix || 'the value';
    case 'vec': { const i = n.v.findIndex((x) => !Number.isFinite(x)); return i < 0 ? null : `${prefix}[${i}]`; }
    case 'mat':
      for (let i = 0; i < n.v.length; i++) { const j = n.v[i].findIndex((x) => !Number.isFinite(x)); if (j >= 0) return `${prefix}[${i}][${j}]`; }
      return null;
    case 'rec':
      for (const k of Object.keys(n.v)) { const w = firstNonFinite(n.v[k], k); if (w) return w; }
      return null;
  }
}

/** A deep copy of plain data (arrays, typed arrays, objects, numbers). */
export function deepCopy<T>(x: T): T {
  return structuredClone(x);
}

/** Where two argument values differ (for "your function changed its input"), or null. */
function changedAt(before: unknown, after: unknown, path: string): string | null {
  if (typeof before === 'number' || typeof after === 'number') return Object.is(before, after) || before === after ? null : path;
  if (Array.isArray(before) || ArrayBuffer.isView(before)) {
    const b = before as ArrayLike<unknown>;
    const a = after as ArrayLike<unknown> | null;
    if (a === null || typeof a !== 'object' || a.length !== b.length) return `${path} (its length changed)`;
    for (let i = 0; i < b.length; i++) {
      const d = changedAt(b[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (before !== null && typeof before === 'object') {
    if (after === null || typeof after !== 'object') return path;
    for (const k of Object.keys(before)) {
      const d = changedAt((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return before === after ? null : path;
}

// --- the run ---

const NOT_IMPLEMENTED = 'not implemented yet';

function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return `a thrown ${typeof e}: ${String(e)}`;
}

/** The student's code line where it threw, from the stack (frames of the checker itself are dropped). */
const CHECKER_DIR = __dirname; // src/exercises or dist/exercises: frames from here are the checker's, not the student's

function studentFrame(e: unknown): string | null {
  if (!(e instanceof Error) || typeof e.stack !== 'string') return null;
  for (const line of e.stack.split('\n').slice(1)) {
    const l = line.trim();
    if (!l.startsWith('at ')) continue;
    if (l.includes(CHECKER_DIR) || /node:internal|node_modules[\\/]/.test(l)) continue;
    return l;
  }
  return null;
}

type Outcome =
  | { ok: true; out: Norm }
  | { ok: false; status: Status; detail: string };

function runOne(ex: Exercise, fn: Model, c: Case): Outcome {
  const pristine = deepCopy(c.args);
  const given = deepCopy(c.args) as unknown[];
  let raw: unknown;
  try {
    raw = fn(...given);
  } catch (e) {
    const msg = errorMessage(e);
    if (msg.includes(NOT_IMPLEMENTED)) return { ok: false, status: 'not-implemented', detail: msg };
    const frame = studentFrame(e);
    const outOfRange = /Cannot read propert(y|ies) of undefined|undefined is not an object|is not iterable/.test(msg)
      ? '\n  (an index out of range? e.g. h[t - 1] at t = 0 — h(0) is passed separately —, a loop bound of H where K or D belongs, or a transposed index)'
      : '';
    return { ok: false, status: 'threw', detail: `your function threw ${msg}${frame ? `\n    ${frame}` : ''}${outOfRange}` };
  }
  if (raw !== null && typeof raw === 'object' && typeof (raw as { then?: unknown }).then === 'function') {
    return { ok: false, status: 'bad-output', detail: 'your function returned a Promise: make it a plain (not async) function' };
  }
  for (let i = 0; i < pristine.length; i++) {
    const where = changedAt(pristine[i], given[i], ex.params[i] ?? `argument ${i + 1}`);
    if (where) {
      return { ok: false, status: 'mutated', detail: `your function changed its input ${where}: compute into new arrays and leave the arguments as they were (the caller still needs them)` };
    }
  }
  const n = normalise(raw);
  if (typeof n === 'string') return { ok: false, status: 'bad-output', detail: `your function returned ${n}` };
  return { ok: true, out: n };
}

export interface CheckOptions {
  /** Only these cases (indices into cases()); default all. */
  cases?: readonly number[];
  /** Called before the student's function runs on case `index` (the CLI's child process reports progress with it). */
  onCase?: (index: number) => void;
}

/** Runs the student's function on every case and returns the verdict; never throws for anything the student did. */
export function runExercise(ex: Exercise, fn: unknown, opts: CheckOptions = {}): Verdict {
  const base = { exercise: ex.name, casesTotal: 0, casesPassed: 0 };
  if (typeof fn !== 'function') {
    return finish(ex, { ...base, status: 'not-a-function', detail: `expected a function ${ex.signature}, got ${describeRaw(fn)}` });
  }
  const all = ex.cases();
  const picked = (opts.cases ?? all.map((_, i) => i)).map((i) => ({ index: i, c: all[i] })).filter((x) => x.c !== undefined);
  const total = picked.length;
  const outs: (Norm | null)[] = [];
  const wants: Norm[] = [];
  let failAt = -1;
  let later: string | undefined;
  for (let k = 0; k < picked.length; k++) {
    const { index, c } = picked[k];
    const caseInfo = { index, label: c.label, seed: c.seed, sizes: c.sizes };
    const want = normalise(ex.solution(...deepCopy(c.args))) as Norm;
    wants.push(want);
    opts.onCase?.(index);
    const r = runOne(ex, fn as Model, c);
    if (!r.ok) {
      if (r.status === 'not-implemented') return finish(ex, { ...base, casesTotal: total, casesPassed: k, status: 'not-implemented', detail: r.detail, case: caseInfo });
      if (failAt >= 0) {
        // Already wrong on an earlier case: diagnose from the cases answered so far, and mention this one.
        later = `on case ${index} (${c.label}: ${c.sizes}) ${r.detail.replace(/^your function /, 'it ')}`;
        picked.length = k;
        wants.pop();
        break;
      }
      return finish(ex, { ...base, casesTotal: total, casesPassed: k, status: r.status, detail: r.detail, case: caseInfo });
    }
    outs.push(r.out);
    if (failAt < 0 && !agrees(want, r.out)) failAt = k;
  }
  const passed = outs.filter((o, k) => o !== null && agrees(wants[k], o)).length;
  if (failAt < 0) return finish(ex, { ...base, casesTotal: total, casesPassed: total, status: 'correct' });

  const { index, c } = picked[failAt];
  const caseInfo = { index, label: c.label, seed: c.seed, sizes: c.sizes };
  const got = outs[failAt] as Norm;
  const want = wants[failAt];
  const modelOut = (m: Mistake, k: number): Norm | null => {
    let v: unknown;
    try {
      v = mistakeModel(ex, m)(...deepCopy(picked[k].c.args));
    } catch {
      return null;
    }
    if (v === undefined) return null;
    const n = normalise(v);
    return typeof n === 'string' ? null : n;
  };
  const fitsHere = ex.mistakes.filter((m) => {
    const o = modelOut(m, failAt);
    return o !== null && agrees(o, got);
  });
  const fitsEverywhere = fitsHere.filter((m) => outs.every((o, k) => {
    if (o === null) return true;
    const mo = modelOut(m, k);
    return mo === null || agrees(mo, o);
  }));
  const shapeOk = sameShape(want, got);
  const firstWrong = shapeOk ? firstDiff(want, got, ex.stepRows ?? false, ex.stepRows ? '' : ex.output ?? '') ?? undefined : undefined;
  const shapeDetail0 = shapeOk ? undefined : `expected ${describe(want)} (${ex.shape}), got ${describe(got)}`;
  const shapeDetail = [shapeDetail0, later].filter(Boolean).join('; ') || undefined;
  if (fitsEverywhere.length > 0) {
    const [m, ...rest] = fitsEverywhere;
    return finish(ex, {
      ...base, casesTotal: total, casesPassed: passed, status: 'mistake', case: caseInfo, firstWrong, detail: shapeDetail,
      mistake: { id: m.id, title: m.title, hint: m.hint }, alsoMatches: rest.map((x) => x.id),
    });
  }
  // Two known mistakes at once: combine the options of every pair whose options do not overlap.
  if (ex.modelOf) {
    const modelFits = (f: Model): boolean => outs.every((o, k) => {
      if (o === null) return true;
      let v: unknown;
      try {
        v = f(...deepCopy(picked[k].c.args));
      } catch {
        return k !== failAt;
      }
      if (v === undefined) return k !== failAt;
      const n = normalise(v);
      return typeof n === 'string' ? k !== failAt : agrees(n, o);
    });
    const withOpts = ex.mistakes.filter((m) => m.opts !== undefined);
    for (let i = 0; i < withOpts.length; i++) {
      for (let j = i + 1; j < withOpts.length; j++) {
        const [a, b] = [withOpts[i], withOpts[j]];
        const ka = Object.keys(a.opts!);
        if (Object.keys(b.opts!).some((k) => ka.includes(k))) continue;
        if (!modelFits(ex.modelOf({ ...a.opts, ...b.opts }))) continue;
        return finish(ex, {
          ...base, casesTotal: total, casesPassed: passed, status: 'mistake', case: caseInfo, firstWrong, detail: shapeDetail,
          mistake: { id: a.id, title: a.title, hint: a.hint }, together: { id: b.id, title: b.title, hint: b.hint }, alsoMatches: [],
        });
      }
    }
  }
  if (!shapeOk) return finish(ex, { ...base, casesTotal: total, casesPassed: passed, status: 'bad-output', case: caseInfo, detail: `your function returned the wrong shape: ${shapeDetail}` });
  const nonFinite = firstNonFinite(got);
  let detail = nonFinite ? `your result has a non-finite value (NaN or ±Infinity) at ${nonFinite}` : later;
  if (nonFinite && later) detail = `${detail}; ${later}`;
  if (fitsHere.length > 0) {
    const partial = `on this case the numbers fit "${fitsHere[0].title}", but not on every case`;
    detail = detail ? `${detail}; ${partial}` : partial;
  }
  return finish(ex, { ...base, casesTotal: total, casesPassed: passed, status: 'wrong', case: caseInfo, firstWrong, detail });
}

// --- the text ---

const fmtNum = (x: number): string => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+($|e)/, '$1')) : String(x));

function caseLine(ex: Exercise, c: NonNullable<Verdict['case']>): string {
  const seed = c.seed === null ? 'the hand-made tiny case' : `random case, seed ${c.seed}`;
  return `case ${c.index} (${c.label}: ${c.sizes}; ${seed}) — reproduce it with bp.exercises.getCase('${ex.name}', ${c.index}).args, or \`bpttlab check ${ex.name} FILE --case ${c.index}\``;
}

type Draft = Omit<Verdict, 'text' | 'correct'>;

function finish(ex: Exercise, d: Draft): Verdict {
  const head = `${ex.name} — ${ex.title} (${ex.equation})`;
  const lines: string[] = [];
  switch (d.status) {
    case 'correct':
      lines.push(`✔ ${head}: correct on all ${d.casesTotal} cases (entries agree within ${TOL} · max(1, |a| + |b|)).`);
      break;
    case 'not-implemented':
      lines.push(`✘ ${head}: ${NOT_IMPLEMENTED} — replace the stub (the line that throws) with your code, then run this check again.`);
      break;
    case 'mistake': {
      const m = d.mistake!;
      if (d.together) {
        lines.push(`✘ ${head}: not correct. It looks like two known mistakes at once:`);
        lines.push(`  (1) ${m.title}`, `      hint: ${m.hint}`, `  (2) ${d.together.title}`, `      hint: ${d.together.hint}`);
        break;
      }
      lines.push(`✘ ${head}: not correct. It looks like this known mistake: ${m.title}.`);
      lines.push(`  hint: ${m.hint}`);
      if (d.alsoMatches && d.alsoMatches.length > 0) {
        const titles = d.alsoMatches.map((id) => ex.mistakes.find((x) => x.id === id)?.title ?? id);
        lines.push(`  (the numbers also fit: ${titles.join('; ')})`);
      }
      break;
    }
    case 'wrong':
      lines.push(`✘ ${head}: not correct, and it matches none of the known mistakes (it may combine several).`);
      break;
    case 'threw':
      lines.push(`✘ ${head}: your function threw an error.`);
      break;
    case 'bad-output':
      lines.push(`✘ ${head}: your function's result has the wrong type or shape.`);
      break;
    case 'mutated':
      lines.push(`✘ ${head}: your function changed its inputs.`);
      break;
    case 'not-a-function':
      lines.push(`✘ ${head}: what was passed to the checker is not a function.`);
      break;
    case 'timeout':
      lines.push(`✘ ${head}: your function did not return in time (an endless loop?).`);
      break;
  }
  if (d.detail) lines.push(`  ${d.detail}`);
  if (d.firstWrong) {
    const w = d.firstWrong;
    lines.push(`  first wrong entry: ${w.where}: expected ${fmtNum(w.expected)}, got ${fmtNum(w.got)}`);
  }
  if (d.status !== 'correct' && d.status !== 'not-implemented') {
    lines.push(`  expected signature: ${ex.signature}, returning ${ex.shape}`);
  }
  if (d.case && d.status !== 'correct' && d.status !== 'not-implemented') lines.push(`  ${caseLine(ex, d.case)}`);
  if (d.status !== 'correct' && d.status !== 'not-implemented' && d.status !== 'timeout' && d.casesTotal > 0) lines.push(`  passed ${d.casesPassed} of ${d.casesTotal} cases`);
  return { ...d, correct: d.status === 'correct', text: lines.join('\n') };
}

/** The verdict for a student function that never returned (the CLI's child process was killed). */
export function timeoutVerdict(ex: Exercise, ms: number, caseIndex?: number): Verdict {
  const c = caseIndex === undefined ? undefined : ex.cases()[caseIndex];
  return finish(ex, {
    exercise: ex.name, status: 'timeout', casesPassed: 0, casesTotal: ex.cases().length,
    case: c ? { index: caseIndex!, label: c.label, seed: c.seed, sizes: c.sizes } : undefined,
    detail: `killed after ${ms / 1000} s${c ? ` while running case ${caseIndex}` : ''}; check that every loop ends (e.g. a backward loop \`for (let t = T - 1; t >= 0; t--)\`)`,
  });
}

/** The verdict when the student's code ended the CLI's child process (process.exit, out of memory, ...). */
export function crashVerdict(ex: Exercise, why: string, caseIndex?: number): Verdict {
  const c = caseIndex === undefined ? undefined : ex.cases()[caseIndex];
  return finish(ex, {
    exercise: ex.name, status: 'threw', casesPassed: 0, casesTotal: ex.cases().length,
    case: c ? { index: caseIndex!, label: c.label, seed: c.seed, sizes: c.sizes } : undefined,
    detail: `the process running your function ended before the check finished (${why})`,
  });
}
