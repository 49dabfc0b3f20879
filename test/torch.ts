// PyTorch as the independent oracle: Debian's python3-torch, run on cases the tests write as JSON.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

/** A test's `skip` option: the reason when PyTorch is absent, false when it is there. */
export const skipWithoutTorch: string | false = hasTorch ? false : 'PyTorch (Debian python3-torch) is not installed';

/** Runs `python3 ARGS` with `input` on stdin and returns its stdout; throws with its stderr when it fails. */
export function runPython(args: string[], input: string): string {
  const py = spawnSync(PYTHON, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (py.status !== 0) throw new Error(`python3 ${args.join(' ')} exited with ${py.status}:\n${py.stderr}`);
  return py.stdout;
}

/**
 * One result per case from a script in test/oracle/ that reads one JSON case a line on stdin and writes one JSON result
 * a line (torch_batch.py, torch_lstm.py).
 */
export function oracleResults<R>(script: string, cases: unknown[]): R[] {
  const stdout = runPython([join(__dirname, 'oracle', script)], cases.map((c) => JSON.stringify(c)).join('\n'));
  const results = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as R);
  if (results.length !== cases.length)
    throw new Error(`${script}: ${results.length} results for ${cases.length} cases`);
  return results;
}
