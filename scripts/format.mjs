#!/usr/bin/env node
// npm run format: Biome formats the sources in place (biome.json) and applies its safe lint fixes. Notebook cells are
// laid out by hand for reading (a formatter spreads `const D = 4, nh = 3, K = 4` over three lines), so they are only
// checked: `npm run lint` fails on a code line wider than the cell. Strings and comments too long for a line are left
// for a person to break.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIOME = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const r = spawnSync(process.execPath, [BIOME, 'check', '--write', 'src', 'test', 'scripts', 'bench'], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
