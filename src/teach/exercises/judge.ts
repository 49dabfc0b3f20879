// The verdict, computed from what the student's function handed back and nothing else. This runs where the student's
// code does not (the `bpttlab check` / `bpttlab grade` process, or the judge process a notebook's check() starts),
// so nothing the student's code does can reach the comparison; the outcomes it reads are untrusted data.
//
// Diagnosis is by numbers only: the student's outputs are compared with the correct ones and with every mistake
// model's; the source text is never looked at. Cases are chosen so that the mistakes disagree with each other
// (non-symmetric W, distinct entries, τ ≥ 3, h(0) ≠ 0), and a mistake is named only when its model agrees with the
// student on every case the student answered. When none fits, the verdict still says where the answer is wrong:
// which returned quantities agree and which do not, or the first wrong step as the recursion runs from τ down.
import { Exercise, Mistake, Model, mistakeModel } from './answers/exercise';
import { collect, oneLine } from './collect';
import { Entry, MistakeRef, NOT_IMPLEMENTED, Outcome, Status, Verdict } from './types';
import { Norm, decode, describe, describeRaw, normalise } from './values';

/** Per-entry agreement: |a − b| ≤ tol · max(1, |a| + |b|); NaN agrees with NaN (a mistake model may overflow too). */
export const TOL = 1e-9;
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= TOL * Math.max(1, Math.abs(a) + Math.abs(b));
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

