// The Web Worker that runs a student's code in the book's exercise pages (started from a Blob URL by page.ts, a
// fresh one per check, terminated after the check or at the time limit). Like the child process of `bpttlab check`
// (src/teach/exercises/child.ts), it runs the function on the case arguments it is sent and hands back only what the
// function returned (src/teach/exercises/collect.ts, the CLI's own code): it never sees an expected value, and the page
// judges what it sends as untrusted data.
import { errorMessage, runCase } from '../../../src/teach/exercises/collect';

interface Job {
  /** The student's code, types already stripped (sucrase, in the page), line numbers kept. */
  code: string;
  fn: string;
  params: string[];
  cases: { index: number; args: unknown[] }[];
}

type Scope = {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: Job }) => void) | null;
  exports: Record<string, unknown>;
  module: { exports: Record<string, unknown> };
  require: (name: string) => never;
  __bpttlabFn?: unknown;
};
const scope = self as unknown as Scope;
const post = scope.postMessage.bind(scope);
const SOURCE = 'your-code.ts';

/** The line (and column) of the student's code in an error's stack, if it shows one. */
function lineOf(e: unknown): { line: number; column: number } | null {
  let stack: unknown;
  try {
    stack = e instanceof Error ? e.stack : undefined;
  } catch {
    return null;
  }
  const m = typeof stack === 'string' ? /your-code\.ts:(\d+):(\d+)/.exec(stack) : null;
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

const refusedModule = (e: unknown): string | null => {
  const err = e as { code?: unknown; module?: unknown } | null;
  return err !== null && typeof err === 'object' && err.code === 'BPTTLAB_REFUSED' && typeof err.module === 'string'
    ? err.module
    : null;
};

scope.onmessage = (event) => {
  scope.onmessage = null;
  const job = event.data;
  post({ kind: 'ready' });
  // What the transpiled code may use from CommonJS: an exports object, and a require that loads nothing.
  scope.exports = {};
  scope.module = { exports: scope.exports };
  scope.require = (name: string): never => {
    if (/^bpttlab(\/|$)/.test(name))
      throw Object.assign(new Error(`loading ${name} is not allowed in an answer`), {
        code: 'BPTTLAB_REFUSED',
        module: name,
      });
    throw new Error(
      `"${name}" cannot be loaded in the book's editor: write the function with plain loops and arrays (or check it ` +
        `in the lab, where packages such as mathjs load)`,
    );
  };
  try {
    // Indirect eval: global scope, the student's line numbers (stack frames read your-code.ts:LINE:COL).
    const exposeFn = `globalThis.__bpttlabFn = typeof ${job.fn} === 'function' ? ${job.fn} : undefined;`;
    const probe = `\n;${exposeFn}\n//# sourceURL=${SOURCE}`;
    // biome-ignore lint/complexity/noCommaOperator: (0, eval) is the indirect eval: the code runs at global scope
    // biome-ignore lint/security/noGlobalEval: this worker exists to run the student's code, away from the page
    (0, eval)(job.code + probe);
  } catch (e) {
    const module = refusedModule(e);
    if (module) return post({ kind: 'refused', module });
    return post({ kind: 'load-error', message: errorMessage(e), syntax: e instanceof SyntaxError, at: lineOf(e) });
  }
  const ex = scope.module.exports;
  const def = ex.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
  const fromDefault =
    def !== null && (typeof def === 'object' || typeof def === 'function')
      ? (def as Record<string, unknown>)[job.fn]
      : undefined;
  const fn = scope.__bpttlabFn ?? ex[job.fn] ?? fromDefault ?? (typeof def === 'function' ? def : undefined);
  if (typeof fn !== 'function') return post({ kind: 'no-function' });
  for (const c of job.cases) {
    post({ kind: 'start', index: c.index });
    const outcome = runCase(fn as (...a: unknown[]) => unknown, c.index, c.args, job.params, {
      refused: refusedModule,
    });
    post({ kind: 'case', outcome });
    if (!outcome.ok) break;
  }
  post({ kind: 'done' });
};
