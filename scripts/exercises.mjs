#!/usr/bin/env node
// scripts/exercises.mjs: the student notebooks, generated from the solution notebooks.
//
//   node scripts/exercises.mjs            regenerate notebooks/exercises/*.ipynb from notebooks/2N-exercises-*.ipynb
//   node scripts/exercises.mjs --check    exit 1 (listing the files) when notebooks/exercises/ is out of date
//   node scripts/exercises.mjs --copy [DIR]
//                                         copy the student notebooks into DIR (default work/, git-ignored) to work
//                                         in; a file that already exists there is never overwritten
//
// In a solution notebook the answer sits between `// BEGIN SOLUTION` and `// END SOLUTION` (nbgrader's markers, in
// TypeScript). The student version replaces those lines, markers included, by
//     // BEGIN STUB
//     throw new Error('not implemented yet: gradW — see the markdown above');
//     // END STUB
// (indented like the BEGIN line; the name is the function the markers sit in) and tags the cell `stub`, which is how
// scripts/execute_notebook.py --expect-stub-errors recognises stub cells. Everything else is copied as it is, so the
// check cell after each exercise stays, and fails with "not implemented yet" until the stub is replaced.
// Only Node built-ins here.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const OUT = path.join(NOTEBOOKS, 'exercises');
const SOURCE = /^(\d+)-exercises-(.+)\.ipynb$/;

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b/;
const END = /^\s*\/\/\s*END SOLUTION\b/;

/** Solution notebooks and the name of their student version. */
export function sources() {
  return fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => SOURCE.test(f))
    .sort()
    .map((f) => {
      const [, num, topic] = SOURCE.exec(f);
      return { source: path.join(NOTEBOOKS, f), target: path.join(OUT, `${num}-${topic}.ipynb`), name: f };
    });
}

const lines = (src) => (Array.isArray(src) ? src.join('') : src).split('\n');
const toSource = (ls) => ls.map((l, i) => (i < ls.length - 1 ? `${l}\n` : l));

/** The student version of one code cell's source lines; null when the cell has no solution. */
function stubLines(ls, where) {
  let changed = false;
  const out = [];
  let fnName = 'this exercise';
  for (let i = 0; i < ls.length; i++) {
    const fm = /\bfunction\s+([A-Za-z_$][\w$]*)/.exec(ls[i]);
    if (fm) fnName = fm[1];
    const m = BEGIN.exec(ls[i]);
    if (!m) {
      if (END.test(ls[i])) throw new Error(`${where}: END SOLUTION without BEGIN SOLUTION (line ${i + 1})`);
      out.push(ls[i]);
      continue;
    }
    let j = i + 1;
    while (j < ls.length && !END.test(ls[j])) {
      if (BEGIN.test(ls[j])) throw new Error(`${where}: nested BEGIN SOLUTION (line ${j + 1})`);
      j++;
    }
    if (j === ls.length) throw new Error(`${where}: BEGIN SOLUTION (line ${i + 1}) has no END SOLUTION`);
    const ind = m[1];
    out.push(`${ind}// BEGIN STUB`, `${ind}throw new Error('not implemented yet: ${fnName} — see the markdown above');`, `${ind}// END STUB`);
    changed = true;
    i = j;
  }
  return changed ? out : null;
}

/** The student notebook (as the text to write) for a solution notebook file. */
export function generate(sourceFile) {
  const rel = path.relative(ROOT, sourceFile);
  const nb = JSON.parse(fs.readFileSync(sourceFile, 'utf8'));
  let stubs = 0;
  let first = true;
  const cells = nb.cells.map((cell, index) => {
    const c = structuredClone(cell);
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
      const st = stubLines(lines(c.source), `${rel} cell ${index}`);
      if (st) {
        stubs++;
        c.source = toSource(st);
        const tags = new Set(c.metadata?.tags ?? []);
        tags.add('stub');
        c.metadata = { ...(c.metadata ?? {}), tags: [...tags] };
      }
    } else if (c.cell_type === 'markdown' && first) {
      first = false;
      const note = `> Student version, generated from \`${rel}\` by \`node scripts/exercises.mjs\`: do not edit it here. ` +
        'Work in your own copy: `node scripts/exercises.mjs --copy` (into `work/`).\n\n';
      c.source = toSource(lines(note + lines(c.source).join('\n')));
    }
    return c;
  });
  if (stubs === 0) throw new Error(`${rel} has no // BEGIN SOLUTION ... // END SOLUTION block`);
  return `${JSON.stringify({ ...nb, cells }, null, 1)}\n`;
}

