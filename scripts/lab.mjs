#!/usr/bin/env node
// scripts/lab.mjs: the one entry point behind the README's two commands.
//
//   npm start [-- --port 8899 --no-browser]   set up, then open Jupyter Notebook on the student's folder work/:
//                                             the chapters (linked) and the student's own exercise copies
//   npm start -- --teacher                    the same on notebooks/: chapters, solutions, student versions
//   npm start -- --work DIR                   another student folder (also BPTTLAB_WORK)
//   npm test  [-- test/engine.test.ts ...]     set up, typecheck, lint, run test/*.test.ts
//   npm run book / npm run bench               set up, then scripts/book.mjs / bench/run.mjs
//   node scripts/lab.mjs setup                 only the set-up steps
//
// "Set up" installs whatever a fresh Debian machine with Node 20 lacks, each
// step skipped when already done:
//   1. npm dependencies   (`npm install` when node_modules is missing or older
//                          than package.json / package-lock.json)
//   2. Jupyter            (apt-get install of the Debian packages; root only)
//   3. the build          (tsc -p tsconfig.json when dist/ is older than src/)
//   4. the tslab kernel   (a project-local kernel spec in .jupyter-local/,
//                          found through JUPYTER_PATH, so nothing is installed
//                          into the user's or the system's Jupyter)
//
// Only Node built-ins here: this script runs before (and is what runs)
// `npm install`.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { syncWork } from './exercises.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(ROOT, ...p);

// Debian's Python has the Jupyter packages; the `python3` first on PATH may
// be another one (pyenv) without them.
const PYTHON = '/usr/bin/python3';
const APT_PACKAGES = ['jupyter-notebook', 'python3-nbclient', 'jupyter-nbconvert', 'python3-ipykernel'];
const JUPYTER_CHECK = 'import notebook, nbclient, nbconvert, ipykernel';
const JUPYTER_DIR = at('.jupyter-local'); // git-ignored; holds kernels/tslab/kernel.json
const TSLAB_BIN = at('node_modules', '.bin', 'tslab');
const TSC = at('node_modules', 'typescript', 'bin', 'tsc');
const IS_ROOT = process.getuid?.() === 0;

// Silences debugpy's "frozen modules" warning, which Debian's Python 3.11
// prints whenever Jupyter imports ipykernel; every child inherits this.
process.env.PYDEVD_DISABLE_FILE_VALIDATION = '1';

// ---------------------------------------------------------------- helpers

const log = (msg) => console.log(`[lab] ${msg}`);

function die(msg, code = 1) {
  console.error(`[lab] error: ${msg}`);
  process.exit(code);
}

/** Runs a command with inherited stdio; returns its exit status. */
function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) die(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1; // null when killed by a signal
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1; // missing
  }
}

/** Newest mtime of all files under dir (recursively). */
function newestUnder(dir) {
  let newest = -1;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(p) : mtime(p));
  }
  return newest;
}

// ---------------------------------------------------------------- set-up steps

// 1. npm dependencies. npm rewrites node_modules/.package-lock.json on every
// install, so its mtime says when node_modules was last brought up to date.
function ensureNpmDeps() {
  const stamp = at('node_modules', '.package-lock.json');
  const wanted = Math.max(mtime(at('package.json')), mtime(at('package-lock.json')));
  if (mtime(stamp) >= wanted && fs.existsSync(TSLAB_BIN)) return;
  log(
    fs.existsSync(at('node_modules')) ? 'package.json changed: updating node_modules' : 'installing npm dependencies',
  );
  // Inside `npm test` npm tells us which npm runs us; use the same one.
  const npm = process.env.npm_execpath;
  const status = npm
    ? run(process.execPath, [npm, 'install', '--no-audit', '--no-fund'])
    : run('npm', ['install', '--no-audit', '--no-fund']);
  if (status !== 0) die('npm install failed (see above)');
  // npm may leave the stamp older than a package-lock.json it just rewrote.
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}

function jupyterInstalled() {
  return spawnSync(PYTHON, ['-c', JUPYTER_CHECK], { stdio: 'ignore' }).status === 0;
}

