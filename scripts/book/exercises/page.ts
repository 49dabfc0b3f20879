// The book's exercise pages: an editor per exercise (CodeMirror 6, TypeScript highlighting), a Check button and the
// CLI's verdict, computed in the page with no server and no network. Bundled by scripts/book/exercises.mjs into one
// classic script (site/bpttlab-exercises.js), so that the book works opened from disk (file://).
//
// How a check runs:
//   1. sucrase strips the types (and turns import/export into CommonJS), keeping the student's line numbers; a
//      syntax error gives a verdict naming the line;
//   2. a fresh Web Worker (from a Blob URL; worker.ts) runs the function on the exercise's cases and hands back only
//      what it returned (collect.ts, as `bpttlab check`'s child process does); after 10 s it is terminated: `timeout`;
// 3. the verdict is the CLI's own judge() (src/teach/exercises/judge.ts), on tables `npm run book` computed ahead of
// time
// (src/teach/exercises/table.ts): the expected outputs and those of every mistake model and pair of mistakes. This page
//      holds no code that computes an answer.
// The page contract (tests and tools drive it): [data-exercise="NAME"] holds the editor and [data-action="check"];
// its one [data-verdict] gets data-pending="true" at once on Check, then data-status (the CLI's --json status, or
// syntax-error) and data-mistake (the mistake's id), and the verdict's text.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { transform } from 'sucrase';
import type { Exercise } from '../../../src/teach/exercises/answers/exercise';
import { judge, notAFunctionVerdict, refusedVerdict, timeoutVerdict } from '../../../src/teach/exercises/judge';
import { type ExerciseTable, fromTable } from '../../../src/teach/exercises/table';
import type { Outcome, Verdict } from '../../../src/teach/exercises/types';

declare const WORKER_CODE: string;

/** The time limit on the student's code, as `bpttlab check`'s default --timeout. */
const TIMEOUT_MS = 10_000;
const STARTUP_MS = 30_000;

type PageStatus = Verdict['status'] | 'syntax-error';
type PageVerdict = Omit<Verdict, 'status'> & { status: PageStatus };

const tables =
  (window as unknown as { BPTTLAB_EXERCISE_TABLES?: Record<string, ExerciseTable> }).BPTTLAB_EXERCISE_TABLES ?? {};
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const SHORTCUT = isMac ? '⌘+Enter' : 'Ctrl+Enter';

// --- the student's work, kept in the browser (keys do not depend on the build, so a rebuilt book keeps them) ---
const key = (name: string, what: 'code' | 'solved' | 'before-reset'): string => `bpttlab:exercise:${name}:${what}`;
function load(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return null;
  }
}
function store(k: string, v: string | null): void {
  try {
    if (v === null) localStorage.removeItem(k);
    else localStorage.setItem(k, v);
  } catch {
    // storage full or disabled: the work stays in the editor for this visit
  }
}

let workerUrl: string | null = null;
function newWorker(): Worker {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_CODE], { type: 'text/javascript' }));
  return new Worker(workerUrl);
}

const head = (ex: Exercise): string => `${ex.name} — ${ex.title} (${ex.equation})`;

/** A verdict the CLI gives as "cannot load FILE" (exit 2): here it is a verdict on the code in the editor. */
function loadVerdict(
  ex: Exercise,
  status: 'syntax-error' | 'threw',
  what: string,
  at: { line: number; column: number } | null,
): PageVerdict {
  const where = at ? ` at line ${at.line}, column ${at.column}` : '';
  const lines =
    status === 'syntax-error'
      ? [`✘ ${head(ex)}: your code has a syntax error${where}: ${what}`]
      : [`✘ ${head(ex)}: your code threw an error while it was being loaded${where} (outside your function): ${what}`];
  lines.push(`  expected signature: ${ex.signature}, returning ${ex.shape}`);
  return {
    exercise: ex.name,
    status,
    correct: false,
    casesPassed: 0,
    casesTotal: ex.cases().length,
    text: lines.join('\n'),
  };
}

type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'start'; index: number }
  | { kind: 'case'; outcome: Outcome }
  | { kind: 'done' }
  | { kind: 'no-function' }
  | { kind: 'refused'; module: string }
  | { kind: 'load-error'; message: string; syntax: boolean; at: { line: number; column: number } | null };

