#!/usr/bin/env node
// The `bpttlab` command line. Exit codes: 0 fine; 1 only when a check fails (gradient check, exercise);
// 2 for any bad input (unreadable or non-JSON file, bad field, unknown flag), with one line on stderr.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { positiveInt, positiveNumber } from './commands/args';
import { CaseJson, EngineName, caseParams, parseCase, runCase } from './case';
import { readBytes } from './files';
import { formatReport, gradCheck } from './gradcheck';
import { checkCommand } from './commands/check';
import { gradeCommand } from './commands/grade';
import { trainCommand } from './commands/train';
import { BpttError } from './tensor';

function readCase(file: string): CaseJson {
  const text = readBytes(file === '-' ? 0 : file, 'case file', file).toString('utf8');
  const { value, warnings } = parseCase(text, file);
  for (const w of warnings) process.stderr.write(`bpttlab: warning: ${w}\n`);
  return value;
}

export function buildProgram(out: (s: string) => void): Command {
  const program = new Command('bpttlab')
    .description('Backpropagation Through Time for a vanilla RNN, as in Deep Learning §10.2.2')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(`bpttlab: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`), writeOut: out })
    .showSuggestionAfterError(true);

  program
    .command('grad')
    .description('print the loss, h, o and the gradients of a case file as JSON ({ loss, h, o, grads: { U, W, V, b, c, h0 } })')
    .argument('<case>', 'case file (JSON; "-" for stdin)')
    .addOption(new Option('--engine <engine>', 'which engine computes it').choices(['fast', 'reference']).default('fast'))
    .action((file: string, o: { engine: EngineName }) => {
      out(`${JSON.stringify(runCase(readCase(file), o.engine))}\n`);
    });

  program
    .command('gradcheck')
    .description('compare the backward pass with central differences, per parameter and per time step; exit 1 when one fails')
    .argument('<case>', 'case file (JSON; "-" for stdin)')
    .addOption(new Option('--stencil <points>', 'central-difference stencil: 2 (textbook) or 4 points').choices(['2', '4']).default('4'))
    .option('--step <eps>', 'finite-difference step ε (default 1e-4 with 4 points, 1e-5 with 2)', positiveNumber)
    .option('--tol <tol>', 'pass when ‖a − n‖/(‖a‖ + ‖n‖) ≤ tol', positiveNumber, 1e-7)
    .option('--samples <n>', 'check at most n random entries per parameter', positiveInt)
    .option('--seed <n>', 'seed for choosing sampled entries', positiveInt, 1)
    .option('--no-per-step', 'skip the per-step check of each summand')
    .option('--all-steps', 'print every per-step row, not only the failing ones')
    .option('--json', 'print the report as JSON')
    .action((file: string, o: { stencil: string; step?: number; tol: number; samples?: number; seed: number; perStep: boolean; allSteps?: boolean; json?: boolean }) => {
      const c = readCase(file);
      const report = gradCheck(caseParams(c), c.tokens !== undefined ? { tokens: c.tokens } : { x: c.x as number[][] }, c.y, {
        loss: c.loss, h0: c.h0, truncate: c.truncate, stencil: o.stencil === '2' ? 2 : 4, step: o.step, tol: o.tol, samples: o.samples, seed: o.seed, perStep: o.perStep,
      });
      out(o.json ? `${JSON.stringify(report)}\n` : `${formatReport(report, { allSteps: o.allSteps })}\n`);
      if (!report.pass) process.exitCode = 1;
    });

  program
    .command('bench')
    .description('run the side-by-side benchmark (bench/run.mjs: bpttlab against numpy, PyTorch, tfjs and a C loop)')
    .option('--json', 'print the records as one JSON array')
    .option('--sizes <list>', 'sizes to run, e.g. S1,S2', 'S1,S2,S3,S4')
    .option('--engines <list>', 'engines to run', 'bpttlab,bpttlab-js,c,numpy,torch,tfjs')
    .option('--seconds <s>', 'measuring time per engine and size', '1.5')
    .action((o: { json?: boolean; sizes: string; engines: string; seconds: string }) => {
      const script = join(__dirname, '..', 'bench', 'run.mjs');
      if (!existsSync(script)) throw new BpttError(`the benchmark lives in the source repository (bench/run.mjs), not found at ${script}`);
      const args = [script, '--sizes', o.sizes, '--engines', o.engines, '--seconds', o.seconds, ...(o.json ? ['--json'] : [])];
      const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
      process.exitCode = r.status === 0 ? 0 : 2;
    });

  program.addCommand(trainCommand({ out }).copyInheritedSettings(program));
  program.addCommand(checkCommand(out));
  program.addCommand(gradeCommand(out));
  return program;
}

export function main(argv: string[]): number {
  const program = buildProgram((s) => process.stdout.write(s));
  if (argv.length === 0) {
    process.stderr.write(`bpttlab: missing command: one of ${program.commands.map((c) => c.name()).join(', ')} (see bpttlab --help)\n`);
    return 2;
  }
  try {
    program.parse(argv, { from: 'user' });
    return (process.exitCode as number | undefined) ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2 // bare `bpttlab` (help on error) is bad usage too;
    }
    if (e instanceof BpttError) {
      process.stderr.write(`bpttlab: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
