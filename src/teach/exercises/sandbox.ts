// Why over 300 lines: the bundling, the import refusals and the contained child process are one mechanism; split, no
// part reads alone.
//
// Running a student's code for `bpttlab check` and `bpttlab grade`: bundled by esbuild into one file (local imports
// inlined, TypeScript compiled, top-level await allowed), then run in a child process (child.ts) that hands back only
// values. The child is contained:
//   - Node's permission model: it may read its own temporary folder and nothing else (no bpttlab file, no solution
//     notebook), start no process and no worker; loading bpttlab by name or by a path into it is refused (verdict
//     'uses-bpttlab', naming the module) already when bundling;
//   - a time limit on the student's code (from when the child is ready), a heap limit and a resident-memory limit,
//     and a limit on what it may print; past any of them the whole process group is killed;
//   - its process group is killed when the check ends, whatever happened.
// Nothing it writes is trusted: the parent reads its messages as data and computes the verdict itself (judge.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildFailure, Message, Plugin } from 'esbuild';
import type { ExerciseSpec, Outcome } from './types';

/** The package root: src/teach/exercises or dist/teach/exercises, three levels down. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The package's own folders: an answer may load nothing from them (nor bpttlab by name). */
const PACKAGE_DIRS = ['src', 'dist', 'test', 'bench', 'scripts', 'notebooks'];

export const LIMITS = {
  /** What the child may print on stdout and stderr together. */
  outputBytes: 4 << 20,
  /** What it may send back on its channel (the values; the largest answer is a few kB). */
  channelBytes: 16 << 20,
  heapMb: 256,
  rssMb: 1024,
  /** Time for the child's own start-up, before the student's code runs (not part of --timeout). */
  startupMs: 60_000,
};

export interface SandboxJob {
  spec: ExerciseSpec;
  /**
   * The student's file; or a module's source text (grade) with the name to show and the folder imports resolve from.
   */
  entry: { file: string } | { source: string; name: string; dir: string };
  /** The export to check (default: the exercise's function name, else the default export). */
  exportName?: string;
  /** Indices into spec.cases(). */
  cases: readonly number[];
  timeoutMs: number;
}

export type SandboxResult =
  | { kind: 'usage'; message: string }
  | { kind: 'refused'; module: string }
  | {
      kind: 'ended';
      status: 'timeout' | 'threw' | 'too-much-output' | 'out-of-memory';
      detail: string;
      lastCase?: number;
      output: string;
    }
  | { kind: 'ran'; outcomes: Outcome[]; output: string };

type Esbuild = typeof import('esbuild');
function esbuild(): Esbuild | null {
  try {
    return require('esbuild') as Esbuild;
  } catch {
    return null;
  }
}

const relToRoot = (p: string): string => path.relative(ROOT, p).split(path.sep).join('/');

/** Whether a file (after following links: node_modules/bpttlab links to the package) belongs to bpttlab itself. */
export function inPackage(file: string): boolean {
  const r = path.relative(ROOT, realish(file));
  if (r.startsWith('..') || path.isAbsolute(r)) return false;
  const top = r.split(path.sep)[0];
  return PACKAGE_DIRS.includes(top) || r === 'package.json';
}

/** The real path of a file, or for one that does not exist, of its nearest existing folder with the rest appended. */
function realish(file: string): string {
  let head = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest);
    } catch {
      const up = path.dirname(head);
      if (up === head) return path.resolve(file);
      rest.unshift(path.basename(head));
      head = up;
    }
  }
}

function refusePlugin(found: string[]): Plugin {
  return {
    name: 'bpttlab-refuse',
    setup(b) {
      b.onResolve({ filter: /^bpttlab(\/|$)/ }, (a) => {
        found.push(a.path);
        return { path: a.path, external: true };
      });
      // a path into the package, even one that does not exist (so the verdict names it instead of "cannot load")
      b.onResolve({ filter: /^(\.|\/|[A-Za-z]:[\\/])/ }, (a) => {
        const target = path.resolve(a.resolveDir || ROOT, a.path);
        if (!inPackage(target)) return undefined;
        found.push(relToRoot(realish(target)));
        return { path: a.path, external: true };
      });
      b.onLoad({ filter: /.*/ }, (a) => {
        if (!inPackage(a.path)) return undefined;
        found.push(relToRoot(realish(a.path)));
        return { contents: '', loader: 'js' };
      });
    },
  };
}

function where(m: Message | undefined, fallback: string): string {
  const loc = m?.location;
  return loc ? `${loc.file}:${loc.line}:${loc.column + 1}` : fallback;
}

