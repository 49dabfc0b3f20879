// `bpttlab grade NOTEBOOK.ipynb|FOLDER [--json]`: grades the exercise functions in students' notebooks.
// Each exercise the notebook poses is extracted with the declarations it uses (exercises/notebook.ts) and checked
// exactly as `bpttlab check` checks a file: in a contained child process with a time limit, bpttlab refused, the
// verdict computed here from the values it returns. One verdict per exercise and a total; a folder gives one row per
// student: each notebook directly in it is a student, and so is each subfolder (its notebooks together).
// Exit 0 when it could grade (whatever the verdicts), 2 for bad input (not a notebook, unreadable, nothing to grade).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describeNonFile, readBytes } from '../io/files';
import { BpttError } from '../model/errors';
import { getExercise } from '../teach/exercises/answers';
import { notAFunctionVerdict, refusedVerdict } from '../teach/exercises/judge';
import { notebookExercises, typescript } from '../teach/exercises/notebook';
import { runInSandbox, type SandboxJob } from '../teach/exercises/sandbox';
import { SPECS } from '../teach/exercises/specs';
import type { Verdict } from '../teach/exercises/types';
import { MAX_TIMEOUT_S, timeoutSeconds, usageError, verdictOf } from './check';

export interface GradeOptions {
  json?: boolean;
  timeout: number; // seconds per exercise
}

interface ExerciseRow {
  exercise: string;
  function: string;
  notebook: string;
  status: Verdict['status'];
  correct: boolean;
  mistake?: string;
  summary: string;
  text: string;
}
export interface StudentGrade {
  student: string;
  notebooks: string[];
  correct: number;
  total: number;
  exercises: ExerciseRow[];
  problems: string[];
}

/** The code cells of a notebook file, or a one-line reason why it is not a notebook we can read. */
function codeCells(file: string): string[] | string {
  let text: string;
  try {
    text = readBytes(file, 'notebook', file).toString('utf8'); // regular files only, with a size limit
  } catch (e) {
    return (e as Error).message;
  }
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    return `${file} is not a Jupyter notebook (not JSON)`;
  }
  const cells = (nb as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) return `${file} is not a Jupyter notebook (no "cells" list)`;
  return cells
    .filter(
      (c): c is { cell_type: string; source: unknown } =>
        c !== null && typeof c === 'object' && (c as { cell_type?: unknown }).cell_type === 'code',
    )
    .map((c) =>
      Array.isArray(c.source) ? c.source.map(String).join('') : typeof c.source === 'string' ? c.source : '',
    );
}

/** Runs `tasks` with at most `n` at a time, keeping their order. */
async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

const CONCURRENCY = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));

/** Grades one student: the exercises of each of their notebooks. */
export async function gradeStudent(student: string, files: string[], o: GradeOptions): Promise<StudentGrade> {
  const ts = typescript();
  if (!ts) throw new BpttError('grading a notebook needs the typescript package (npm install typescript)');
  const rows: ExerciseRow[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const cells = codeCells(file);
    if (typeof cells === 'string') {
      problems.push(cells);
      continue;
    }
    const nb = notebookExercises(ts, cells, SPECS);
    const tasks = nb.posed.map((spec) => async (): Promise<ExerciseRow> => {
      const ex = getExercise(spec.name);
      const got = nb.extract(spec);
      let v: Verdict;
      if (got.kind === 'refused') v = refusedVerdict(ex, got.detail);
      else if (got.kind === 'missing') v = notAFunctionVerdict(ex, got.detail);
      else {
        const job: SandboxJob = {
          spec: ex,
          cases: ex.cases().map((_, i) => i),
          timeoutMs: Math.max(1, Math.round(o.timeout * 1000)),
          entry: {
            source: got.source,
            name: `${path.basename(file)}#${spec.fn}.ts`,
            dir: path.dirname(path.resolve(file)),
          },
        };
        const r = await runInSandbox(job);
        try {
          v = verdictOf(ex, r, job);
        } catch (e) {
          // the extracted module did not load (a syntax error in the cell, say): a verdict, not a usage error
          v = notAFunctionVerdict(ex, (e as Error).message);
        }
      }
      return {
        exercise: ex.name,
        function: ex.fn,
        notebook: file,
        status: v.status,
        correct: v.correct,
        mistake: v.mistake?.id,
        summary: summary(v),
        text: v.text,
      };
    });
    rows.push(...(await pool(tasks, CONCURRENCY)));
  }
  return {
    student,
    notebooks: files,
    correct: rows.filter((r) => r.correct).length,
    total: rows.length,
    exercises: rows,
    problems,
  };
}

