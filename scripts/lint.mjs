#!/usr/bin/env node
// npm run lint: Biome's formatter and linter over the sources (biome.json), then the widths Biome cannot enforce:
// no line of a source file over 120 characters (Biome wraps code, not strings or comments), and no line of a
// notebook code cell over 100 (what the classic Notebook shows without a scroll bar on a 1024-pixel projector).
// Biome's findings and every line too wide fail the lint (exit 1), except the lines in WARN_ONLY's files, which are
// listed as warnings; --strict-width fails on those too. `npm run format` fixes what a formatter can; long strings,
// regexes and comments are for people to break.
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
// Files whose wide lines only warn: src/, while the branches that break its last long lines are merged. Once src/ is
// clean, make this [] and the width rule holds everywhere.
const WARN_ONLY = [/^src\//];

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
  const warnOnly = (p) => !strict && WARN_ONLY.some((re) => re.test(p));
  const [warnings, errors] = [wide.filter(warnOnly), wide.filter((p) => !warnOnly(p))];
  for (const p of warnings) console.error(`warning: ${p}`);
  for (const p of errors) console.error(p);
  if (errors.length > 0) {
    console.error(
      `lint: ${errors.length} line(s) wider than ${SOURCE_WIDTH} (sources) or ${CELL_WIDTH} (notebook cells)`,
    );
  }
  if (biome.status !== 0 || errors.length > 0) process.exit(1);
  const warned = `, and ${warnings.length} line(s) too wide in WARN_ONLY's files (warnings for now)`;
  console.log(`lint: Biome is clean${warnings.length > 0 ? warned : ', and no line is too wide'}`);
}
