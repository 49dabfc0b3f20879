#!/usr/bin/env node
// npm run lint: Biome's formatter and linter over the sources (biome.json), then the widths Biome cannot enforce:
// no line of a source file over 120 characters (Biome wraps code, not strings or comments), and no line of a
// notebook code cell over 100 (what the classic Notebook shows without a scroll bar on a 1024-pixel projector).
// Biome's findings fail the lint (exit 1); the widths fail it only with --strict-width, because strings, regexes and
// notebook cells still wider than that are listed for people to break, not yet all broken. `npm run format` fixes what
// a formatter can.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_WIDTH = 120;
export const CELL_WIDTH = 100;
const SOURCE_DIRS = ['src', 'test', 'scripts', 'bench'];
const SKIP = [/^src\/model\/kernels-wasm\.ts$/, /^bench\/peers\//, /^test\/fixtures\//]; // generated, vendored, data
const BIOME = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

function sourceFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (SKIP.some((re) => re.test(rel)) || e.name === 'node_modules') continue;
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|mjs|js)$/.test(e.name)) out.push(rel);
    }
  };
  for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, d))) walk(d);
  return out.sort();
}

export function notebookFiles() {
  const out = [];
  for (const dir of ['notebooks', 'notebooks/exercises']) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs)) if (f.endsWith('.ipynb')) out.push(path.posix.join(dir, f));
  }
  return out.sort();
}

/** Lines over the width: "file:line: N characters (at most W)". Characters, not bytes: ∇ and τ count once. */
export function tooWide() {
  const problems = [];
  for (const f of sourceFiles()) {
    fs.readFileSync(path.join(ROOT, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const n = [...line].length;
        if (n > SOURCE_WIDTH) problems.push(`${f}:${i + 1}: ${n} characters (at most ${SOURCE_WIDTH})`);
      });
  }
  for (const f of notebookFiles()) {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8'));
    nb.cells.forEach((cell, c) => {
      if (cell.cell_type !== 'code') return;
      []
        .concat(cell.source)
        .join('')
        .split('\n')
        .forEach((line, i) => {
          const n = [...line].length;
          if (n > CELL_WIDTH)
            problems.push(`${f}: cell ${c + 1}, line ${i + 1}: ${n} characters (at most ${CELL_WIDTH})`);
        });
    });
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const biome = spawnSync(process.execPath, [BIOME, 'check', '--colors=off', ...SOURCE_DIRS], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const strict = process.argv.includes('--strict-width');
  const wide = tooWide();
  if (strict) for (const p of wide) console.error(p);
  if (wide.length > 0) {
    console.error(
      `lint: ${wide.length} line(s) wider than ${SOURCE_WIDTH} (sources) or ${CELL_WIDTH} (notebook cells)` +
        (strict ? '' : '; list them with npm run lint -- --strict-width'),
    );
  }
  if (biome.status !== 0 || (strict && wide.length > 0)) process.exit(1);
  console.log('lint: Biome is clean');
}