/** One bundle of the student's code (ESM, everything local inlined), or why there is none. */
async function bundleStudent(eb: Esbuild, job: SandboxJob, outDir: string): Promise<SandboxResult | null> {
  const found: string[] = [];
  const shown = 'file' in job.entry ? job.entry.file : job.entry.name;
  const dir = 'file' in job.entry ? path.dirname(path.resolve(job.entry.file)) : job.entry.dir;
  const file = 'file' in job.entry ? path.resolve(job.entry.file) : path.join(dir, job.entry.name);
  try {
    await eb.build({
      ...('file' in job.entry
        ? { entryPoints: [file] }
        : {
            stdin: { contents: job.entry.source, resolveDir: dir, sourcefile: job.entry.name, loader: 'ts' as const },
          }),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      outfile: path.join(outDir, 'student.mjs'),
      write: true,
      absWorkingDir: dir,
      // packages (mathjs, ...) resolve from the file's folder, else from bpttlab's own node_modules: a teacher's
      // folder of collected notebooks need not sit inside the project
      nodePaths: [path.join(ROOT, 'node_modules')],
      // CommonJS code inside the bundle (module.exports, require of a built-in) finds a require here.
      banner: {
        js:
          "import { createRequire as __bpttlabCreateRequire } from 'node:module'; globalThis.require ??= " +
          '__bpttlabCreateRequire(import.meta.url);',
      },
      define: { __filename: JSON.stringify(file), __dirname: JSON.stringify(dir) },
      plugins: [refusePlugin(found)],
    });
  } catch (e) {
    const errors = (e as BuildFailure).errors ?? [];
    const first = errors[0];
    if (found.length > 0) return { kind: 'refused', module: found[0] };
    const text = first ? first.text.replace(/\s+/g, ' ') : String((e as Error).message).split('\n')[0];
    return { kind: 'usage', message: `cannot load ${where(first, shown)}: ${text}` };
  }
  if (found.length > 0) return { kind: 'refused', module: found[0] };
  return null;
}

let harness: string | null = null;
/** The child's code as one CommonJS file (child.ts with collect.ts and values.ts inlined): it may load nothing else. */
async function harnessCode(eb: Esbuild): Promise<string> {
  if (harness) return harness;
  const entry = path.join(__dirname, __filename.endsWith('.ts') ? 'child.ts' : 'child.js');
  const r = await eb.build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  harness = r.outputFiles[0].text;
  return harness;
}

