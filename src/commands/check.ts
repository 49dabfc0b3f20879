// `bpttlab check EXERCISE FILE`: checks an exercise solution written in an editor. FILE (.ts or .js) exports the
// function (by the exercise's function name, e.g. `export function gradW(...)`, or as the default export).
// The check runs in a child process with a time limit, so a function that never returns is killed.
// Exit codes: 0 correct; 1 not correct, not implemented or timed out; 2 bad usage (unknown exercise, missing
// file, a file that does not load, no such export).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { nonNegativeInt, positiveNumber } from './args';
import { EXERCISES, Verdict, crashVerdict, getExercise, list, timeoutVerdict } from '../exercises';
import { CASE_MARK, MARK_TEXT } from '../exercises/mark';
import { BpttError } from '../tensor';

export interface CheckCliOptions {
  export?: string;
  timeout: number; // seconds
  case?: number;
  json?: boolean;
}

/** Runs the check in a child process; returns the verdict, or throws BpttError for bad usage. */
export function checkFile(exercise: string, file: string, o: CheckCliOptions, echo: (s: string) => void = () => {}): Verdict {
  let ex;
  try {
    ex = getExercise(exercise);
  } catch (e) {
    throw new BpttError((e as Error).message);
  }
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new BpttError(`no such file: ${file}`);
  if (fs.statSync(abs).isDirectory()) throw new BpttError(`${file} is a directory, not a file exporting ${ex.fn}`);
  const isTs = __filename.endsWith('.ts');
  const child = path.join(__dirname, '..', 'exercises', isTs ? 'child.ts' : 'child.js');
  const execArgv = isTs ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  const ms = Math.round(o.timeout * 1000);
  const args = [...execArgv, child, ex.name, abs, o.export ?? '', o.case === undefined ? '' : String(o.case), String(ms)];
  // The child's watchdog enforces `ms` on the student's code; this outer limit only guards our own start-up.
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: ms + 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  const stdout = r.stdout ?? '';
  const at = stdout.lastIndexOf(MARK_TEXT);
  const studentOutput = (at >= 0 ? stdout.slice(0, at) : stdout).replace(/\n$/, '');
  const studentErr = (r.stderr ?? '').split('\n').filter((l) => !l.startsWith(CASE_MARK)).join('\n').trim();
  if (studentOutput.trim()) echo(`${studentOutput}\n`);
  if (studentErr && at >= 0) echo(`${studentErr}\n`);
  if (at < 0) {
    const started = [...(r.stderr ?? '').matchAll(new RegExp(`${CASE_MARK}(\\d+)`, 'g'))].map((m) => Number(m[1]));
    const lastCase = started.length ? started[started.length - 1] : undefined;
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL') return timeoutVerdict(ex, ms, lastCase);
    const why = (r.stderr ?? '').split('\n').filter((l) => l.trim() && !l.startsWith(CASE_MARK)).slice(-3).join(' ');
    if (lastCase === undefined) throw new BpttError(`the check of ${file} stopped before it started (exit ${r.status ?? r.signal})${why ? `: ${why}` : ''}`);
    return crashVerdict(ex, `exit ${r.status ?? r.signal}${why ? `: ${why}` : ''}`, lastCase);
  }
  const msg = JSON.parse(stdout.slice(at + MARK_TEXT.length).split('\n')[0]) as { kind: 'usage'; message: string } | { kind: 'verdict'; verdict: Verdict };
  if (msg.kind === 'usage') throw new BpttError(msg.message);
  return msg.verdict;
}

export function checkCommand(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  return new Command('check')
    .description(`check an exercise solution: FILE (.ts or .js) exports the function; exit 0 correct, 1 not correct, 2 bad usage. Exercises: ${EXERCISES.map((e) => e.name).join(', ')}`)
    .argument('<exercise>', 'exercise name (listed below), e.g. dW')
    .argument('<file>', 'a .ts or .js file exporting the function, e.g. `export function gradW(...)`')
    .option('--export <name>', 'the exported function to check (default: the exercise\'s function name, else the default export)')
    .option('--timeout <seconds>', 'kill the check after this many seconds', positiveNumber, 10)
    .option('--case <n>', 'run only case n (as a verdict names it)', nonNegativeInt)
    .option('--json', 'print the verdict as JSON')
    .addHelpText('after', `\nExercises:\n${list()}`)
    // Settings a parent's .command() would pass on but addCommand() does not: errors throw (exit 2 in cli.ts's
    // main), and commander's own messages come out as one line like every other bpttlab error.
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(`bpttlab: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`) })
    .action((exercise: string, file: string, o: CheckCliOptions) => {
      const v = checkFile(exercise, file, o, out);
      out(o.json ? `${JSON.stringify(v)}\n` : `${v.text}\n`);
      process.exitCode = v.correct ? 0 : 1;
    });
}

/**
 * Runs `check` as its own little program (for tests, and until cli.ts registers it): returns the exit code.
 * Usage errors go to `err` as one line, exit 2.
 */
export function runCheckCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const saved = process.exitCode;
  process.exitCode = undefined;
  const cmd = checkCommand(out).exitOverride().configureOutput({ writeOut: out, writeErr: (s) => err(`bpttlab: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`) });
  try {
    cmd.parse(argv, { from: 'user' });
    const code = (process.exitCode as number | undefined) ?? 0;
    return code;
  } catch (e) {
    if (e instanceof BpttError) {
      err(`bpttlab: ${e.message}\n`);
      return 2;
    }
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    throw e;
  } finally {
    process.exitCode = saved;
  }
}

// Runnable on its own too: node dist/commands/check.js EXERCISE FILE [options]
if (require.main === module) {
  process.exitCode = runCheckCommand(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
