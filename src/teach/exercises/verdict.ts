// The verdict's text, and the verdicts of a check that stopped before any comparison (a refusal, a timeout, a crash,
// a limit, not a function). `finish` turns the draft judge.ts computed from the numbers into the lines the student
// reads; `correct` is true only for a check that ran at least one case and passed every one.
import type { Exercise } from './answers/exercise';
import { oneLine } from './collect';
import { TOL } from './compare';
import { NOT_IMPLEMENTED, type Status, type Verdict } from './types';

/** A verdict without its text (judge.ts fills the rest). */
export type Draft = Omit<Verdict, 'text' | 'correct'>;

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
export function finish(ex: Exercise, d: Draft): Verdict {
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
/** A check that stopped before comparing anything: no case passed, out of all the exercise's cases. */
const stopped = (ex: Exercise, status: Status, c: CaseRef | undefined, detail: string): Verdict =>
  finish(ex, { exercise: ex.name, status, casesPassed: 0, casesTotal: ex.cases().length, case: c, detail });

function caseRef(ex: Exercise, index: number | undefined): CaseRef | undefined {
  const c = index === undefined ? undefined : ex.cases()[index];
  return c ? { index: index!, label: c.label, seed: c.seed, sizes: c.sizes } : undefined;
}

/**
 * The verdict when the student's code uses bpttlab itself: `why` says how ("it loads bpttlab", "its source mentions
 * `bp`").
 */
export function refusedVerdict(ex: Exercise, why: string, c?: CaseRef): Verdict {
  return stopped(
    ex,
    'uses-bpttlab',
    c,
    `${oneLine(why)}: bpttlab's own modules are off limits to an answer (Node's built-ins and other ` +
      `packages, e.g. mathjs, are fine)`,
  );
}

/** The verdict for a student function that never returned (the child process was killed). */
export function timeoutVerdict(ex: Exercise, ms: number, caseIndex?: number): Verdict {
  const c = caseRef(ex, caseIndex);
  const where = c ? ` while running case ${caseIndex}` : ' while loading your file';
  return stopped(
    ex,
    'timeout',
    c,
    `killed after ${ms / 1000} s${where}; check that every loop ends (e.g. a backward loop ` +
      `\`for (let t = T - 1; t >= 0; t--)\`)`,
  );
}

/** The verdict when the student's code ended the child process (process.exit, a crash, ...). */
export function crashVerdict(ex: Exercise, why: string, caseIndex?: number): Verdict {
  const detail = `the process running your function ended before the check finished (${oneLine(why)})`;
  return stopped(ex, 'threw', caseRef(ex, caseIndex), detail);
}

/** The verdict when the child printed more than the limit, or grew beyond the memory limit. */
export function limitVerdict(
  ex: Exercise,
  status: 'too-much-output' | 'out-of-memory',
  detail: string,
  caseIndex?: number,
): Verdict {
  return stopped(ex, status, caseRef(ex, caseIndex), detail);
}

/** The verdict when what was given is not a function (or a function the checker may not run). */
export function notAFunctionVerdict(ex: Exercise, detail: string): Verdict {
  return finish(ex, { exercise: ex.name, status: 'not-a-function', casesPassed: 0, casesTotal: 0, detail });
}