/**
 * The first entry where `got` differs from `want` (same shapes assumed): in reading order, except for per-step
 * results, which are read as the recursion computes them, from t = τ down (a wrong step spoils every earlier one).
 */
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
      const rows = [...want.v.keys()];
      if (stepRows && !prefix) rows.reverse();
      for (const i of rows) {
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

function firstNonFiniteEntry(n: Norm, prefix = ''): string | null {
  switch (n.kind) {
    case 'num': return Number.isFinite(n.v) ? null : prefix || 'the value';
    case 'vec': { const i = n.v.findIndex((x) => !Number.isFinite(x)); return i < 0 ? null : `${prefix}[${i}]`; }
    case 'mat':
      for (let i = 0; i < n.v.length; i++) { const j = n.v[i].findIndex((x) => !Number.isFinite(x)); if (j >= 0) return `${prefix}[${i}][${j}]`; }
      return null;
    case 'rec':
      for (const k of Object.keys(n.v)) { const w = firstNonFiniteEntry(n.v[k], k); if (w) return w; }
      return null;
  }
}

// --- where a wrong answer is wrong ---

/** "a", "a and b", "a, b and c". */
export function listing(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Which parts of a same-shaped wrong answer agree and which do not, as one sentence. */
function locate(ex: Exercise, want: Norm, got: Norm): string | undefined {
  const name = ex.output ?? 'the result';
  if (want.kind === 'rec') {
    const g = got.v as Record<string, Norm>;
    const keys = Object.keys(want.v);
    const ok = keys.filter((k) => agrees(want.v[k], g[k]));
    const bad = keys.filter((k) => !ok.includes(k));
    if (ok.length === 0) return `None of ${listing(keys)} agrees.`;
    return `${listing(ok)} ${ok.length === 1 ? 'agrees' : 'agree'}; ${listing(bad)} ${bad.length === 1 ? 'does' : 'do'} not.`;
  }
  if (want.kind === 'mat' && ex.stepRows) {
    const T = want.v.length;
    const g = got.v as number[][];
    const rowOk = (i: number): boolean => want.v[i].every((e, j) => close(e, g[i][j]));
    let i = T - 1;
    while (i >= 0 && rowOk(i)) i--;
    if (i < 0) return undefined;
    const row = ex.rowName ?? 'row t';
    const wrong = want.v.filter((_, r) => !rowOk(r)).length;
    const count = `${wrong} of the τ = ${T} steps ${wrong === 1 ? 'is' : 'are'} wrong`;
    if (i === T - 1) return `${row} is already wrong at t = τ = ${T}, where the recursion starts (eq 10.19); ${count}.`;
    const agreed = T - 1 - i === 1 ? `at t = τ = ${T}` : `for t = τ = ${T} down to t = ${i + 2}`;
    return `${row} agrees ${agreed}; counting down from τ as the recursion runs, the first wrong step is t = ${i + 1} (${count}).`;
  }
  if (want.kind === 'mat') {
    const g = got.v as number[][];
    const R = want.v.length;
    const C = want.v[0].length;
    const bad = (i: number, j: number): boolean => !close(want.v[i][j], g[i][j]);
    const badRows = [...Array(R).keys()].filter((i) => [...Array(C).keys()].some((j) => bad(i, j)));
    const badCols = [...Array(C).keys()].filter((j) => [...Array(R).keys()].some((i) => bad(i, j)));
    const n = want.v.flat().filter((_, k) => bad(Math.floor(k / C), k % C)).length;
    const which = (word: string, all: number, xs: number[]): string => {
      const ok = [...Array(all).keys()].filter((k) => !xs.includes(k));
      return `${capital(word)}${ok.length === 1 ? '' : 's'} ${listing(ok.map(String))} of ${name} ${ok.length === 1 ? 'agrees' : 'agree'}; ${word}${xs.length === 1 ? '' : 's'} ${listing(xs.map(String))} ${xs.length === 1 ? 'does' : 'do'} not`;
    };
    if (badRows.length < R) return `${which('row', R, badRows)} (${n} of ${R * C} entries are wrong).`;
    if (badCols.length < C) return `${which('column', C, badCols)} (${n} of ${R * C} entries are wrong).`;
    return n === R * C ? `All ${R * C} entries of ${name} are wrong.` : `${n} of the ${R * C} entries of ${name} are wrong, in every row and every column.`;
  }
  if (want.kind === 'vec') {
    const g = got.v as number[];
    const bad = want.v.map((e, i) => !close(e, g[i]));
    const ok = [...bad.keys()].filter((i) => !bad[i]);
    const no = [...bad.keys()].filter((i) => bad[i]);
    if (ok.length === 0) return `All ${want.v.length} entries of ${name} are wrong.`;
    return `${ok.length === 1 ? 'Entry' : 'Entries'} ${listing(ok.map(String))} of ${name} ${ok.length === 1 ? 'agrees' : 'agree'}; ${no.length === 1 ? 'entry' : 'entries'} ${listing(no.map(String))} ${no.length === 1 ? 'does' : 'do'} not.`;
  }
  return undefined;
}

// --- the verdict ---

const deepCopy = <T>(x: T): T => structuredClone(x);
type Draft = Omit<Verdict, 'text' | 'correct'>;
const ref = (m: Mistake): MistakeRef => ({ id: m.id, title: m.title, hint: m.hint });

/** What the judge knows about the run beyond the outcomes: which cases were asked for. */
export interface JudgeInput {
  /** The cases run, as indices into cases(), in order. */
  readonly cases: readonly number[];
  /** What the student's function handed back per case (untrusted: decoded and checked here). */
  readonly outcomes: readonly Outcome[];
}

const OUTCOME_STATUSES = new Set(['threw', 'not-implemented', 'bad-output', 'mutated', 'uses-bpttlab']);

type FailStatus = Extract<Outcome, { ok: false }>['status'];
type Read = { index: number; ok: true; value: Norm | string } | { index: number; ok: false; status: FailStatus; detail: string };

/** An outcome from untrusted data, or null when it is not one. */
function readOutcome(x: unknown): Read | null {
  if (x === null || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  if (typeof o.index !== 'number' || !Number.isInteger(o.index)) return null;
  if (o.ok === true) {
    try {
      return { index: o.index, ok: true, value: decode(o.value) };
    } catch {
      return { index: o.index, ok: true, value: 'a value the checker could not read' };
    }
  }
  if (o.ok === false && typeof o.status === 'string' && OUTCOME_STATUSES.has(o.status)) {
    const detail = typeof o.detail === 'string' ? o.detail.split('\n').slice(0, 4).map(oneLine).join('\n    ').replace(/✔/g, '?') : '';
    return { index: o.index, ok: false, status: o.status as FailStatus, detail };
  }
  return null;
}

/** The verdict on what the student's function handed back. Never throws for anything in `input`. */
export function judge(ex: Exercise, input: JudgeInput): Verdict {
  const all = ex.cases();
  const picked = input.cases.filter((i) => Number.isInteger(i) && all[i] !== undefined).map((index) => ({ index, c: all[index] }));
  const total = picked.length;
  const base = { exercise: ex.name, casesTotal: total, casesPassed: 0 };
  if (total === 0) return finish(ex, { ...base, status: 'wrong', detail: 'no case was run, so nothing was checked' });
  const byIndex = new Map<number, Read>();
  for (const raw of input.outcomes) {
    const o = readOutcome(raw);
    if (o && !byIndex.has(o.index)) byIndex.set(o.index, o);
  }
  const outs: Norm[] = [];
  const wants: Norm[] = [];
  let failAt = -1;
  let later: string | undefined;
  let answered = total;
  for (let k = 0; k < picked.length; k++) {
    const { index, c } = picked[k];
    const caseInfo = { index, label: c.label, seed: c.seed, sizes: c.sizes };
    const o = byIndex.get(index);
    if (!o) {
      if (failAt >= 0) { answered = k; break; }
      return finish(ex, { ...base, casesPassed: k, status: 'threw', case: caseInfo, detail: `the check ended before case ${index} ran` });
    }
    if (!o.ok || typeof o.value === 'string') {
      const status: Status = o.ok ? 'bad-output' : o.status;
      const detail = o.ok ? `your function returned ${o.value}` : o.detail;
      if (status === 'not-implemented') return finish(ex, { ...base, casesPassed: k, status, detail, case: caseInfo });
      if (status === 'uses-bpttlab') return refusedVerdict(ex, `it loads ${detail}`, caseInfo);
      if (failAt >= 0) {
        // Already wrong on an earlier case: diagnose from the cases answered so far, and mention this one.
        later = `on case ${index} (${c.label}: ${c.sizes}) ${detail.replace(/^your function /, 'it ')}`;
        answered = k;
        break;
      }
      return finish(ex, { ...base, casesPassed: k, status, detail, case: caseInfo });
    }
    const want = normalise(ex.solution(...deepCopy(c.args))) as Norm;
    wants.push(want);
    outs.push(o.value);
    if (failAt < 0 && !agrees(want, o.value)) failAt = k;
  }
  const passed = outs.filter((o, k) => agrees(wants[k], o)).length;
  if (failAt < 0) return finish(ex, { ...base, casesPassed: passed, status: 'correct' });
  return diagnose(ex, picked.slice(0, answered), outs, wants, failAt, passed, total, later);
}

function diagnose(
  ex: Exercise, picked: { index: number; c: ReturnType<Exercise['cases']>[number] }[], outs: Norm[], wants: Norm[],
  failAt: number, passed: number, total: number, later: string | undefined,
): Verdict {
  const base = { exercise: ex.name, casesTotal: total, casesPassed: passed };
  const { index, c } = picked[failAt];
  const caseInfo = { index, label: c.label, seed: c.seed, sizes: c.sizes };
  const got = outs[failAt];
  const want = wants[failAt];
  const run = (f: Model, k: number): Norm | null => {
    let v: unknown;
    try {
      v = f(...deepCopy(picked[k].c.args));
    } catch {
      return null;
    }
    if (v === undefined) return null;
    const n = normalise(v);
    return typeof n === 'string' ? null : n;
  };
  const modelOut = (m: Mistake, k: number): Norm | null => run(mistakeModel(ex, m), k);
  const fitsHere = ex.mistakes.filter((m) => {
    const o = modelOut(m, failAt);
    return o !== null && agrees(o, got);
  });
  const fitsEverywhere = fitsHere.filter((m) => outs.every((o, k) => {
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
      ...base, status: 'mistake', case: caseInfo, firstWrong, detail: shapeDetail, mistake: ref(m), alsoMatches: rest.map((x) => x.id),
    });
  }
  // Two known mistakes at once: combine the options of every pair whose options do not overlap.
  if (ex.modelOf) {
    const modelFits = (f: Model): boolean => outs.every((o, k) => {
      const n = run(f, k);
      return n === null ? k !== failAt : agrees(n, o);
    });
    const withOpts = ex.mistakes.filter((m) => m.opts !== undefined);
    for (let i = 0; i < withOpts.length; i++) {
      for (let j = i + 1; j < withOpts.length; j++) {
        const [a, b] = [withOpts[i], withOpts[j]];
        const ka = Object.keys(a.opts!);
        if (Object.keys(b.opts!).some((k) => ka.includes(k))) continue;
        if (!modelFits(ex.modelOf({ ...a.opts, ...b.opts }))) continue;
        return finish(ex, {
          ...base, status: 'mistake', case: caseInfo, firstWrong, detail: shapeDetail, mistake: ref(a), together: ref(b), alsoMatches: [],
        });
      }
    }
  }
  if (!shapeOk) return finish(ex, { ...base, status: 'bad-output', case: caseInfo, detail: `your function returned the wrong shape: ${shapeDetail}` });
  const nonFinite = firstNonFiniteEntry(got);
  let detail = nonFinite ? `your result has a non-finite value (NaN or ±Infinity) at ${nonFinite}` : later;
  if (nonFinite && later) detail = `${detail}; ${later}`;
  if (fitsHere.length > 0) {
    const partial = `on this case the numbers fit "${fitsHere[0].title}", but not on every case`;
    detail = detail ? `${detail}; ${partial}` : partial;
  }
  // A known mistake that explains one returned quantity on its own (a record's field), on every case answered.
  let location = locate(ex, want, got);
  if (want.kind === 'rec') {
    const own: string[] = [];
    for (const key of Object.keys(want.v)) {
      const field = (n: Norm | null): Norm | null => (n && n.kind === 'rec' ? n.v[key] ?? null : null);
      if (agrees(want.v[key], field(got)!)) continue;
      const m = ex.mistakes.find((mm) => outs.every((o, k) => {
        const f = field(modelOut(mm, k));
        const g = field(o);
        return f !== null && g !== null && agrees(f, g);
      }));
      if (m) own.push(`${key} on its own matches a known mistake: ${m.title}; hint: ${m.hint}`);
    }
    if (own.length > 0) location = `${location} ${own.join(' ')}`;
  }
  return finish(ex, { ...base, status: 'wrong', case: caseInfo, firstWrong, detail, location });
}

// --- the text ---

const fmtNum = (x: number): string => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+($|e)/, '$1')) : String(x));

