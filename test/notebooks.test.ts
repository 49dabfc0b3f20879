// Executes every notebook with Jupyter on the project's tslab kernel.
//
// - notebooks/*.ipynb (chapters): every cell must succeed.
// - notebooks/exercises/*.ipynb (when that folder exists): cells may fail only
//   with "not implemented yet", which the stubs throw; see the rules at the top
//   of scripts/execute_notebook.py (flag --expect-stub-errors).
//
// Execution happens in scripts/execute_notebook.py (nbclient, Debian's
// /usr/bin/python3), kernel cwd = the notebook's folder, 120 s per cell. The
// executed notebook is never written back: committed notebooks stay without
// outputs, and a separate test checks they have none.
//
// One notebook = one test; at most two run at once (one tslab kernel keeps a
// core busy while it compiles). Run just one with
//   npm test -- test/notebooks.test.ts --test-name-pattern=01-forward

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const PYTHON = '/usr/bin/python3';
const EXECUTE = path.join(ROOT, 'scripts', 'execute_notebook.py');
const CELL_TIMEOUT_S = 120;
const CONCURRENCY = 2;

function notebooksIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

const chapters = notebooksIn(NOTEBOOKS);
const exercises = notebooksIn(path.join(NOTEBOOKS, 'exercises'));

// `npm test` has done the set-up (Jupyter, build, kernel spec) already; run
// through `npm run unit` or plain node we do it here.
if (process.env.BPTTLAB_SETUP_DONE !== '1' && chapters.length + exercises.length > 0) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lab.mjs'), 'setup'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`node scripts/lab.mjs setup failed:\n${r.stdout}${r.stderr}`);
}
// Same folder that lab.mjs puts first on JUPYTER_PATH.
const JUPYTER_PATH = [path.join(ROOT, '.jupyter-local'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);

interface Result {
  status: number | null;
  output: string;
}

function execute(notebook: string, extraArgs: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      PYTHON,
      [EXECUTE, notebook, '--kernel', 'tslab', '--timeout', String(CELL_TIMEOUT_S), ...extraArgs],
      { cwd: path.dirname(notebook), env: { ...process.env, JUPYTER_PATH } },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: output.trim() }));
  });
}

async function check(notebook: string, extraArgs: string[] = []): Promise<void> {
  const before = fs.readFileSync(notebook);
  const { status, output } = await execute(notebook, extraArgs);
  const rel = path.relative(ROOT, notebook);
  if (status !== 0) {
    // The script's report says it all; a JS stack trace would only add noise.
    const error = new Error(`${rel} failed:\n${output}`);
    error.stack = error.message;
    throw error;
  }
  console.log(output); // the summary line: cells and seconds
  assert.ok(before.equals(fs.readFileSync(notebook)), `${rel} was modified by its execution`);
}

interface Cell {
  cell_type: string;
  outputs?: unknown[];
  execution_count?: number | null;
}

function storedOutputs(notebook: string): number[] {
  const cells: Cell[] = JSON.parse(fs.readFileSync(notebook, 'utf8')).cells ?? [];
  return cells.flatMap((c, i) =>
    c.cell_type === 'code' && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null) ? [i] : [],
  );
}

describe('notebooks', { concurrency: CONCURRENCY }, () => {
  if (chapters.length + exercises.length === 0) {
    test('execute notebooks', { skip: 'no notebooks/*.ipynb yet' }, () => {});
    return;
  }
  for (const nb of chapters) {
    test(`executes ${path.relative(NOTEBOOKS, nb)}`, () => check(nb));
  }
  for (const nb of exercises) {
    test(`executes ${path.relative(NOTEBOOKS, nb)} (stubs fail with "not implemented yet")`, () =>
      check(nb, ['--expect-stub-errors']));
  }
});

describe('committed notebooks', () => {
  for (const nb of [...chapters, ...exercises]) {
    const rel = path.relative(ROOT, nb);
    test(`${rel} has no stored outputs`, () => {
      const cells = storedOutputs(nb);
      assert.deepEqual(
        cells,
        [],
        `${rel}: cells ${cells.join(', ')} have outputs or execution counts; clear them with\n` +
          `  /usr/bin/python3 -m nbconvert --clear-output --inplace ${rel}`,
      );
    });
  }
});
