// The judge process behind a notebook's bp.exercises.check(): reads what the student's function handed back (JSON on
// stdin: { exercise, cases, outcomes } or { exercise, refused }) and prints the verdict as JSON. It runs apart from
// the kernel that ran the student's code, so the answers are never loaded there. Its input is untrusted data.
import fs from 'node:fs';
import { getExercise } from './answers';
import { oneLine } from './collect';
import { judge, notAFunctionVerdict, refusedVerdict } from './judge';
import type { Outcome, Verdict } from './types';

interface Request {
  exercise?: unknown;
  cases?: unknown;
  outcomes?: unknown;
  refused?: { status?: unknown; detail?: unknown };
}

function main(): void {
  const req = JSON.parse(fs.readFileSync(0, 'utf8')) as Request;
  const ex = getExercise(String(req.exercise));
  const r = req.refused;
  let v: Verdict;
  if (r && r.status === 'uses-bpttlab') v = refusedVerdict(ex, String(r.detail));
  else if (r && r.status === 'not-a-function') v = notAFunctionVerdict(ex, oneLine(String(r.detail)));
  else {
    const cases = Array.isArray(req.cases) ? req.cases.filter((i): i is number => typeof i === 'number') : [];
    const outcomes = Array.isArray(req.outcomes) ? (req.outcomes as Outcome[]) : [];
    v = judge(ex, { cases, outcomes });
  }
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

main();
