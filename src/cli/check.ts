// `bpttlab check EXERCISE FILE`: checks an exercise solution written in an editor. FILE (.ts or .js, CommonJS or an
// ES module, top-level await allowed) exports the function (by the exercise's function name, e.g.
// `export function gradW(...)`, or as the default export).
// The student's code runs in a contained child process (exercises/sandbox.ts) that hands back only the values the
// function returned; this process computes the verdict (exercises/judge.ts), so nothing the student's code prints or
// does can forge one. Exit codes: 0 correct; 1 not correct (also: not implemented, timed out, uses bpttlab itself);
// 2 bad usage (unknown exercise, missing file, a file that does not load, no such export, a case that does not exist).
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { expectRegularFile } from '../io/files';
import { BpttError } from '../model/errors';
import { list } from '../teach/exercises';
import { getExercise } from '../teach/exercises/answers';
import type { Exercise } from '../teach/exercises/answers/exercise';
import { crashVerdict, judge, limitVerdict, refusedVerdict, timeoutVerdict } from '../teach/exercises/judge';
import { runInSandbox, type SandboxJob } from '../teach/exercises/sandbox';
import { SPECS } from '../teach/exercises/specs';
import type { Verdict } from '../teach/exercises/types';
import { nonNegativeInt } from './args';

/** The largest time limit a timer can keep: 2^31 − 1 ms. */
export const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/** --timeout: seconds, more than 0 and at most what a timer supports (a larger value would fire at once). */
export function timeoutSeconds(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_S) {
    throw new InvalidArgumentError(`expected seconds, a number > 0 and ≤ ${MAX_TIMEOUT_S}`);
  }
  return n;
}

export interface CheckCliOptions {
  export?: string;
  timeout: number; // seconds
  case?: number;
  json?: boolean;
}

/** The verdict for what the sandbox gave back; throws BpttError for bad usage. */
export function verdictOf(ex: Exercise, r: Awaited<ReturnType<typeof runInSandbox>>, job: SandboxJob): Verdict {
  switch (r.kind) {
    case 'usage':
      throw new BpttError(r.message);
    case 'refused':
      return refusedVerdict(ex, `it loads ${r.module}`);
    case 'ended':
      if (r.status === 'timeout') return timeoutVerdict(ex, job.timeoutMs, r.lastCase);
      if (r.status === 'threw') return crashVerdict(ex, r.detail, r.lastCase);
      return limitVerdict(ex, r.status, r.detail, r.lastCase);
    case 'ran':
      return judge(ex, { cases: job.cases, outcomes: r.outcomes });
  }
}

/** Runs the check in a contained child process; returns the verdict and what the student's code printed. */
export async function checkFile(
  exercise: string,
  file: string,
  o: CheckCliOptions,
): Promise<{ verdict: Verdict; output: string }> {
  let ex: Exercise;
  try {
    ex = getExercise(exercise);
  } catch (e) {
    throw new BpttError((e as Error).message);
  }
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new BpttError(`no such file: ${file}`);
  if (fs.statSync(abs).isDirectory()) throw new BpttError(`${file} is a directory, not a file exporting ${ex.fn}`);
  expectRegularFile(abs, 'solution file', file); // a FIFO or /dev/zero would hang the bundler; a huge file fill memory
  const n = ex.cases().length;
  if (o.case !== undefined && o.case >= n) throw new BpttError(`--case ${o.case}: ${ex.name} has cases 0..${n - 1}`);
  const job: SandboxJob = {
    spec: ex,
    entry: { file: abs },
    exportName: o.export,
    timeoutMs: Math.max(1, Math.round(o.timeout * 1000)),
    cases: o.case === undefined ? [...Array(n).keys()] : [o.case],
  };
  const r = await runInSandbox(job);
  return { verdict: verdictOf(ex, r, job), output: r.kind === 'ran' || r.kind === 'ended' ? r.output : '' };
}

/**
 * Writes an error as one line and returns exit code 2: a BpttError is bad usage; anything else is a bug of ours,
 * said as such (an asynchronous command cannot leave it to cli.ts's main, which has returned already).
 */
export function usageError(e: unknown, err: (s: string) => void): number {
  if (e instanceof BpttError) err(`bpttlab: ${e.message}\n`);
  else
    err(`bpttlab: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (please report it)\n`);
  return 2;
}

const oneLine = (s: string): string => `bpttlab: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`;

export function checkCommand(
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
  done?: (code: number) => void,
): Command {
  return (
    new Command('check')
      .description(
        `check an exercise solution: FILE (.ts or .js) exports the function; exit 0 correct, 1 not correct, 2 bad ` +
          `usage. Exercises: ${SPECS.map((e) => e.name).join(', ')}`,
      )
      .argument('<exercise>', 'exercise name (listed below), e.g. dW')
      .argument('<file>', 'a .ts or .js file exporting the function, e.g. `export function gradW(...)`')
      .option(
        '--export <name>',
        "the exported function to check (default: the exercise's function name, else the default export)",
      )
      .option(
        '--timeout <seconds>',
        `stop the check after this many seconds of the function's own time (at most ${MAX_TIMEOUT_S})`,
        timeoutSeconds,
        10,
      )
      .option('--case <n>', 'run only case n (as a verdict names it)', nonNegativeInt)
      .option('--json', 'print the verdict as JSON')
      .addHelpText('after', `\nExercises:\n${list()}`)
      // Settings a parent's .command() would pass on but addCommand() does not: errors throw (exit 2 in cli.ts's
      // main), and commander's own messages come out as one line like every other bpttlab error.
      .exitOverride()
      .configureOutput({ writeErr: (s) => err(oneLine(s)) })
      // Asynchronous (the child is supervised with timers): the action settles its own exit code and usage errors,
      // so that a synchronous caller (cli.ts's main) needs nothing more than process.exitCode.
      .action(async (exercise: string, file: string, o: CheckCliOptions) => {
        let code: number;
        try {
          const { verdict, output } = await checkFile(exercise, file, o);
          if (output.trim()) out(`${output.replace(/\n?$/, '\n')}`);
          out(o.json ? `${JSON.stringify(verdict)}\n` : `${verdict.text}\n`);
          code = verdict.correct ? 0 : 1;
        } catch (e) {
          code = usageError(e, err);
        }
        process.exitCode = code;
        done?.(code);
      })
  );
}

/**
 * Runs `check` as its own little program (for tests): resolves to the exit code; usage errors go to `err` as one line.
 */
export async function runCheckCommand(
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const saved = process.exitCode;
  let finished: number | undefined;
  const cmd = checkCommand(out, err, (c) => (finished = c)).configureOutput({
    writeOut: out,
    writeErr: (s) => err(oneLine(s)),
  });
  try {
    await cmd.parseAsync(argv, { from: 'user' });
    return finished ?? 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    return usageError(e, err);
  } finally {
    process.exitCode = saved;
  }
}

// Runnable on its own too: node dist/cli/check.js EXERCISE FILE [options]
if (require.main === module) {
  void runCheckCommand(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then((c) => (process.exitCode = c));
}