function caseLine(ex: Exercise, c: NonNullable<Verdict['case']>): string {
  const seed = c.seed === null ? 'the hand-made tiny case' : `random case, seed ${c.seed}`;
  return `case ${c.index} (${c.label}: ${c.sizes}; ${seed}) — reproduce it with bp.exercises.getCase('${ex.name}', ${c.index}).args, or \`bpttlab check ${ex.name} FILE --case ${c.index}\``;
}

/** The verdict's text, and `correct`: only a check that ran at least one case, and passed every one, is correct. */
function finish(ex: Exercise, d: Draft): Verdict {
  const head = `${ex.name} — ${ex.title} (${ex.equation})`;
  const lines: string[] = [];
  const correct = d.status === 'correct' && d.casesTotal > 0 && d.casesPassed === d.casesTotal;
  const status: Status = d.status === 'correct' && !correct ? 'wrong' : d.status;
  switch (status) {
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
    case 'uses-bpttlab':
      lines.push(`✘ ${head}: your code uses bpttlab itself, so it is not checked: the answer must be computed by your own code.`);
      break;
    case 'too-much-output':
      lines.push(`✘ ${head}: your code printed too much, so the check was stopped.`);
      break;
    case 'out-of-memory':
      lines.push(`✘ ${head}: your code used too much memory, so the check was stopped.`);
      break;
  }
  if (d.location) lines.push(`  ${d.location}`);
  if (d.detail) lines.push(`  ${d.detail}`);
  if (d.firstWrong) {
    const w = d.firstWrong;
    lines.push(`  first wrong entry: ${w.where}: expected ${fmtNum(w.expected)}, got ${fmtNum(w.got)}`);
  }
  const failed = status !== 'correct' && status !== 'not-implemented';
  if (failed && status !== 'uses-bpttlab') lines.push(`  expected signature: ${ex.signature}, returning ${ex.shape}`);
  if (d.case && failed) lines.push(`  ${caseLine(ex, d.case)}`);
  if (failed && !['timeout', 'uses-bpttlab', 'too-much-output', 'out-of-memory'].includes(status) && d.casesTotal > 0) lines.push(`  passed ${d.casesPassed} of ${d.casesTotal} cases`);
  return { ...d, status, correct, text: lines.join('\n') };
}

