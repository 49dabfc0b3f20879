#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// The `bpttlab` command line. Exit codes: 0 fine; 1 only when a check fails (gradient check, exercise) or cannot
// judge; 2 for any bad input (unreadable or non-JSON file, bad field, unknown flag, a size past the lab's limits),
// with one line on stderr; 130 when Ctrl-C stops `train` (after it saved its checkpoint).
// Output to a pipe whose reader left (`bpttlab grad big.json | head -c 10`) ends the command quietly; any other
// write error (a full disk) is one line on stderr and exit 2.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  type CaseJson,
  caseParams,
  caseSizes,
  checkCaseSize,
  type EngineName,
  parseCase,
  runCase,
} from '../check/case';
import { formatReport, type GradCheckReport, gradCheck } from '../check/gradcheck';
import { fileError, readBytes } from '../io/files';
import { BpttError } from '../model/errors';
import { listOf, positiveInt, positiveNumber, seed } from './args';
import { checkCommand } from './check';
import { gradeCommand } from './grade';
import { Progress } from './progress';
import { Interrupted, trainCommand } from './train';

/** The benchmark's sizes and engines (bench/run.mjs and bench/peers/make_case.py know the same names). */
export const BENCH_SIZES = ['S1', 'S2', 'S3', 'S4', 'tiny', 'tiny-x', 'tiny-batch', 'tiny-batch-x'] as const;
export const BENCH_ENGINES = ['bpttlab', 'bpttlab-js', 'c', 'numpy', 'torch', 'tfjs'] as const;
/** Longest measuring time per engine and size: past it a benchmark is a mistake, not a measurement. */
export const BENCH_MAX_SECONDS = 600;

export interface CliIO {
  /** Where results go. */
  out: (s: string) => void;
  /** Where progress bars and notes go (stderr). */
  err?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Registers a callback for "the output was closed" (train stops and saves). */
  onOutputClosed?: (stop: () => void) => void;
}

function readCase(file: string, note: (s: string) => void): CaseJson {
  const text = readBytes(file === '-' ? 0 : file, 'case file', file === '-' ? 'from standard input' : file).toString(
    'utf8',
  );
  const { value, warnings } = parseCase(text, file);
  for (const w of warnings) note(`warning: ${w}`);
  return value;
}