function writeAll() {
  fs.mkdirSync(OUT, { recursive: true });
  const targets = new Set();
  for (const { source, target } of sources()) {
    fs.writeFileSync(target, generate(source));
    targets.add(target);
    console.log(`wrote ${path.relative(ROOT, target)}`);
  }
  for (const f of fs.readdirSync(OUT)) {
    const p = path.join(OUT, f);
    if (f.endsWith('.ipynb') && !targets.has(p)) {
      fs.rmSync(p);
      console.log(`removed ${path.relative(ROOT, p)} (no solution notebook for it)`);
    }
  }
}

/** The out-of-date files: missing, different, or without a source. */
export function stale() {
  const problems = [];
  const targets = new Set();
  for (const { source, target } of sources()) {
    targets.add(target);
    const want = generate(source);
    const rel = path.relative(ROOT, target);
    if (!fs.existsSync(target)) problems.push(`${rel} is missing`);
    else if (fs.readFileSync(target, 'utf8') !== want) problems.push(`${rel} differs from what ${path.relative(ROOT, source)} generates`);
  }
  if (fs.existsSync(OUT)) {
    for (const f of fs.readdirSync(OUT)) {
      const p = path.join(OUT, f);
      if (f.endsWith('.ipynb') && !targets.has(p)) problems.push(`${path.relative(ROOT, p)} has no solution notebook`);
    }
  }
  return problems;
}

function copy(dirArg) {
  const dir = path.resolve(dirArg ?? path.join(ROOT, 'work'));
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(OUT)) throw new Error('notebooks/exercises/ does not exist: run `node scripts/exercises.mjs` first');
  const rel = (p) => path.relative(process.cwd(), p) || '.';
  for (const f of fs.readdirSync(OUT).filter((x) => x.endsWith('.ipynb')).sort()) {
    const dest = path.join(dir, f);
    try {
      fs.copyFileSync(path.join(OUT, f), dest, fs.constants.COPYFILE_EXCL); // never overwrites
      console.log(`created ${rel(dest)}`);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      console.log(`kept    ${rel(dest)} (exists already: your work is not touched)`);
    }
  }
  if (path.relative(ROOT, dir).startsWith('..')) {
    console.log(`note: ${rel(dir)} is outside the project, where \`import * as bp from 'bpttlab'\` may not resolve; work/ inside it is the safe place`);
  }
  console.log(`open them with: npm start   (then browse to ${path.relative(ROOT, dir) || '.'}/)`);
}

function main(argv) {
  const [flag, arg] = argv;
  if (flag === undefined) return writeAll();
  if (flag === '--check') {
    const problems = stale();
    if (problems.length > 0) {
      console.error(`notebooks/exercises/ is out of date:\n${problems.map((p) => `  ${p}`).join('\n')}\nregenerate with: node scripts/exercises.mjs`);
      process.exitCode = 1;
    } else console.log('notebooks/exercises/ is up to date');
    return;
  }
  if (flag === '--copy') return copy(arg);
  if (flag === '--help' || flag === '-h') {
    console.log('usage: node scripts/exercises.mjs [--check | --copy [DIR]]');
    return;
  }
  console.error(`unknown option ${flag}; usage: node scripts/exercises.mjs [--check | --copy [DIR]]`);
  process.exitCode = 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`exercises.mjs: ${e.message}`);
    process.exitCode = 2;
  }
}
