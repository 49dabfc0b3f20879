// Why over 300 lines: the verdict's cases (correct, named mistake, located failure, refusals) share one draft and one
// text, kept in one place.
//
// The verdict, computed from what the student's function handed back and nothing else. This runs where the student's
// code does not (the `bpttlab check` / `bpttlab grade` process, or the judge process a notebook's check() starts),
// so nothing the student's code does can reach the comparison; the outcomes it reads are untrusted data.
//
// Diagnosis is by numbers only: the student's outputs are compared with the correct ones and with every mistake
// model's; the source text is never looked at. Cases are chosen so that the mistakes disagree with each other
// (non-symmetric W, distinct entries, τ ≥ 3, h(0) ≠ 0), and a mistake is named only when its model agrees with the
// student on every case the student answered. When none fits, the verdict still says where the answer is wrong:
// which returned quantities agree and which do not, or the first wrong step as the recursion runs from τ down.
import { type Exercise, type Mistake, type Model, mistakeModel } from './answers/exercise';
import { collect, oneLine } from './collect';
import { agrees, firstDiff, firstNonFiniteEntry, locate, sameShape, TOL } from './compare';
import { type MistakeRef, NOT_IMPLEMENTED, type Outcome, type Status, type Verdict } from './types';
import { decode, describe, describeRaw, type Norm, normalise } from './values';

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
  if (fitsEverywhere.length > 0) {
    const [m, ...rest] = fitsEverywhere;
    return finish(ex, {
      ...base,
      status: 'mistake',
      case: caseInfo,
      firstWrong,
      detail: shapeDetail,
      mistake: ref(m),
      alsoMatches: rest.map((x) => x.id),
    });
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
        return finish(ex, {
          ...base,
          status: 'mistake',
          case: caseInfo,
          firstWrong,
          detail: shapeDetail,
          mistake: ref(a),
          together: ref(b),
          alsoMatches: [],
        });
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

// --- the text ---

const fmtNum = (x: number): string =>
  Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+($|e)/, '$1')) : String(x);

function caseLine(ex: Exercise, c: NonNullable<Verdict['case']>): string {
  const seed = c.seed === null ? 'the hand-made tiny case' : `random case, seed ${c.seed}`;
  return (
    `case ${c.index} (${c.label}: ${c.sizes}; ${seed}) — reproduce it with bp.exercises.getCase('${ex.name}', ` +
    `${c.index}).args, or \`bpttlab check ${ex.name} FILE --case ${c.index}\``
  );
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
      lines.push(
        `✘ ${head}: ${NOT_IMPLEMENTED} — replace the stub (the line that throws) with your code, then run this ` +
          `check again.`,
      );
      break;
    case 'mistake': {
      const m = d.mistake!;
      if (d.together) {
        lines.push(`✘ ${head}: not correct. It looks like two known mistakes at once:`);
        lines.push(
          `  (1) ${m.title}`,
          `      hint: ${m.hint}`,
          `  (2) ${d.together.title}`,
          `      hint: ${d.together.hint}`,
        );
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
      lines.push(
        `✘ ${head}: your code uses bpttlab itself, so it is not checked: the answer must be computed by your own code.`,
      );
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
  if (failed && !['timeout', 'uses-bpttlab', 'too-much-output', 'out-of-memory'].includes(status) && d.casesTotal > 0)
    lines.push(`  passed ${d.casesPassed} of ${d.casesTotal} cases`);
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
    exercise: ex.name,
    status: 'uses-bpttlab',
    casesPassed: 0,
    casesTotal: ex.cases().length,
    case: c,
    detail:
      `${oneLine(why)}: bpttlab's own modules are off limits to an answer (Node's built-ins and other ` +
      `packages, e.g. mathjs, are fine)`,
  });
}

/** The verdict for a student function that never returned (the child process was killed). */
export function timeoutVerdict(ex: Exercise, ms: number, caseIndex?: number): Verdict {
  const c = caseRef(ex, caseIndex);
  return finish(ex, {
    exercise: ex.name,
    status: 'timeout',
    casesPassed: 0,
    casesTotal: ex.cases().length,
    case: c,
    detail: `killed after ${ms / 1000} s${
      c ? ` while running case ${caseIndex}` : ' while loading your file'
    }; check that every loop ends (e.g. a backward loop \`for (let t = T - 1; t >= 0; t--)\`)`,
  });
}

/** The verdict when the student's code ended the child process (process.exit, a crash, ...). */
export function crashVerdict(ex: Exercise, why: string, caseIndex?: number): Verdict {
  return finish(ex, {
    exercise: ex.name,
    status: 'threw',
    casesPassed: 0,
    casesTotal: ex.cases().length,
    case: caseRef(ex, caseIndex),
    detail: `the process running your function ended before the check finished (${oneLine(why)})`,
  });
}

/** The verdict when the child printed more than the limit, or grew beyond the memory limit. */
export function limitVerdict(
  ex: Exercise,
  status: 'too-much-output' | 'out-of-memory',
  detail: string,
  caseIndex?: number,
): Verdict {
  return finish(ex, {
    exercise: ex.name,
    status,
    casesPassed: 0,
    casesTotal: ex.cases().length,
    case: caseRef(ex, caseIndex),
    detail,
  });
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
  if (typeof fn !== 'function')
    return notAFunctionVerdict(ex, `expected a function ${ex.signature}, got ${describeRaw(fn)}`);
  const all = ex.cases();
  const indices = opts.cases ?? all.map((_, i) => i);
  const cases = indices.filter((i) => all[i] !== undefined).map((i) => ({ index: i, args: all[i].args }));
  return judge(ex, { cases: indices, outcomes: collect(fn as (...a: unknown[]) => unknown, cases, ex.params) });
}
