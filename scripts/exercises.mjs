#!/usr/bin/env node
// scripts/exercises.mjs: the student notebooks, generated from the solution notebooks, and the student's own lab
// folder.
//
//   node scripts/exercises.mjs            regenerate notebooks/exercises/*.ipynb from notebooks/2N-exercises-*.ipynb
//   node scripts/exercises.mjs --check    exit 1 (listing the files) when notebooks/exercises/ is out of date
//   node scripts/exercises.mjs --copy [DIR]
//                                         bring the student's folder DIR (default work/, git-ignored) up to date:
//                                         what `npm start` does before it opens the lab on that folder (see syncWork)
//
// In a solution notebook the answer sits between `// BEGIN SOLUTION` and `// END SOLUTION` (nbgrader's markers, in
// TypeScript). The student version replaces those lines, markers included, by
//     // BEGIN STUB
//     throw new Error('not implemented yet: gradW — see the markdown above');
//     // END STUB
// (indented like the BEGIN line; the name is the function the markers sit in) and tags the cell `stub`, which is how
// scripts/execute_notebook.py --expect-stub-errors recognises stub cells. Everything else is copied as it is, so the
// check cell after each exercise stays, and fails with "not implemented yet" until the stub is replaced. Each cell
// of an exercise (from its heading to its check cell) carries `metadata.bpttlab.exercise`, so that an exercise added
// later can be added to a student's copy without touching the rest. Nothing in a student notebook points to the
// solutions.
// Only Node built-ins here.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const OUT = path.join(NOTEBOOKS, 'exercises');
const SOURCE = /^(\d+)-exercises-(.+)\.ipynb$/;
const CHAPTER = /^\d+-.+\.ipynb$/;

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b/;
const END = /^\s*\/\/\s*END SOLUTION\b/;
const CHECK = /\bexercises\.check\(\s*['"]([^'"]+)['"]/;

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

/** The chapters: every notebooks/NN-*.ipynb that is not a solution notebook. */
export function chapters() {
  return fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => CHAPTER.test(f) && !SOURCE.test(f))
    .sort();
}

const lines = (src) => (Array.isArray(src) ? src.join('') : src).split('\n');
const toSource = (ls) => ls.map((l, i) => (i < ls.length - 1 ? `${l}\n` : l));
const text = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? ''));

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
    out.push(
      `${ind}// BEGIN STUB`,
      `${ind}throw new Error('not implemented yet: ${fnName} — see the markdown above');`,
      `${ind}// END STUB`,
    );
    changed = true;
    i = j;
  }
  return changed ? out : null;
}