/** Runs the student's (already transpiled) code in a worker and judges what it handed back. */
function runAndJudge(ex: Exercise, code: string): Promise<PageVerdict> {
  const all = ex.cases();
  const indices = all.map((_, i) => i);
  return new Promise((resolve) => {
    const worker = newWorker();
    const outcomes: Outcome[] = [];
    let lastCase: number | undefined;
    let timer = window.setTimeout(() => finish(timeoutVerdict(ex, TIMEOUT_MS)), STARTUP_MS);
    let settled = false;
    const finish = (v: PageVerdict): void => {
      if (settled) return;
      settled = true;
      window.clearTimeout(timer);
      worker.terminate();
      resolve(v);
    };
    worker.onmessage = (e: MessageEvent<WorkerMessage>): void => {
      const m = e.data;
      switch (m.kind) {
        case 'ready':
          window.clearTimeout(timer);
          timer = window.setTimeout(() => finish(timeoutVerdict(ex, TIMEOUT_MS, lastCase)), TIMEOUT_MS);
          break;
        case 'start':
          lastCase = m.index;
          break;
        case 'case':
          outcomes.push(m.outcome);
          break;
        case 'done':
          finish(judge(ex, { cases: indices, outcomes }));
          break;
        case 'refused':
          finish(refusedVerdict(ex, `it loads ${m.module}`));
          break;
        case 'no-function':
          finish(
            notAFunctionVerdict(
              ex,
              `your code defines no function ${ex.fn}: write it as \`function ${ex.signature} { ... }\``,
            ),
          );
          break;
        case 'load-error':
          finish(loadVerdict(ex, m.syntax ? 'syntax-error' : 'threw', m.message, m.at));
          break;
      }
    };
    worker.onerror = (e: ErrorEvent): void => {
      e.preventDefault();
      finish(loadVerdict(ex, 'threw', `the worker running your code failed: ${e.message}`, null));
    };
    worker.postMessage({
      code,
      fn: ex.fn,
      params: [...ex.params],
      cases: indices.map((index) => ({ index, args: all[index].args })),
    });
  });
}

/** The verdict on the code in the editor. */
async function verdictOn(ex: Exercise, source: string): Promise<PageVerdict> {
  let code: string;
  try {
    code = transform(source, { transforms: ['typescript', 'imports'] }).code;
  } catch (e) {
    const err = e as { message?: unknown; loc?: { line?: unknown; column?: unknown } };
    const msg = String(err.message ?? e).replace(/\s*\(\d+:\d+\)\s*$/, '');
    const at =
      typeof err.loc?.line === 'number' && typeof err.loc.column === 'number'
        ? { line: err.loc.line, column: err.loc.column + 1 }
        : null;
    return loadVerdict(ex, 'syntax-error', msg, at);
  }
  return runAndJudge(ex, code);
}

/** The file `bpttlab check NAME FILE` accepts: the code, with its function exported unless the code exports already. */
export function downloadText(ex: Pick<Exercise, 'name' | 'fn'>, source: string): string {
  const exported = /(^|\n)\s*export\b/.test(source);
  const body = source.endsWith('\n') ? source : `${source}\n`;
  return `${body}${
    exported ? '' : `export { ${ex.fn} };\n`
  }// check it with: npx bpttlab check ${ex.name} ${ex.name}.ts\n`;
}

/** An argument as a student would write it: numbers as they are, a matrix one row per line. */
function show(x: unknown, indent = ''): string {
  if (Array.isArray(x) && x.length > 0 && x.every((r) => Array.isArray(r))) {
    return `[\n${x.map((r) => `${indent}  ${JSON.stringify(r)}`).join(',\n')},\n${indent}]`;
  }
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    return `{\n${Object.entries(x)
      .map(([k, v]) => `${indent}  ${k}: ${show(v, `${indent}  `)}`)
      .join(',\n')},\n${indent}}`;
  }
  return JSON.stringify(x);
}

/**
 * Under the verdict: what the CLI's text points to outside the page, here in it: the inputs of the case it names
 * (the CLI says "reproduce it with bp.exercises.getCase(...)"), and for an error on a line, a way to that line.
 */
function after(el: HTMLElement, ex: Exercise, v: PageVerdict, goTo: (line: number) => void): void {
  el.replaceChildren();
  const line = /line (\d+), column|your-code\.ts:(\d+):/.exec(v.text);
  if (line && v.status !== 'correct') {
    const n = Number(line[1] ?? line[2]);
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `Go to line ${n} in the editor`;
    b.addEventListener('click', () => goTo(n));
    el.append(b);
  }
  const c = v.case && v.status !== 'correct' && v.status !== 'not-implemented' ? ex.cases()[v.case.index] : undefined;
  if (c && v.case) {
    const d = document.createElement('details');
    const s = document.createElement('summary');
    const inputs = `The inputs of case ${v.case.index} (${c.label}: ${c.sizes})`;
    s.textContent = `${inputs}, to follow it by hand or to paste into a test`;
    const pre = document.createElement('pre');
    pre.textContent = ex.params.map((p, i) => `const ${p} = ${show(c.args[i])};`).join('\n');
    d.append(s, pre);
    el.append(d);
  }
  el.hidden = el.childElementCount === 0;
}

