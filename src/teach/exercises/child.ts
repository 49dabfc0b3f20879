// The child process behind `bpttlab check` and `bpttlab grade` (sandbox.ts starts it): it loads the student's code
// (already bundled by the parent into student.mjs), runs the function on the case arguments the parent wrote into
// job.json, and writes back what the function returned, one JSON line per message on file descriptor 3. It computes
// no verdict and never sees an expected value: the parent judges the values, and treats everything this process
// says (on fd 3, stdout or stderr) as untrusted data.
//
// It runs under Node's permission model: it may read only its own folder (this file, student.mjs, job.json); no
// other file, no child process, no worker. Loading bpttlab by name is refused with a message naming the module.
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, runCase } from './collect';

interface Job {
  fn: string;
  exportName: string;
  params: string[];
  /** The package root, only to name a refused module. */
  root: string;
  cases: { index: number; args: unknown[] }[];
}

// Taken before the student's code runs, so that patching them later cannot break the channel.
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
function send(msg: object): void {
  try {
    writeSync(3, `${stringify(msg)}\n`);
  } catch {
    // the parent went away
  }
}

// Blocking writes on stdout and stderr: what the student's code prints reaches the parent as it is printed, so the
// parent's output limit stops a flood while it happens (a queued write would still be pending when the check ends).
for (const stream of [process.stdout, process.stderr]) {
  (stream as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })._handle?.setBlocking?.(true);
}

const job = JSON.parse(fs.readFileSync(path.join(__dirname, 'job.json'), 'utf8')) as Job;
const rel = (p: string): string => path.relative(job.root, p).split(path.sep).join('/');
const inside = (p: string): boolean => !rel(p).startsWith('..') && !path.isAbsolute(rel(p));

/** The bpttlab module an error says the student's code tried to load, or null. */
function refused(e: unknown): string | null {
  const err = e as { code?: unknown; module?: unknown; resource?: unknown; message?: unknown } | null;
  if (err === null || typeof err !== 'object') return null;
  try {
    if (err.code === 'BPTTLAB_REFUSED' && typeof err.module === 'string') return err.module;
    if (err.code === 'ERR_ACCESS_DENIED' && typeof err.resource === 'string' && inside(err.resource))
      return `${rel(err.resource)} (a file of bpttlab's own package)`;
    if ((err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') && typeof err.message === 'string') {
      const m = /['"](bpttlab(?:\/[^'"]*)?)['"]/.exec(err.message);
      if (m) return m[1];
    }
  } catch {
    return null;
  }
  return null;
}

// require() (the bundle's createRequire) goes through Module._load: refuse bpttlab by name with a clear message.
// Anything else not built in fails anyway, since no file outside this folder may be read.
const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const load = loader._load;
loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  if (/^bpttlab(\/|$)/.test(request))
    throw Object.assign(new Error(`loading ${request} is not allowed in an answer`), {
      code: 'BPTTLAB_REFUSED',
      module: request,
    });
  return load.call(this, request, parent, isMain);
};

// A real import(): tsc would turn a literal one into require() in CommonJS output, which cannot load an ES module.
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;

async function main(): Promise<void> {
  send({ kind: 'ready' });
  let ns: Record<string, unknown>;
  // Nothing left to run while the module is still loading: a top-level await waits for something that never comes.
  const stuck = (): void =>
    send({
      kind: 'load-error',
      message: 'its top-level await never finished (it waits for something nothing will do)',
    });
  process.once('beforeExit', stuck);
  try {
    ns = await importModule(pathToFileURL(path.join(__dirname, 'student.mjs')).href);
    process.off('beforeExit', stuck);
  } catch (e) {
    process.off('beforeExit', stuck);
    const module = refused(e);
    send(module ? { kind: 'refused', module } : { kind: 'load-error', message: errorMessage(e) });
    return;
  }
  const def = ns.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
  const wanted = job.exportName || job.fn;
  const fromDefault =
    def !== null && (typeof def === 'object' || typeof def === 'function')
      ? (def as Record<string, unknown>)[wanted]
      : undefined;
  const fn = ns[wanted] ?? fromDefault ?? (job.exportName ? undefined : typeof def === 'function' ? def : undefined);
  if (typeof fn !== 'function') {
    const names = [...Object.keys(ns), ...(def && typeof def === 'object' ? Object.keys(def) : [])].filter(
      (k) => k !== 'default' && typeof (ns[k] ?? (def as Record<string, unknown>)[k]) === 'function',
    );
    send({ kind: 'no-export', wanted, have: names.slice(0, 20) });
    return;
  }
  for (const c of job.cases) {
    send({ kind: 'start', index: c.index });
    const outcome = runCase(fn as (...a: unknown[]) => unknown, c.index, c.args, job.params, { refused });
    send({ kind: 'case', outcome });
    if (!outcome.ok) break;
  }
  send({ kind: 'done' });
}

main().catch((e: unknown) => send({ kind: 'load-error', message: errorMessage(e) }));