// 2. Jupyter from Debian's packages.
function ensureJupyter() {
  if (jupyterInstalled()) return;
  const install = `apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`;
  if (!IS_ROOT) {
    die(
      `Jupyter is missing (${PYTHON} -c '${JUPYTER_CHECK}' failed). Install it as root, then run this again:\n` +
        `  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive ${install}'`,
    );
  }
  log(`Jupyter is missing: installing ${APT_PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt/dpkg (e.g. unattended upgrades) instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  // `apt-get update` fails at once if another update holds the lists lock;
  // such updates are short, so retry a few times.
  for (let attempt = 1; run('apt-get', [...lock, 'update'], { env }) !== 0; attempt++) {
    if (attempt === 5) die('apt-get update failed (see above)');
    log('apt-get update failed; retrying in 15 s');
    spawnSync('sleep', ['15']);
  }
  if (run('apt-get', [...lock, 'install', '-y', '--no-install-recommends', ...APT_PACKAGES], { env }) !== 0)
    die('apt-get install failed (see above)');
  if (!jupyterInstalled()) die(`Jupyter still cannot be imported by ${PYTHON} after apt-get install`);
}

// 3. The build: notebooks `import * as bp from 'bpttlab'`, i.e. dist/index.js.
// dist/.build-stamp is written only after a clean build, so a failed build is
// retried next time even though tsc emitted files.
function ensureBuild({ fatal }) {
  if (!fs.existsSync(at('src'))) return log('no src/ yet: nothing to build');
  const stamp = at('dist', '.build-stamp');
  const sources = Math.max(newestUnder(at('src')), mtime(at('tsconfig.json')));
  if (fs.existsSync(at('dist', 'index.js')) && mtime(stamp) >= sources) return;
  log('building src/ -> dist/');
  const started = new Date();
  // From scratch: a file renamed or deleted in src/ must not live on in dist/ (an old exercises/dW.js held a
  // solution that the student API no longer loads).
  fs.rmSync(at('dist'), { recursive: true, force: true });
  if (run(process.execPath, [TSC, '-p', 'tsconfig.json']) !== 0) {
    if (fatal) die('the build failed (tsc errors above)');
    return log('warning: the build failed (tsc errors above); notebooks see whatever tsc emitted');
  }
  fs.writeFileSync(stamp, '');
  fs.utimesSync(stamp, started, started); // sources edited during the build count as newer
}

// 4. The kernel spec, in the format `tslab install` writes. Rewritten when the
// project moved. JUPYTER_PATH comes first in Jupyter's search path, so our
// `tslab` wins over any user- or system-wide one.
function ensureKernel() {
  const file = path.join(JUPYTER_DIR, 'kernels', 'tslab', 'kernel.json');
  const spec = {
    argv: [TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript',
    language: 'typescript',
  };
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  process.env.JUPYTER_PATH = [JUPYTER_DIR, ...(process.env.JUPYTER_PATH ?? '').split(path.delimiter)]
    .filter((p, i, all) => p && all.indexOf(p) === i)
    .join(path.delimiter);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  log(`writing the tslab kernel spec ${path.relative(ROOT, file)}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  checkKernel();
}

let kernelChecked = false;

/** Asks Jupyter itself which `tslab` it finds (Debian has no `jupyter kernelspec`). */
function checkKernel() {
  kernelChecked = true;
  const r = spawnSync(PYTHON, ['-m', 'jupyter_client.kernelspecapp', 'list'], { encoding: 'utf8' });
  const line = (r.stdout ?? '').split('\n').find((l) => l.trim().startsWith('tslab '));
  if (!line?.includes(JUPYTER_DIR)) {
    die(`Jupyter does not find the project's tslab kernel:\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  log(`kernel: ${line.trim()}`);
}

function setup({ jupyter = true, buildFatal = true } = {}) {
  ensureNpmDeps();
  if (jupyter) ensureJupyter();
  ensureBuild({ fatal: buildFatal });
  if (jupyter) ensureKernel();
  process.env.BPTTLAB_SETUP_DONE = '1'; // test/notebooks.test.ts then skips its own set-up
}

// ---------------------------------------------------------------- commands

/**
 * Runs a long-lived child, forwarding kill, and exits with its status.
 * onStderrLine, when given, sees each line the child writes to stderr.
 */
function handOver(cmd, args, onStderrLine) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['inherit', 'inherit', onStderrLine ? 'pipe' : 'inherit'] });
  if (onStderrLine) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      console.error(line);
      onStderrLine(line);
    });
  }
  // Ctrl-C reaches the child directly (same process group); don't die first.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (e) => die(`could not run ${cmd}: ${e.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function start(args) {
  // Our options: --port N, --ip X, --no-browser, --work DIR (also as env vars),
  // --teacher; the rest goes to Jupyter unchanged, e.g. --NotebookApp.token=...
  let port = process.env.BPTTLAB_PORT || '8888';
  let ip = process.env.BPTTLAB_IP || '127.0.0.1';
  let noBrowser = ['1', 'true', 'yes'].includes((process.env.BPTTLAB_NO_BROWSER ?? '').toLowerCase());
  let work = process.env.BPTTLAB_WORK || at('work');
  let teacher = false;
  const extra = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s);
    const value = () => inline ?? args[++i];
    if (flag === '--port') port = value();
    else if (flag === '--ip') ip = value();
    else if (flag === '--no-browser') noBrowser = true;
    else if (flag === '--work') work = value();
    else if (flag === '--teacher') teacher = true;
    else extra.push(args[i]);
  }
  if (!/^\d+$/.test(port ?? '')) die(`--port needs a number, got ${port}`);
  if (!work) die('--work needs a folder');

  setup({ buildFatal: false }); // a broken build should not keep the lab closed
  // The student's lab: their own folder, with the chapters linked in (never
  // stale) and their exercise copies (made when missing, never overwritten;
  // exercises added since are added to them). The solutions stay out of it;
  // --teacher opens notebooks/ itself, solutions included.
  let root;
  if (teacher) {
    root = at('notebooks');
    log('teacher mode: the lab shows notebooks/, where the solution notebooks are (do not use this with students)');
  } else {
    try {
      root = syncWork(path.resolve(work), (line) => log(line));
    } catch (e) {
      die(`could not prepare ${work}: ${e.message}`);
    }
  }
  const shown = path.relative(ROOT, root) || '.';
  // Our own token, so that we can print the full URL; and no silent switch to
  // another port, so that the URL is right.
  const token = extra.some((a) => a.startsWith('--NotebookApp.token')) ? null : randomBytes(24).toString('hex');
  const jupyterArgs = [
    '-m',
    'notebook',
    `--notebook-dir=${root}`,
    `--ip=${ip}`,
    `--port=${port}`,
    '--NotebookApp.port_retries=0',
    ...(token ? [`--NotebookApp.token=${token}`] : []),
    ...(noBrowser ? ['--no-browser'] : []),
    ...(IS_ROOT ? ['--allow-root'] : []),
    ...extra,
  ];
  const host = ip === '0.0.0.0' || ip === '' ? '127.0.0.1' : ip;
  const url = `http://${host}:${port}/tree${token ? `?token=${token}` : ''}`;
  log(`starting Jupyter Notebook on ${shown.startsWith('..') ? root : `${shown}/`} at ${url}`);
  // Jupyter prints the URL with the token hidden; print ours once it is up.
  handOver(PYTHON, jupyterArgs, (line) => {
    if (line.includes('Use Control-C to stop this server')) log(`the lab is open at ${url}  (Ctrl-C twice to stop)`);
    if (line.includes('is already in use'))
      log(`port ${port} is taken: try \`npm start -- --port ${Number(port) + 1}\``);
  });
}

function test(args) {
  // `npm test -- test/a.test.ts --test-name-pattern=x`: *.ts/*.js arguments
  // pick test files (and skip the typecheck); anything else goes to node.
  const isFile = (a) => !a.startsWith('-') && /\.[cm]?[jt]s$/.test(a);
  let files = args.filter(isFile);
  const nodeArgs = args.filter((a) => !isFile(a));

  // A broken build fails the full run (the typecheck would fail on it anyway),
  // but should not block e.g. `npm test -- test/engine.test.ts`, which runs src/ through tsx.
  setup({ buildFatal: files.length === 0 });
  if (files.length === 0) {
    log('typecheck: tsc -p tsconfig.test.json --noEmit');
    if (run(process.execPath, [TSC, '-p', 'tsconfig.test.json', '--noEmit']) !== 0) die('typecheck failed (see above)');
    log('lint: node scripts/lint.mjs (Biome: formatting and lint rules, biome.json)');
    if (run(process.execPath, [at('scripts', 'lint.mjs')]) !== 0)
      die('lint failed (see above; npm run format fixes the formatting)');
    files = fs
      .readdirSync(at('test'))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join('test', f));
  }
  // The run's own temporary folder: every test must remove what it makes there (checked below, also when a test
  // failed), and whatever is left is removed with it. The executed notebooks are shared through it too: the
  // notebook test and the book build execute each notebook once between them (scripts/execute_notebook.py).
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-test-'));
  const env = { ...process.env, TMPDIR: runTmp, BPTTLAB_EXECUTED: path.join(runTmp, 'executed') };
  let status;
  let left = [];
  try {
    status = run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        ...nodeArgs,
        ...files,
      ],
      { env },
    );
    // Tools keep caches in the temporary folder (tsx's transform cache); only our own leftovers are a failure.
    left = fs.readdirSync(runTmp).filter((f) => f.startsWith('bpttlab-'));
  } finally {
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
  if (status !== 0) die(`tests failed (exit status ${status})`, status);
  if (left.length > 0)
    die(`the tests passed but left ${left.join(', ')} in the temporary folder: a test must remove what it creates`);
  log('all tests passed');
}

/** book / bench: run the helper script when it exists. */
function delegate(name, script, args, setupOpts) {
  if (!fs.existsSync(at(script))) die(`\`${name}\` is not available yet: ${script} does not exist`, 2);
  setup(setupOpts);
  handOver(process.execPath, [at(script), ...args]);
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'start':
    start(args);
    break;
  case 'test':
    test(args);
    break;
  case 'setup':
    setup();
    if (!kernelChecked) checkKernel();
    log('set-up complete');
    break;
  case 'book':
    delegate('book', 'scripts/book.mjs', args);
    break;
  case 'bench':
    delegate('bench', 'bench/run.mjs', args, { jupyter: false });
    break;
  default:
    die(`usage: node scripts/lab.mjs start|test|setup|book|bench [args]  (got ${command ?? 'nothing'})`, 2);
}