function setUp(root: HTMLElement): void {
  const name = root.dataset.exercise!;
  const table = tables[name];
  const verdictEl = root.querySelector<HTMLElement>('[data-verdict]')!;
  const checkBtn = root.querySelector<HTMLButtonElement>('[data-action="check"]')!;
  const resetBtn = root.querySelector<HTMLButtonElement>('[data-action="reset"]');
  const downloadBtn = root.querySelector<HTMLButtonElement>('[data-action="download"]');
  const holder = root.querySelector<HTMLElement>('[data-editor]')!;
  const afterEl = root.querySelector<HTMLElement>('[data-after]');
  const stubArea = holder.querySelector('textarea');
  const stub = stubArea ? stubArea.value : '';
  if (!table) {
    const missing = `This exercise's checker is missing from the book (no table for ${name})`;
    verdictEl.textContent = `${missing}: rebuild it with npm run book.`;
    checkBtn.disabled = true;
    return;
  }
  const ex = fromTable(table);
  const solvedMark = root.querySelector<HTMLElement>('[data-solved-mark]');
  const showSolved = (): void => {
    if (solvedMark) solvedMark.hidden = load(key(name, 'solved')) !== '1';
  };
  showSolved();
  root.querySelectorAll<HTMLElement>('[data-shortcut]').forEach((s) => (s.textContent = SHORTCUT));

  let running = false;
  const check = (): boolean => {
    if (running) return true;
    running = true;
    // aria-disabled, not disabled: a focused button keeps the focus (a disabled one would drop it to the page)
    checkBtn.setAttribute('aria-disabled', 'true');
    verdictEl.setAttribute('data-pending', 'true');
    verdictEl.setAttribute('aria-busy', 'true');
    verdictEl.removeAttribute('data-status');
    verdictEl.removeAttribute('data-mistake');
    verdictEl.textContent = `Checking ${name} on ${table.cases.length} cases…`;
    if (afterEl) afterEl.hidden = true;
    const source = view.state.doc.toString();
    void verdictOn(ex, source).then((v) => {
      verdictEl.textContent = v.text;
      verdictEl.setAttribute('data-status', v.status);
      if (v.mistake) verdictEl.setAttribute('data-mistake', v.mistake.id);
      verdictEl.removeAttribute('aria-busy');
      verdictEl.removeAttribute('data-pending');
      if (afterEl) after(afterEl, ex, v, goTo);
      store(key(name, 'solved'), v.correct ? '1' : null);
      showSolved();
      running = false;
      checkBtn.removeAttribute('aria-disabled');
    });
    return true;
  };

  const view = new EditorView({
    parent: holder,
    state: EditorState.create({
      doc: load(key(name, 'code')) ?? stub,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        indentUnit.of('  '),
        EditorState.tabSize.of(2),
        EditorView.lineWrapping,
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        javascript({ typescript: true }),
        keymap.of([
          { key: 'Mod-Enter', run: check },
          {
            key: 'Escape',
            run: (v) => {
              v.contentDOM.blur();
              checkBtn.focus();
              return true;
            },
          },
          indentWithTab,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        EditorView.contentAttributes.of({
          'aria-label': `Your code for exercise ${name} (${SHORTCUT} runs Check, Tab indents, Esc leaves the editor)`,
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) store(key(name, 'code'), u.state.doc.toString());
        }),
      ],
    }),
  });
  stubArea?.remove();
  const goTo = (n: number): void => {
    const line = view.state.doc.line(Math.min(Math.max(1, n), view.state.doc.lines));
    view.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
    view.focus();
  };

  checkBtn.addEventListener('click', () => check());
  const setDoc = (text: string): void =>
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  resetBtn?.addEventListener('click', () => {
    const undo = resetBtn.dataset.undo === 'true';
    if (undo) {
      const before = load(key(name, 'before-reset'));
      if (before !== null) setDoc(before);
      resetBtn.dataset.undo = 'false';
      resetBtn.textContent = 'Reset to the stub';
    } else {
      store(key(name, 'before-reset'), view.state.doc.toString());
      setDoc(stub);
      resetBtn.dataset.undo = 'true';
      resetBtn.textContent = 'Undo the reset';
    }
    view.focus();
  });
  downloadBtn?.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([downloadText(ex, view.state.doc.toString())], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.ts`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
}

document.querySelectorAll<HTMLElement>('[data-exercise]').forEach(setUp);
document.querySelectorAll<HTMLElement>('.bpttlab-banner [data-shortcut]').forEach((s) => (s.textContent = SHORTCUT));