/** The exercise each cell belongs to: the cells after one check cell up to and including the next (null: none). */
export function exerciseOfCells(cells) {
  const names = cells.map((c) => (c.cell_type === 'code' ? (CHECK.exec(text(c))?.[1] ?? null) : null));
  const out = new Array(cells.length).fill(null);
  let start = 0;
  names.forEach((name, i) => {
    if (!name) return;
    // the exercise's cells start after the previous check cell, skipping the notebook's introduction (before the
    // first "## Exercise" heading) for the first one
    let from = start;
    if (start === 0) {
      const heading = cells.findIndex((c, k) => k <= i && c.cell_type === 'markdown' && /^##\s/m.test(text(c)));
      from = heading >= 0 ? heading : i;
    }
    for (let k = from; k <= i; k++) out[k] = name;
    start = i + 1;
  });
  return out;
}

/** The student notebook (as the text to write) for a solution notebook file. */
export function generate(sourceFile) {
  const rel = path.relative(ROOT, sourceFile).split(path.sep).join('/');
  const nb = JSON.parse(fs.readFileSync(sourceFile, 'utf8'));
  let stubs = 0;
  const owner = exerciseOfCells(nb.cells);
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
    }
    if (owner[index]) c.metadata = { ...(c.metadata ?? {}), bpttlab: { exercise: owner[index] } };
    return c;
  });
  if (stubs === 0) throw new Error(`${rel} has no // BEGIN SOLUTION ... // END SOLUTION block`);
  const metadata = {
    ...nb.metadata,
    bpttlab: { generated: 'by node scripts/exercises.mjs from its solution notebook: do not edit' },
  };
  return `${JSON.stringify({ ...nb, metadata, cells }, null, 1)}\n`;
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
    else if (fs.readFileSync(target, 'utf8') !== want)
      problems.push(`${rel} differs from what ${path.relative(ROOT, source)} generates`);
  }
  if (fs.existsSync(OUT)) {
    for (const f of fs.readdirSync(OUT)) {
      const p = path.join(OUT, f);
      if (f.endsWith('.ipynb') && !targets.has(p)) problems.push(`${path.relative(ROOT, p)} has no solution notebook`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- the student's folder

/** The exercises a (student's) notebook already has: by the cells' metadata, or by their check cells. */
function exercisesIn(cells) {
  const have = new Set();
  for (const c of cells) {
    if (c.metadata?.bpttlab?.exercise) have.add(c.metadata.bpttlab.exercise);
    const m = c.cell_type === 'code' ? CHECK.exec(text(c)) : null;
    if (m) have.add(m[1]);
  }
  return have;
}

/**
 * Adds to a student's copy the exercises of the current student version it lacks (each after the exercise that
 * precedes it in the student version, else at the end), leaving every cell the student has untouched. Returns the
 * names added (none: the file is not written).
 */
export function mergeInto(copyNb, studentNb) {
  const have = exercisesIn(copyNb.cells);
  const owner = exerciseOfCells(studentNb.cells);
  const order = [...new Set(owner.filter(Boolean))];
  const added = [];
  for (const name of order) {
    if (have.has(name)) continue;
    const group = studentNb.cells.filter((_, i) => owner[i] === name).map((c) => structuredClone(c));
    // after the last cell of the nearest preceding exercise the copy has
    let at = copyNb.cells.length;
    for (const prev of order.slice(0, order.indexOf(name)).reverse()) {
      const idx = copyNb.cells.findLastIndex(
        (c) => c.metadata?.bpttlab?.exercise === prev || (c.cell_type === 'code' && CHECK.exec(text(c))?.[1] === prev),
      );
      if (idx >= 0) {
        at = idx + 1;
        break;
      }
    }
    copyNb.cells.splice(at, 0, ...group);
    have.add(name);
    added.push(name);
  }
  return added;
}

function writeAtomic(file, data) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Brings a student's lab folder up to date, never touching the student's answers:
 *   - each student notebook (notebooks/exercises/) is copied in when missing; an existing copy gets only the
 *     exercises added since it was made (the previous version is kept in DIR/.previous/);
 *   - each chapter is linked (a symbolic link to notebooks/NN-*.ipynb, so it can never go stale); links to chapters
 *     that no longer exist, or to anything that is not a chapter, are removed.
 * No solution notebook is ever put there.
 */
export function syncWork(dirArg, log = console.log) {
  const dir = path.resolve(dirArg ?? path.join(ROOT, 'work'));
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(OUT))
    throw new Error('notebooks/exercises/ does not exist: run `node scripts/exercises.mjs` first');
  const rel = (p) => path.relative(process.cwd(), p) || '.';
  for (const f of fs
    .readdirSync(OUT)
    .filter((x) => x.endsWith('.ipynb'))
    .sort()) {
    const dest = path.join(dir, f);
    try {
      fs.copyFileSync(path.join(OUT, f), dest, fs.constants.COPYFILE_EXCL); // never overwrites
      log(`created ${rel(dest)}`);
      continue;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let copy;
    try {
      copy = JSON.parse(fs.readFileSync(dest, 'utf8'));
      if (!Array.isArray(copy.cells)) throw new Error('no cells');
    } catch {
      log(`kept    ${rel(dest)} (it is not a notebook this script can read, so nothing was added to it)`);
      continue;
    }
    const added = mergeInto(copy, JSON.parse(fs.readFileSync(path.join(OUT, f), 'utf8')));
    if (added.length === 0) {
      log(`kept    ${rel(dest)} (exists already: your work is not touched)`);
      continue;
    }
    const previous = path.join(dir, '.previous');
    fs.mkdirSync(previous, { recursive: true });
    fs.copyFileSync(
      dest,
      path.join(previous, `${path.basename(f, '.ipynb')}.${new Date().toISOString().replace(/[:.]/g, '-')}.ipynb`),
    );
    writeAtomic(dest, `${JSON.stringify(copy, null, 1)}\n`);
    log(
      `updated ${rel(dest)}: added the new exercise${added.length > 1 ? 's' : ''} ${added.join(', ')} (your answers ` +
        `are untouched; the previous version is in ${rel(previous)}/)`,
    );
  }
  const wanted = new Set(chapters());
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (!fs.lstatSync(p).isSymbolicLink()) continue;
    const target = path.resolve(dir, fs.readlinkSync(p));
    const intoNotebooks = !path.relative(NOTEBOOKS, target).startsWith('..');
    const isChapterLink =
      path.dirname(target) === NOTEBOOKS &&
      wanted.has(path.basename(target)) &&
      f === path.basename(target) &&
      fs.existsSync(target);
    if (intoNotebooks && !isChapterLink) {
      fs.rmSync(p);
      log(`removed ${rel(p)} (a link to ${path.relative(ROOT, target)}, which is not a chapter)`);
    }
  }
  for (const f of wanted) {
    const p = path.join(dir, f);
    if (fs.existsSync(p) || isLink(p)) {
      if (!isLink(p)) log(`kept    ${rel(p)} (a file of yours with a chapter's name: the chapter is not linked)`);
      continue;
    }
    fs.symlinkSync(path.relative(dir, path.join(NOTEBOOKS, f)), p);
  }
  return dir;
}

function isLink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function main(argv) {
  const [flag, arg] = argv;
  if (flag === undefined) return writeAll();
  if (flag === '--check') {
    const problems = stale();
    if (problems.length > 0) {
      const list = problems.map((p) => `  ${p}\n`).join('');
      console.error(`notebooks/exercises/ is out of date:\n${list}regenerate with: node scripts/exercises.mjs`);
      process.exitCode = 1;
    } else console.log('notebooks/exercises/ is up to date');
    return;
  }
  if (flag === '--copy') {
    const dir = syncWork(arg);
    if (path.relative(ROOT, dir).startsWith('..')) {
      console.log(
        `note: ${dir} is outside the project, where \`import * as bp from 'bpttlab'\` may not resolve; work/ inside ` +
          `it is the safe place`,
      );
    }
    console.log(`open them with: npm start${arg ? ` -- --work ${arg}` : ''}`);
    return;
  }
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
