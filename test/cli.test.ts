// The command line's contract: JSON out, exit 0; any bad input → exit 2 and ONE line on stderr naming the field;
// exit 1 only when a check fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'bpttlab-cli-'));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const good = {
  loss: 'softmax-ce',
  params: { U: [[0.5, -0.3], [0.1, 0.2]], W: [[0.4, -0.6], [0.3, 0.2]], V: [[1, -1], [0.5, 0.25], [-0.3, 0.8]], b: [0.1, -0.1], c: [0, 0.2, -0.2] },
  tokens: [0, 1, 1],
  y: [2, null, 0],
};

function caseFile(name: string, body: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
  return f;
}

test('grad prints { loss, h, o, grads: { U, W, V, b, c, h0 } } with T rows of h and o', () => {
  const r = run(['grad', caseFile('good.json', good)]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j.grads).sort(), ['U', 'V', 'W', 'b', 'c', 'h0']);
  assert.equal(j.h.length, 3);
  assert.equal(j.o.length, 3);
  assert.equal(j.grads.W.length, 2);
  assert.ok(j.loss > 0);
  const ref = JSON.parse(run(['grad', caseFile('good.json', good), '--engine', 'reference']).out);
  assert.ok(Math.abs(ref.loss - j.loss) < 1e-12);
});

test('grad reads the case from stdin with "-", and warns (exit 0) about unknown fields', () => {
  const r = run(['grad', '-'], JSON.stringify({ ...good, comment: 'from torch' }));
  assert.equal(r.code, 0);
  assert.match(r.err, /warning: ignoring unknown field "comment"/);
});

test('gradcheck prints the table and exits 0 when every gradient matches, 1 when the rule cannot be met', () => {
  const f = caseFile('good.json', good);
  const ok = run(['gradcheck', f]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /PASS/);
  assert.match(ok.out, /∇W/);
  const strict = run(['gradcheck', f, '--tol', '1e-300', '--step', '0.3', '--stencil', '2']); // a coarse ε cannot meet a 1e-300 ratio
  assert.equal(strict.code, 1, strict.out + strict.err);
  assert.match(strict.out, /FAIL/);
  const j = JSON.parse(run(['gradcheck', f, '--json', '--samples', '1']).out);
  assert.equal(j.params.length, 6);
});

const bad: [string, unknown, RegExp][] = [
  ['missing field', { ...good, params: undefined }, /missing field "params"/],
  ['missing parameter', { ...good, params: { ...good.params, V: undefined } }, /missing field "params\.V"/],
  ['missing y', { ...good, y: undefined }, /missing field "y"/],
  ['ragged matrix', { ...good, params: { ...good.params, W: [[1, 2], [3]] } }, /params\.W is ragged: row 0 has 2 entries but row 1 has 1/],
  ['W not square', { ...good, params: { ...good.params, W: [[1, 2, 3], [3, 4, 5]] } }, /params\.W must be H×H = 2×2 .*eq 10\.8.*got 2×3/],
  ['U wrong rows', { ...good, params: { ...good.params, U: [[1, 2]] } }, /params\.U must be H×D = 2×D .*got 1×2/],
  ['V wrong cols', { ...good, params: { ...good.params, V: [[1, 2, 3]] } }, /params\.V must be K×H = K×2 .*eq 10\.10.*got 1×3/],
  ['b wrong length', { ...good, params: { ...good.params, b: [1] } }, /params\.b must have length H = 2 .*got 1/],
  ['c wrong length', { ...good, params: { ...good.params, c: [1, 2] } }, /params\.c must have length K = 3 .*got 2/],
  ['h0 wrong length', { ...good, h0: [1, 2, 3] }, /h0 must have length H = 2 .*got 3/],
  ['non-numeric entry', { ...good, params: { ...good.params, b: [1, 'x'] } }, /params\.b\[1\] must be a number, got string "x"/],
  ['non-finite entry', '{"loss":"squared","params":{"U":[[1]],"W":[[1]],"V":[[1]],"b":[1],"c":[1e999]},"x":[[1]],"y":[[0]]}', /params\.c\[0\] must be a finite number, got Infinity/],
  ['token out of range', { ...good, tokens: [0, 2, 1] }, /tokens\[1\] must be an index in 0\.\.1 .*got 2/],
  ['token not an integer', { ...good, tokens: [0, 1.5, 1] }, /tokens\[1\] must be an integer, got number 1\.5/],
  ['both x and tokens', { ...good, x: [[1, 2], [1, 2], [1, 2]] }, /either "x" .* or "tokens" .*not both/],
  ['neither x nor tokens', { ...good, tokens: undefined }, /give either "x" .* or "tokens" .*got neither/],
  ['x wrong width', { ...good, tokens: undefined, x: [[1, 2, 3], [1, 2, 3], [1, 2, 3]] }, /x must be T×D = 3×2 .*got 3×3/],
  ['unknown loss', { ...good, loss: 'hinge' }, /loss must be "softmax-ce" or "squared", got "hinge"/],
  ['y wrong length', { ...good, y: [0, 1] }, /y must have one entry per step, T = 3, got 2/],
  ['class out of range', { ...good, y: [0, 3, 1] }, /y\[1\] must be a class index in 0\.\.2 .*got number 3/],
  ['squared target wrong length', { ...good, loss: 'squared', y: [[1, 2, 3], [1, 2], null] }, /y\[1\] must be a vector of length K = 3 or null/],
  ['truncate zero', { ...good, truncate: 0 }, /truncate must be an integer ≥ 1 .*got 0/],
  ['truncate fractional', { ...good, truncate: 2.5 }, /truncate must be an integer, got number 2\.5/],
  ['truncate a string', { ...good, truncate: '3' }, /truncate must be an integer, got string "3"/],
  ['empty sequence', { ...good, tokens: [], y: [] }, /the sequence is empty/],
  ['not an object', [1, 2], /the case must be a JSON object, got an array/],
  ['not JSON', '{"loss": NaN}', /is not valid JSON .*no NaN/],
];

for (const [kind, body, message] of bad) {
  test(`bad case (${kind}) → exit 2 and one line naming it`, () => {
    for (const cmd of ['grad', 'gradcheck']) {
      const r = run([cmd, caseFile(`bad.json`, body)]);
      assert.equal(r.code, 2, `${cmd}: ${r.err}${r.out}`);
      assert.equal(r.out, '');
      assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
      assert.match(r.err, message);
    }
  });
}

test('unreadable file, a directory, an unknown flag, a bad engine, no command: exit 2 with one line', () => {
  const sub = join(dir, 'sub');
  mkdirSync(sub, { recursive: true });
  const cases: [string[], RegExp][] = [
    [['grad', join(dir, 'nope.json')], /cannot read case file .*nope\.json: no such file/],
    [['grad', sub], /cannot read case file .*: it is a directory/],
    [['grad', caseFile('good.json', good), '--frobnicate'], /unknown option '--frobnicate'/],
    [['grad', caseFile('good.json', good), '--engine', 'torch'], /--engine.*torch.*(fast|reference)/],
    [['gradcheck', caseFile('good.json', good), '--samples', '0'], /--samples.*expected an integer ≥ 1/],
    [['frob'], /unknown command 'frob'/],
    [[], /missing command/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
    assert.match(r.err, message);
  }
  assert.equal(run(['--help']).code, 0);
});
