// The equation → function list (src/model/equations.ts) is the one source of the README's table: every function it
// names exists where it says, every equation 10.8–10.28 is in it, and the README shows exactly the generated table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EQUATIONS, equationTable } from '../src/model/equations';
import * as reference from '../src/model/reference';

const ROOT = path.resolve(__dirname, '..');

test('every engine function the list names is defined in the file it names', () => {
  for (const e of EQUATIONS) {
    for (const f of e.engine) {
      const text = fs.readFileSync(path.join(ROOT, 'src', 'model', f.file), 'utf8');
      assert.match(
        text,
        new RegExp(`^(export )?function ${f.fn}\\(`, 'm'),
        `eq ${e.book}: ${f.fn} in src/model/${f.file}`,
      );
    }
  }
});

test('every reference function the list names is exported by reference.ts', () => {
  for (const e of EQUATIONS)
    for (const r of e.reference)
      assert.equal(typeof (reference as Record<string, unknown>)[r], 'function', `eq ${e.book}: reference.${r}`);
});

test('every equation from 10.8 to 10.28 that §10.2.2 numbers is listed', () => {
  const covered = new Set<number>();
  for (const e of EQUATIONS) {
    const m = /^10\.(\d+)(?:–10\.(\d+))?$/.exec(e.book);
    if (m) for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) covered.add(n);
  }
  const numbered = [8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
  assert.deepEqual(
    numbered.filter((n) => !covered.has(n)),
    [],
  );
});

test('the README\'s "Where each equation lives" table is the generated one', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.ok(
    readme.includes(`${equationTable()}\n`),
    'README.md: paste equationTable() from src/model/equations.ts under "Where each equation lives"',
  );
});