export function buildProgram(outOrIO: ((s: string) => void) | CliIO): Command {
  const io: CliIO = typeof outOrIO === 'function' ? { out: outOrIO } : outOrIO;
  const { out } = io;
  const err = io.err ?? process.stderr;
  const note = (s: string): void => void err.write(`bpttlab: ${s}\n`);
  const program = new Command('bpttlab')
    .description('Backpropagation Through Time for a vanilla RNN, as in Deep Learning §10.2.2')
    .exitOverride()
    .configureOutput({ writeErr: (s) => note(s.trim().replace(/\s*\n\s*/g, ' ')), writeOut: out })
    .showSuggestionAfterError(true);

  program
    .command('grad')
    .description(
      'print the loss, h, o and the gradients of a case file as JSON ({ loss, h, o, grads: { U, W, V, b, c, h0 } })',
    )
    .argument('<case>', 'case file (JSON; "-" for stdin)')
    .addOption(
      new Option('--engine <engine>', 'which engine computes it').choices(['fast', 'reference']).default('fast'),
    )
    .action((file: string, o: { engine: EngineName }) => {
      out(`${JSON.stringify(runCase(readCase(file, note), o.engine))}\n`);
    });

  program
    .command('gradcheck')
    .description(
      'compare the backward pass with central differences, per parameter and per time step; exit 1 when one fails ' +
        'or the check cannot judge',
    )
    .argument('<case>', 'case file (JSON; "-" for stdin)')
    .addOption(
      new Option('--stencil <points>', 'central-difference stencil: 2 (textbook) or 4 points')
        .choices(['2', '4'])
        .default('4'),
    )
    .option('--step <eps>', 'finite-difference step ε (default 1e-4 with 4 points, 1e-5 with 2)', positiveNumber)
    .option('--tol <tol>', 'pass when ‖a − n‖/(‖a‖ + ‖n‖) ≤ tol', positiveNumber, 1e-7)
    .option('--samples <n>', 'check at most n random entries per parameter', positiveInt)
    .option('--seed <n>', 'seed for choosing sampled entries (0..4294967295)', seed, 1)
    .option('--no-per-step', 'skip the per-step check of each summand')
    .option('--all-steps', 'print every per-step row, not only the failing ones')
    .option('--json', 'print the report as JSON')
    .action(
      (
        file: string,
        o: {
          stencil: string;
          step?: number;
          tol: number;
          samples?: number;
          seed: number;
          perStep: boolean;
          allSteps?: boolean;
          json?: boolean;
        },
      ) => {
        const c = readCase(file, note);
        checkCaseSize(c, 'fast');
        const { T } = caseSizes(c);
        const stencil = o.stencil === '2' ? 2 : 4;
        const progress = new Progress({
          stream: err,
          note,
          what: (total) => `${total} central differences, each ${stencil} passes over τ = ${T} steps`,
          advice: 'fewer --samples, --no-per-step or --stencil 2 make it shorter',
        });
        let report: GradCheckReport;
        try {
          report = gradCheck(
            caseParams(c),
            c.tokens !== undefined ? { tokens: c.tokens } : { x: c.x as number[][] },
            c.y,
            {
              loss: c.loss,
              h0: c.h0,
              truncate: c.truncate,
              stencil,
              step: o.step,
              tol: o.tol,
              samples: o.samples,
              seed: o.seed,
              perStep: o.perStep,
              onProgress: (done, total) => progress.update(done, total),
            },
          );
        } finally {
          progress.stop();
        }
        out(o.json ? `${JSON.stringify(report)}\n` : `${formatReport(report, { allSteps: o.allSteps })}\n`);
        if (!report.pass) process.exitCode = 1;
      },
    );

  program
    .command('bench')
    .description('run the side-by-side benchmark (bench/run.mjs: bpttlab against numpy, PyTorch, tfjs and a C loop)')
    .option('--json', 'print the records as one JSON array')
    .option('--sizes <list>', `sizes to run, comma-separated (${BENCH_SIZES.join(', ')})`, listOf(BENCH_SIZES), [
      'S1',
      'S2',
      'S3',
      'S4',
    ])
    .option(
      '--engines <list>',
      `engines to run, comma-separated (${BENCH_ENGINES.join(', ')})`,
      listOf(BENCH_ENGINES),
      [...BENCH_ENGINES],
    )
    .option(
      '--seconds <s>',
      `measuring time per engine and size, in seconds (at most ${BENCH_MAX_SECONDS})`,
      (v: string) => {
        const n = positiveNumber(v);
        if (n > BENCH_MAX_SECONDS)
          throw new CommanderError(
            2,
            'commander.invalidArgument',
            `option '--seconds <s>' argument '${v}' is invalid. expected at most ${BENCH_MAX_SECONDS} seconds`,
          );
        return n;
      },
      1.5,
    )
    .action((o: { json?: boolean; sizes: string[]; engines: string[]; seconds: number }) => {
      const script = join(__dirname, '..', '..', 'bench', 'run.mjs');
      if (!existsSync(script))
        throw new BpttError(`the benchmark lives in the source repository (bench/run.mjs), not found at ${script}`);
      const args = [
        script,
        '--sizes',
        o.sizes.join(','),
        '--engines',
        o.engines.join(','),
        '--seconds',
        String(o.seconds),
        ...(o.json ? ['--json'] : []),
      ];
      const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
      process.exitCode = r.status === 0 ? 0 : 2;
    });

  program.addCommand(
    trainCommand({ out, progressStream: err, note, onOutputClosed: io.onOutputClosed }).copyInheritedSettings(program),
  );
  program.addCommand(checkCommand(out));
  program.addCommand(gradeCommand(out));
  return program;
}

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIO = { out: (s) => void process.stdout.write(s) }): Promise<number> {
  const err = io.err ?? process.stderr;
  const program = buildProgram(io);
  if (argv.length === 0) {
    err.write(
      `bpttlab: missing command: one of ${program.commands.map((c) => c.name()).join(', ')} (see bpttlab --help)\n`,
    );
    return 2;
  }
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (process.exitCode as number | undefined) ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help asked for (--help, `help`) is 0; bare `bpttlab` (help on error) is bad usage
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof BpttError || e instanceof Interrupted) {
      err.write(`bpttlab: ${e.message}\n`);
      return e instanceof Interrupted ? e.exitCode : 2;
    }
    throw e;
  } finally {
    process.exitCode = saved;
  }
}

/** stdout that never throws: EPIPE (the reader left) closes it quietly; another write error is one line and exit 2. */
function guardedStdout(): { io: CliIO; failed: () => boolean } {
  let closed = false;
  let failed = false;
  const listeners: (() => void)[] = [];
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (e.code !== 'EPIPE') {
      failed = true;
      process.stderr.write(`bpttlab: cannot write the output: ${fileError(e)}\n`);
    }
    for (const f of listeners) f();
  });
  process.stderr.on('error', () => undefined); // a closed stderr: nothing is left to tell anyone
  return {
    io: {
      out: (s) => {
        if (!closed) process.stdout.write(s);
      },
      onOutputClosed: (f) => {
        if (closed) f();
        else listeners.push(f);
      },
    },
    failed: () => failed,
  };
}

if (require.main === module) {
  const stdout = guardedStdout();
  main(process.argv.slice(2), stdout.io).then(
    (code) => {
      process.exitCode = code;
      // a write error is reported after the write returned: wait for it before the exit code is final
      setImmediate(() => {
        if (stdout.failed()) process.exitCode = 2;
      });
    },
    (e: unknown) => {
      // a bug, not bad input: still one line, with where it happened for the bug report
      const where =
        e instanceof Error
          ? (e.stack ?? '')
              .split('\n')
              .find((l) => l.includes('/src/') || l.includes('/dist/'))
              ?.trim()
          : undefined;
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`bpttlab: internal error: ${message}${where ? ` (${where})` : ''}; please report it\n`);
      process.exitCode = 70;
    },
  );
}