const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Bundles and runs the student's code on the job's cases in a contained child process. */
export async function runInSandbox(job: SandboxJob): Promise<SandboxResult> {
  const eb = esbuild();
  if (!eb) return { kind: 'usage', message: 'checking a file needs the esbuild package (npm install esbuild)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpttlab-sandbox-'));
  try {
    const failed = await bundleStudent(eb, job, dir);
    if (failed) return failed;
    fs.writeFileSync(path.join(dir, 'harness.cjs'), await harnessCode(eb));
    const all = job.spec.cases();
    fs.writeFileSync(
      path.join(dir, 'job.json'),
      JSON.stringify({
        fn: job.spec.fn,
        exportName: job.exportName ?? '',
        params: job.spec.params,
        root: ROOT,
        cases: job.cases.map((i) => ({ index: i, args: all[i].args })),
      }),
    );
    return await supervise(job, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type ChildMessage = { kind: string; [k: string]: unknown };

function supervise(job: SandboxJob, dir: string): Promise<SandboxResult> {
  const args = [
    permissionFlag,
    `--allow-fs-read=${dir}${path.sep}`,
    `--max-old-space-size=${LIMITS.heapMb}`,
    '--enable-source-maps',
    '--no-warnings',
    path.join(dir, 'harness.cjs'),
  ];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return new Promise((resolve) => {
    let output = '';
    let stderr = '';
    let outputBytes = 0;
    let channel = '';
    let channelBytes = 0;
    const outcomes: Outcome[] = [];
    let lastCase: number | undefined;
    let ended: { status: 'timeout' | 'too-much-output' | 'out-of-memory'; detail: string } | null = null;
    let message: ChildMessage | null = null; // load-error, refused, no-export
    let done = false;
    let ready = false;
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const stop = (status: 'timeout' | 'too-much-output' | 'out-of-memory', detail: string): void => {
      // after 'done' the time limit no longer matters, but printing or growing past a limit still does
      if (!ended && !(done && status === 'timeout')) ended = { status, detail };
      killGroup();
    };
    const onOutput =
      (isErr: boolean) =>
      (d: Buffer): void => {
        outputBytes += d.length;
        if (outputBytes > LIMITS.outputBytes) {
          stop('too-much-output', `it printed more than ${LIMITS.outputBytes >> 20} MB`);
          return;
        }
        // eslint-disable-next-line no-control-regex
        const text = d.toString('utf8').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
        output += text;
        if (isErr) stderr += text;
      };
    child.stdout!.on('data', onOutput(false));
    child.stderr!.on('data', onOutput(true));
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (d: Buffer) => {
      channelBytes += d.length;
      if (channelBytes > LIMITS.channelBytes)
        return stop('too-much-output', `it sent back more than ${LIMITS.channelBytes >> 20} MB`);
      channel += d.toString('utf8');
      for (let nl = channel.indexOf('\n'); nl >= 0; nl = channel.indexOf('\n')) {
        const line = channel.slice(0, nl);
        channel = channel.slice(nl + 1);
        let m: unknown;
        try {
          m = JSON.parse(line);
        } catch {
          continue; // not ours, or garbled: untrusted either way
        }
        if (m === null || typeof m !== 'object') continue;
        const msg = m as { kind?: unknown; index?: unknown; outcome?: unknown };
        if (msg.kind === 'ready' && !ready) {
          ready = true;
          timers.push(setTimeout(() => stop('timeout', ''), job.timeoutMs));
        } else if (msg.kind === 'start' && typeof msg.index === 'number') lastCase = msg.index;
        else if (msg.kind === 'case' && msg.outcome !== null && typeof msg.outcome === 'object')
          outcomes.push(msg.outcome as Outcome);
        else if ((msg.kind === 'load-error' || msg.kind === 'refused' || msg.kind === 'no-export') && !message)
          message = msg as ChildMessage;
        else if (msg.kind === 'done' && !done) {
          done = true;
          // Let it exit by itself (flushing what it printed, which still counts against the limit); timers or
          // handles the student's code left open must not keep it alive for long.
          timers.push(setTimeout(killGroup, 2000));
        }
      }
    });
    timers.push(
      setTimeout(() => {
        if (!ready) stop('timeout', 'the child process did not start');
      }, LIMITS.startupMs),
    );
    const poll = setInterval(() => {
      if (child.pid !== undefined && rssMb(child.pid) > LIMITS.rssMb)
        stop('out-of-memory', `it used more than ${LIMITS.rssMb} MB of memory`);
    }, 100);
    child.on('error', (e) => {
      message = { kind: 'load-error', message: `could not start the check's child process: ${e.message}` };
    });
    child.on('close', (code, signal) => {
      timers.forEach(clearTimeout);
      clearInterval(poll);
      killGroup();
      const heap = /heap out of memory|Reached heap limit/.test(stderr);
      const shownOutput =
        output.length > 64 << 10
          ? `${output.slice(0, 64 << 10)}\n… (${output.length - (64 << 10)} more characters not shown)`
          : output;
      if (ended) {
        const e = ended as { status: 'timeout' | 'too-much-output' | 'out-of-memory'; detail: string };
        return resolve({
          kind: 'ended',
          status: e.status,
          detail: e.detail,
          lastCase: ready ? lastCase : undefined,
          output: shownOutput,
        });
      }
      if (heap)
        return resolve({
          kind: 'ended',
          status: 'out-of-memory',
          detail: `its heap grew past ${LIMITS.heapMb} MB`,
          lastCase,
          output: '',
        });
      if (message) {
        const m = message as { kind: string; message?: unknown; module?: unknown; wanted?: unknown; have?: unknown };
        if (m.kind === 'refused') return resolve({ kind: 'refused', module: String(m.module) });
        const shown = 'file' in job.entry ? job.entry.file : job.entry.name;
        if (m.kind === 'no-export') {
          const have = Array.isArray(m.have) ? m.have.map(String) : [];
          const wanted = String(m.wanted);
          return resolve({
            kind: 'usage',
            message: `${shown} exports no function "${wanted}"${
              have.length
                ? ` (it exports: ${have.join(', ')}; choose one with --export NAME)`
                : ` (export it: \`export function ${job.spec.fn}(...)\`)`
            }`,
          });
        }
        return resolve({ kind: 'usage', message: `cannot load ${shown}: ${String(m.message).split('\n')[0]}` });
      }
      if (!done) {
        const why = `exit ${code ?? signal}`;
        const tail = stderr
          .split('\n')
          .filter((l) => l.trim())
          .slice(-3)
          .join(' ')
          .slice(0, 300);
        return resolve({
          kind: 'ended',
          status: 'threw',
          detail: `${why}${tail ? `: ${tail}` : ''}`,
          lastCase,
          output: shownOutput,
        });
      }
      resolve({ kind: 'ran', outcomes, output: shownOutput });
    });
  });
}