type CaseRef = NonNullable<Verdict['case']>;
function caseRef(ex: Exercise, index: number | undefined): CaseRef | undefined {
  const c = index === undefined ? undefined : ex.cases()[index];
  return c ? { index: index!, label: c.label, seed: c.seed, sizes: c.sizes } : undefined;
}

/**
 * The verdict when the student's code uses bpttlab itself: `why` says how ("it loads bpttlab", "its source mentions
 * `bp`").
 */
export function refusedVerdict(ex: Exercise, why: string, c?: CaseRef): Verdict {
  return finish(ex, {
    exercise: ex.name, status: 'uses-bpttlab', casesPassed: 0, casesTotal: ex.cases().length, case: c,
    detail: `${oneLine(why)}: bpttlab's own modules are off limits to an answer (Node's built-ins and other packages, e.g. mathjs, are fine)`,
  });
}

/** The verdict for a student function that never returned (the child process was killed). */
export function timeoutVerdict(ex: Exercise, ms: number, caseIndex?: number): Verdict {
  const c = caseRef(ex, caseIndex);
  return finish(ex, {
    exercise: ex.name, status: 'timeout', casesPassed: 0, casesTotal: ex.cases().length, case: c,
    detail: `killed after ${ms / 1000} s${c ? ` while running case ${caseIndex}` : ' while loading your file'}; check that every loop ends (e.g. a backward loop \`for (let t = T - 1; t >= 0; t--)\`)`,
  });
}

