// The verdict, computed from what the student's function handed back and nothing else (its text: verdict.ts). This
// runs where the student's code does not (the `bpttlab check` / `bpttlab grade` process, or the judge process a
// notebook's check() starts), so nothing the student's code does can reach the comparison; the outcomes it reads are
// untrusted data.
//
// Diagnosis is by numbers only: the student's outputs are compared with the correct ones and with every mistake
// model's; the source text is never looked at. Cases are chosen so that the mistakes disagree with each other
// (non-symmetric W, distinct entries, τ ≥ 3, h(0) ≠ 0), and a mistake is named only when its model agrees with the
// student on every case the student answered. When none fits, the verdict still says where the answer is wrong:
// which returned quantities agree and which do not, or the first wrong step as the recursion runs from τ down.
import { type Exercise, type Mistake, type Model, mistakeModel } from './answers/exercise';
import { collect, oneLine } from './collect';
import { agrees, firstDiff, firstNonFiniteEntry, locate, sameShape } from './compare';
import type { MistakeRef, Outcome, Status, Verdict } from './types';
import { decode, describe, describeRaw, type Norm, normalise } from './values';
import { finish, notAFunctionVerdict, refusedVerdict } from './verdict';

// The verdicts of a check that stopped before comparing, for the callers that import them from here.
export { crashVerdict, limitVerdict, notAFunctionVerdict, refusedVerdict, timeoutVerdict } from './verdict';

const deepCopy = <T>(x: T): T => structuredClone(x);
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
type Read =
  | { index: number; ok: true; value: Norm | string }
  | { index: number; ok: false; status: FailStatus; detail: string };

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
    const detail =
      typeof o.detail === 'string'
        ? o.detail.split('\n').slice(0, 4).map(oneLine).join('\n    ').replace(/✔/g, '?')
        : '';
    return { index: o.index, ok: false, status: o.status as FailStatus, detail };
  }
  return null;
}

/** The verdict on what the student's function handed back. Never throws for anything in `input`. */
export function judge(ex: Exercise, input: JudgeInput): Verdict {
  const all = ex.cases();
  const picked = input.cases
    .filter((i) => Number.isInteger(i) && all[i] !== undefined)
    .map((index) => ({ index, c: all[index] }));
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
      if (failAt >= 0) {
        answered = k;
        break;
      }
      return finish(ex, {
        ...base,
        casesPassed: k,
        status: 'threw',
        case: caseInfo,
        detail: `the check ended before case ${index} ran`,
      });
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
  ex: Exercise,
  picked: { index: number; c: ReturnType<Exercise['cases']>[number] }[],
  outs: Norm[],
  wants: Norm[],
  failAt: number,
  passed: number,
  total: number,
  later: string | undefined,
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
  const fitsEverywhere = fitsHere.filter((m) =>
    outs.every((o, k) => {
      const mo = modelOut(m, k);
      return mo === null || agrees(mo, o);
    }),
  );
  const shapeOk = sameShape(want, got);
  const firstWrong = shapeOk
    ? (firstDiff(want, got, ex.stepRows ?? false, ex.stepRows ? '' : (ex.output ?? '')) ?? undefined)
    : undefined;
  const shapeDetail0 = shapeOk ? undefined : `expected ${describe(want)} (${ex.shape}), got ${describe(got)}`;
  const shapeDetail = [shapeDetail0, later].filter(Boolean).join('; ') || undefined;
  // A named mistake (or two at once): the verdict names it, with the hint.
  const named = (m: Mistake, more: Pick<Verdict, 'together' | 'alsoMatches'>): Verdict =>
    finish(ex, {
      ...base,
      status: 'mistake',
      case: caseInfo,
      firstWrong,
      detail: shapeDetail,
      mistake: ref(m),
      ...more,
    });
  if (fitsEverywhere.length > 0) {
    const [m, ...rest] = fitsEverywhere;
    return named(m, { alsoMatches: rest.map((x) => x.id) });
  }
  // Two known mistakes at once: combine the options of every pair whose options do not overlap.
  if (ex.modelOf) {
    const modelFits = (f: Model): boolean =>
      outs.every((o, k) => {
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
        return named(a, { together: ref(b), alsoMatches: [] });
      }
    }
  }
  if (!shapeOk)
    return finish(ex, {
      ...base,
      status: 'bad-output',
      case: caseInfo,
      detail: `your function returned the wrong shape: ${shapeDetail}`,
    });
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
      const field = (n: Norm | null): Norm | null => (n && n.kind === 'rec' ? (n.v[key] ?? null) : null);
      if (agrees(want.v[key], field(got)!)) continue;
      const m = ex.mistakes.find((mm) =>
        outs.every((o, k) => {
          const f = field(modelOut(mm, k));
          const g = field(o);
          return f !== null && g !== null && agrees(f, g);
        }),
      );
      if (m) own.push(`${key} on its own matches a known mistake: ${m.title}; hint: ${m.hint}`);
    }
    if (own.length > 0) location = `${location} ${own.join(' ')}`;
  }
  return finish(ex, { ...base, status: 'wrong', case: caseInfo, firstWrong, detail, location });
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
  if (typeof fn !== 'function')
    return notAFunctionVerdict(ex, `expected a function ${ex.signature}, got ${describeRaw(fn)}`);
  const all = ex.cases();
  const indices = opts.cases ?? all.map((_, i) => i);
  const cases = indices.filter((i) => all[i] !== undefined).map((i) => ({ index: i, args: all[i].args }));
  return judge(ex, { cases: indices, outcomes: collect(fn as (...a: unknown[]) => unknown, cases, ex.params) });
}