/** The students in a path: a notebook is one student; a folder holds notebooks (one each) and subfolders (one each). */
export function studentsIn(target: string): { student: string; files: string[] }[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    throw new BpttError(`no such file or folder: ${target}`);
  }
  if (!st.isFile() && !st.isDirectory())
    throw new BpttError(`cannot grade ${target}: ${describeNonFile(st)}; give a notebook (.ipynb) or a folder of them`);
  if (st.isFile()) {
    if (!target.endsWith('.ipynb'))
      throw new BpttError(`${target} is not a notebook (expected a .ipynb file or a folder of them)`);
    const cells = codeCells(target);
    if (typeof cells === 'string') throw new BpttError(cells);
    return [{ student: path.basename(target, '.ipynb'), files: [target] }];
  }
  const notebooks = (dir: string): string[] =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
      .sort()
      .map((f) => path.join(dir, f));
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(target, { withFileTypes: true });
  } catch (e) {
    throw new BpttError(
      `cannot read the folder ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const students = [
    ...notebooks(target).map((f) => ({ student: path.basename(f, '.ipynb'), files: [f] })),
    ...entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => ({ student: e.name, files: notebooks(path.join(target, e.name)) }))
      .filter((s) => s.files.length > 0),
  ];
  if (students.length === 0) throw new BpttError(`no notebooks (.ipynb) in ${target} or its subfolders`);
  return students;
}

const MARK: Record<string, string> = { correct: '✔', 'not-implemented': '·' };
/** A verdict in one line: the status and what locates it. */
function summary(v: Verdict): string {
  if (v.correct) return `correct on all ${v.casesTotal} cases`;
  if (v.status === 'not-implemented') return 'not implemented yet';
  if (v.mistake) {
    const ids = v.together ? `two mistakes ${v.mistake.id} + ${v.together.id}` : `mistake ${v.mistake.id}`;
    return `${ids}: ${v.mistake.title}`;
  }
  const why = (v.location ?? v.detail ?? '').split('\n')[0];
  return `${v.status}${why ? `: ${why}` : ''}`;
}

export function formatGrades(grades: StudentGrade[], single: boolean): string {
  const lines: string[] = [];
  for (const g of grades) {
    if (single) {
      lines.push(`${g.notebooks.join(', ')}: ${g.correct} of ${g.total} exercises correct`);
      const w = Math.max(...g.exercises.map((r) => r.exercise.length), 8);
      for (const r of g.exercises) lines.push(`  ${MARK[r.status] ?? '✘'} ${r.exercise.padEnd(w)}  ${r.summary}`);
    } else {
      const marks = g.exercises.map((r) => {
        const why = r.correct || r.status === 'not-implemented' ? '' : ` (${r.mistake ?? r.status})`;
        return `${MARK[r.status] ?? '✘'} ${r.exercise}${why}`;
      });
      lines.push(`${g.student}: ${g.correct} of ${g.total} correct — ${marks.join(', ') || 'no exercise found'}`);
    }
    for (const p of g.problems) lines.push(`  (skipped: ${p})`);
  }
  if (!single) lines.push(`${grades.length} student${grades.length === 1 ? '' : 's'} graded`);
  return `${lines.join('\n')}\n`;
}

export function gradeCommand(
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
  done?: (code: number) => void,
): Command {
  return new Command('grade')
    .description(
      "grade the exercises in a student's notebook (or a folder: one row per notebook or subfolder); exit 0 when it " +
        'could grade, 2 for bad input',
    )
    .argument('<path>', 'a notebook (.ipynb), or a folder of them')
    .option('--timeout <seconds>', `time limit per exercise function (at most ${MAX_TIMEOUT_S})`, timeoutSeconds, 10)
    .option(
      '--json',
      'print { students: [{ student, notebooks, correct, total, exercises: [{ exercise, function, status, correct, ' +
        'mistake, text }] }] }',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => err(`bpttlab: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`) })
    .action(async (target: string, o: GradeOptions) => {
      let code = 0;
      try {
        const students = studentsIn(target);
        const grades: StudentGrade[] = [];
        for (const s of students) grades.push(await gradeStudent(s.student, s.files, o));
        const single = fs.statSync(target).isFile();
        out(o.json ? `${JSON.stringify({ students: grades })}\n` : formatGrades(grades, single));
      } catch (e) {
        code = usageError(e, err);
      }
      process.exitCode = code;
      done?.(code);
    });
}