/** The verdict when the student's code ended the child process (process.exit, a crash, ...). */
export function crashVerdict(ex: Exercise, why: string, caseIndex?: number): Verdict {
  return finish(ex, {
    exercise: ex.name, status: 'threw', casesPassed: 0, casesTotal: ex.cases().length, case: caseRef(ex, caseIndex),
    detail: `the process running your function ended before the check finished (${oneLine(why)})`,
  });
}

/** The verdict when the child printed more than the limit, or grew beyond the memory limit. */
export function limitVerdict(ex: Exercise, status: 'too-much-output' | 'out-of-memory', detail: string, caseIndex?: number): Verdict {
  return finish(ex, { exercise: ex.name, status, casesPassed: 0, casesTotal: ex.cases().length, case: caseRef(ex, caseIndex), detail });
}

/** The verdict when what was given is not a function (or a function the checker may not run). */
export function notAFunctionVerdict(ex: Exercise, detail: string): Verdict {
  return finish(ex, { exercise: ex.name, status: 'not-a-function', casesPassed: 0, casesTotal: 0, detail });
}

export interface RunOptions {
  /** Only these cases (indices into cases()); default all. */
  cases?: readonly number[];
}

/**
 * Runs a function on the cases in this process and judges it: for tests and for the checker's own tools, never for
 * a student's code (that runs in a notebook kernel or in the sandboxed child, which hand back outcomes only).
 */
export function runExercise(ex: Exercise, fn: unknown, opts: RunOptions = {}): Verdict {
  if (typeof fn !== 'function') return notAFunctionVerdict(ex, `expected a function ${ex.signature}, got ${describeRaw(fn)}`);
  const all = ex.cases();
  const indices = opts.cases ?? all.map((_, i) => i);
  const cases = indices.filter((i) => all[i] !== undefined).map((i) => ({ index: i, args: all[i].args }));
  return judge(ex, { cases: indices, outcomes: collect(fn as (...a: unknown[]) => unknown, cases, ex.params) });
}
