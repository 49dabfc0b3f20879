// The command line's contract: JSON out, exit 0; any bad input → exit 2 and ONE line on stderr naming the field;
// exit 1 only when a check fails.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type CaseJson, checkCaseSize } from '../src/check/case';
import { literal, SMALL_CASE } from './helpers';

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'bpttlab-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string, stdio?: number) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(stdio === undefined ? {} : { stdio: [stdio, 'pipe', 'pipe'] }),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Exit 2 and exactly one line on stderr matching `message`, nothing on stdout. */
function refused(args: string[], message: RegExp, stdin?: number): void {
  const r = run(args, undefined, stdin);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}${r.out.slice(0, 300)}`);
  assert.equal(r.out, '');
  assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
  assert.match(r.err, message);
}

const good = SMALL_CASE;

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
  // a coarse ε cannot meet a 1e-300 ratio
  const strict = run(['gradcheck', f, '--tol', '1e-300', '--step', '0.3', '--stencil', '2']);
  assert.equal(strict.code, 1, strict.out + strict.err);
  assert.match(strict.out, /FAIL/);
  const j = JSON.parse(run(['gradcheck', f, '--json', '--samples', '1']).out);
  assert.equal(j.params.length, 6);
});

const bad: [string, unknown, RegExp][] = [
  ['missing field', { ...good, params: undefined }, /missing field "params"/],
  ['missing parameter', { ...good, params: { ...good.params, V: undefined } }, /missing field "params\.V"/],
  ['missing y', { ...good, y: undefined }, /missing field "y"/],
  [
    'ragged matrix',
    { ...good, params: { ...good.params, W: [[1, 2], [3]] } },
    /params\.W is ragged: row 0 has 2 entries but row 1 has 1/,
  ],
  [
    'W not square',
    {
      ...good,
      params: {
        ...good.params,
        W: [
          [1, 2, 3],
          [3, 4, 5],
        ],
      },
    },
    /params\.W must be H×H = 2×2 .*eq 10\.8.*got 2×3/,
  ],
  ['U wrong rows', { ...good, params: { ...good.params, U: [[1, 2]] } }, /params\.U must be H×D = 2×D .*got 1×2/],
  [
    'V wrong cols',
    { ...good, params: { ...good.params, V: [[1, 2, 3]] } },
    /params\.V must be K×H = K×2 .*eq 10\.10.*got 1×3/,
  ],
  ['b wrong length', { ...good, params: { ...good.params, b: [1] } }, /params\.b must have length H = 2 .*got 1/],
  ['c wrong length', { ...good, params: { ...good.params, c: [1, 2] } }, /params\.c must have length K = 3 .*got 2/],
  ['h0 wrong length', { ...good, h0: [1, 2, 3] }, /h0 must have length H = 2 .*got 3/],
  [
    'non-numeric entry',
    { ...good, params: { ...good.params, b: [1, 'x'] } },
    /params\.b\[1\] must be a number, got string "x"/,
  ],
  [
    'non-finite entry',
    '{"loss":"squared","params":{"U":[[1]],"W":[[1]],"V":[[1]],"b":[1],"c":[1e999]},"x":[[1]],"y":[[0]]}',
    /params\.c\[0\] must be a finite number, got Infinity/,
  ],
  ['token out of range', { ...good, tokens: [0, 2, 1] }, /tokens\[1\] must be an index in 0\.\.1 .*got 2/],
  ['token not an integer', { ...good, tokens: [0, 1.5, 1] }, /tokens\[1\] must be an integer, got number 1\.5/],
  [
    'both x and tokens',
    {
      ...good,
      x: [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
    },
    /either "x" .* or "tokens" .*not both/,
  ],
  ['neither x nor tokens', { ...good, tokens: undefined }, /give either "x" .* or "tokens" .*got neither/],
  [
    'x wrong width',
    {
      ...good,
      tokens: undefined,
      x: [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
    },
    /x must be T×D = 3×2 .*got 3×3/,
  ],
  ['unknown loss', { ...good, loss: 'hinge' }, /loss must be "softmax-ce" or "squared", got "hinge"/],
  ['y wrong length', { ...good, y: [0, 1] }, /y must have one entry per step, T = 3, got 2/],
  ['class out of range', { ...good, y: [0, 3, 1] }, /y\[1\] must be a class index in 0\.\.2 .*got number 3/],
  [
    'squared target wrong length',
    { ...good, loss: 'squared', y: [[1, 2, 3], [1, 2], null] },
    /y\[1\] must be a vector of length K = 3 or null/,
  ],
  ['truncate zero', { ...good, truncate: 0 }, /truncate must be an integer ≥ 1 .*got 0/],
  ['truncate fractional', { ...good, truncate: 2.5 }, /truncate must be an integer, got number 2\.5/],
  ['truncate a string', { ...good, truncate: '3' }, /truncate must be an integer, got string "3"/],
  [
    'a string class label',
    { ...good, y: ['a', null, 0] },
    /^bpttlab: y\[0\] must be a class index \(an integer ≥ 0\) or null for softmax-ce, got string "a"$/m,
  ],
  [
    'a class label in a squared case',
    { ...good, loss: 'squared', y: [1, null, null] },
    /y\[0\] must be a vector of length K = 3 or null for squared error, got number 1/,
  ],
  [
    'a string in a squared target',
    { ...good, loss: 'squared', y: [[1, 'x', 0], null, null] },
    /y\[0\] must be a vector of K numbers or null for squared error, got an array of length 3/,
  ],
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

// --- reliability: what a careless user types (issue 11) ---

test('a case file that starts with a byte-order mark is read, as train reads such a text', () => {
  const plain = run(['grad', caseFile('plain.json', good)]);
  const bom = run(['grad', caseFile('bom.json', `\ufeff${JSON.stringify(good)}`)]);
  assert.equal(bom.code, 0, bom.err);
  assert.equal(bom.out, plain.out);
  assert.equal(run(['grad', '-'], `\ufeff${JSON.stringify(good)}`).out, plain.out);
});

test('both engines give the same one-line error for a non-finite value, naming pass, quantity and step', () => {
  const overflow: [string, unknown, RegExp][] = [
    // U x(1) = 1e400: a(1) overflows
    [
      'forward',
      { loss: 'squared', params: { U: [[1e200]], W: [[1]], V: [[1e200]], b: [0], c: [0] }, x: [[1e200]], y: [[0]] },
      /^bpttlab: forward pass: a\(1\)\[0\] is Infinity — the first non-finite value \(step t = 1\)\n$/,
    ],
    // o(t) = ±100 and ŷ fine, but V^T ∇o(t) = 1e308 + 1e308
    [
      'backward',
      {
        loss: 'softmax-ce',
        params: { U: [[1e-306]], W: [[0.5]], V: [[1e308], [-1e308]], b: [0], c: [0, 0] },
        tokens: [0, 0],
        y: [1, 1],
      },
      /^bpttlab: backward pass: ∇h\(2\) L\[0\] is Infinity — the first non-finite value \(step t = 2\)\n$/,
    ],
    // no target, so the loss is 0 and finite: o(2) = 1e308 + 1e308·h(2) still overflows, and would have been printed as
    // null
    [
      'unscored output',
      {
        loss: 'softmax-ce',
        params: { U: [[1]], W: [[0.5]], V: [[1e308], [1e308]], b: [0], c: [1e308, 0] },
        tokens: [0, 0],
        y: [null, null],
      },
      /^bpttlab: forward pass: o\(2\)\[0\] is Infinity — the first non-finite value \(step t = 2\)\n$/,
    ],
  ];
  for (const [what, body, message] of overflow) {
    const f = caseFile(`overflow-${what.replace(/ /g, '-')}.json`, body);
    const fast = run(['grad', f]);
    const ref = run(['grad', f, '--engine', 'reference']);
    for (const [engine, r] of [
      ['fast', fast],
      ['reference', ref],
    ] as const) {
      assert.equal(r.code, 2, `${what}, ${engine}: ${r.out}${r.err}`);
      assert.equal(r.out, '', `${what}, ${engine}: no JSON with null in it`);
      assert.match(r.err, message, `${what}, ${engine}`);
    }
    assert.equal(ref.err, fast.err, what);
  }
});

test('gradcheck never passes when the central differences carry no information: CANNOT JUDGE, exit 1', () => {
  const f = caseFile('good.json', good);
  const tiny = run(['gradcheck', f, '--step', '1e-300']);
  assert.equal(tiny.code, 1, tiny.out + tiny.err);
  assert.doesNotMatch(tiny.out, /PASS/);
  assert.match(
    tiny.out,
    literal(
      'CANNOT JUDGE: ε = 1e-300 is too small to change the parameters in double precision ' +
        '(θ ± ε = θ), so every central difference is 0',
    ),
  );
  // L = 1e306: the loss's rounding (≈ 1e290) divided by ε swamps gradients of 1e153
  const huge = caseFile('huge-loss.json', {
    loss: 'squared',
    params: { U: [[0.5]], W: [[0.3]], V: [[1]], b: [0], c: [1e153] },
    x: [[1], [0.5]],
    y: [[0], [0]],
  });
  assert.equal(run(['grad', huge]).code, 0, 'the case itself is fine');
  const r = run(['gradcheck', huge]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(
    r.out,
    new RegExp(
      'CANNOT JUDGE: every gradient is within the rounding noise of the central differences ' +
        String.raw`\(L = 1\.0000e\+306: e\.g\. ‖∇c‖ = 2\.00e\+153 but the noise floor is [\d.]+e\+29\d\)`,
    ),
  );
  const j = JSON.parse(run(['gradcheck', huge, '--json']).out);
  assert.equal(j.verdict, 'cannot judge');
  assert.equal(j.pass, false);
  // a loss that cannot change: every gradient is exactly 0, which the backward pass gives
  const flat = run(['gradcheck', caseFile('flat.json', { ...good, y: [null, null, null] })]);
  assert.equal(flat.code, 0, flat.out);
  assert.match(
    flat.out,
    /PASS: the loss cannot change \(every target is null\), so every gradient is exactly 0, as the backward pass says/,
  );
  assert.match(run(['gradcheck', f]).out, /\nPASS: every gradient matches central differences$/m);
});

test('--seed: 0 and 4294967295 are seeds for every command; 2^32 and −1 are refused, not wrapped', () => {
  const f = caseFile('good.json', good);
  for (const s of ['0', '4294967295']) assert.equal(run(['gradcheck', f, '--seed', s, '--samples', '1']).code, 0, s);
  for (const cmd of [
    ['gradcheck', f],
    ['train', '--task', 'copy', '--iterations', '1'],
  ]) {
    for (const s of ['4294967296', '-1', '1.5'])
      refused(
        [...cmd, '--seed', s],
        /option '--seed <n>' argument '.*' is invalid\. expected an integer in 0\.\.4294967295/,
      );
  }
  const zero = run([
    'train',
    '--task',
    'copy',
    '--iterations',
    '2',
    '--seed',
    '0',
    '--no-progress',
    '--sample-every',
    '0',
    '--json',
  ]);
  assert.equal(zero.code, 0, zero.err);
  refused(
    ['train', '--iterations', '1e20'],
    /--iterations <n>' argument '1e20' is invalid\. expected an integer ≥ 1 \(at most 2\^53 − 1\)/,
  );
});

test('bench: unknown sizes or engines and a bad --seconds: one line, exit 2 (bpttlab bench and bench/run.mjs)', () => {
  refused(
    ['bench', '--sizes', 'X'],
    /option '--sizes <list>' argument 'X' is invalid\. unknown "X"; expected a comma-separated list of S1, S2, S3, S4/,
  );
  refused(
    ['bench', '--engines', 'bpttlab,X'],
    /option '--engines <list>' argument 'bpttlab,X' is invalid\. unknown "X"/,
  );
  for (const s of ['-1', 'NaN', '0', '', '601'])
    refused(
      ['bench', '--seconds', s],
      /option '--seconds <s>' argument '.*' is invalid\. expected (a positive number|at most 600 seconds)/,
    );
  const bench = join(__dirname, '..', 'bench', 'run.mjs');
  const direct = (args: string[]) => spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8' });
  for (const [args, message] of [
    [['--sizes', 'X'], /^\[bench\] --sizes: unknown "X"/],
    [['--engines', 'X'], /^\[bench\] --engines: unknown "X"/],
    [['--seconds', '-1'], /^\[bench\] --seconds must be a number in \(0, 600\], got "-1"/],
    [['--seconds', 'NaN'], /^\[bench\] --seconds must be a number/],
    [['--sizes'], /^\[bench\] --sizes needs a value/],
    [['--frob'], /^\[bench\] unknown argument "--frob"/],
  ] as [string[], RegExp][]) {
    const r = direct(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
  // every size and engine the command line accepts, the benchmark accepts too
  const all = direct([
    '--dry-run',
    '--sizes',
    'S1,S2,S3,S4,tiny,tiny-x,tiny-batch,tiny-batch-x',
    '--engines',
    'bpttlab,bpttlab-js,c,numpy,torch,tfjs',
    '--seconds',
    '600',
  ]);
  assert.equal(all.status, 0, all.stderr);
});

test('only regular files are read, and only up to their limit: /dev/zero, /dev/urandom, a FIFO, a huge file', () => {
  const zero = join(dir, 'zero.json');
  symlinkSync('/dev/zero', zero);
  const random = join(dir, 'random.txt');
  symlinkSync('/dev/urandom', random);
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, '');
  truncateSync(huge, 100 * 1024 * 1024); // sparse: 100 MiB that take no disk
  refused(
    ['grad', zero],
    new RegExp(
      String.raw`cannot read case file .*zero\.json: it is a device ` +
        String.raw`\(like \/dev\/zero or \/dev\/urandom\), not a regular file ` +
        String.raw`\(use - to read a case from standard input\)`,
    ),
  );
  refused(['train', '--data', random], /cannot read text file .*random\.txt: it is a device/);
  refused(
    ['train', '--resume', '--checkpoint', huge],
    /cannot read checkpoint .*huge\.json: it is 100\.0 MiB, more than the 512\.0 MiB|checkpoint .*not valid JSON/,
  );
  refused(
    ['gradcheck', huge],
    /cannot read case file .*huge\.json: it is 100\.0 MiB, more than the 64\.0 MiB a case file may be/,
  );
  const fifo = join(dir, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    refused(['grad', fifo], /cannot read case file .*fifo: it is a named pipe \(FIFO\), not a regular file/);
    refused(['train', '--data', fifo], /cannot read text file .*fifo: it is a named pipe \(FIFO\)/);
  }
  const devZero = openSync('/dev/zero', 'r');
  try {
    refused(
      ['grad', '-'],
      /cannot read case file from standard input: it has more than the 64\.0 MiB a case file may be/,
      devZero,
    );
  } finally {
    closeSync(devZero);
  }
});

test('a case too large for memory, or for the slow reference engine, is refused with the figure', () => {
  const T = 8_000_000;
  const c: CaseJson = {
    loss: 'softmax-ce',
    params: { U: [[1]], W: [[0.5]], V: Array.from({ length: 100 }, () => [1]), b: [0], c: new Array(100).fill(0) },
    tokens: new Array(T).fill(0),
    y: new Array(T).fill(0),
  };
  assert.throws(
    () => checkCaseSize(c, 'fast'),
    new RegExp(
      String.raw`this case \(τ = 8000000, D = 1, n_h = 1, K = 100\) needs ` +
        String.raw`(about [\d.]+ GiB of memory|a [\d.]+ GiB workspace for one pass, ` +
        String.raw`more than the 4\.0 GiB the engine can address)`,
    ),
  );
  // n_h = 100, τ = 2000: τ·(n_h² + n_h·D + K·n_h) = 2000 · (10000 + 200 + 300) = 2.1e7, past the reference's 2e7
  const H = 100;
  const rows = (n: number, m: number) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => ((i * 7 + j * 3) % 11) / 110 - 0.05));
  const wide = {
    loss: 'softmax-ce',
    params: { U: rows(H, 2), W: rows(H, H), V: rows(3, H), b: new Array(H).fill(0), c: [0, 0, 0] },
    tokens: new Array(2000).fill(1),
    y: new Array(2000).fill(0),
  };
  refused(
    ['grad', caseFile('wide.json', wide), '--engine', 'reference'],
    new RegExp(
      String.raw`^bpttlab: the reference engine \(mathjs, slow on purpose\) ` +
        String.raw`is limited to τ·\(n_h² \+ n_h·D \+ K·n_h\) ≤ 2e\+7 \(about 30 s\); ` +
        String.raw`this case has 2\.1e\+7 \(about 32 s\): use --engine fast$`,
      'm',
    ),
  );
  assert.equal(run(['grad', caseFile('wide.json', wide)]).code, 0, 'the fast engine takes it');
});

test('output to a closed pipe ends quietly (exit 0); a full disk is one line and exit 2', async () => {
  const big = caseFile('big.json', { ...good, tokens: new Array(20000).fill(1), y: new Array(20000).fill(0) });
  const child = spawn(process.execPath, [cli, 'grad', big], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  child.stdout.destroy(); // `| head -c 0`: nobody reads
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, err);
  assert.equal(err, '');
  const full = openSync('/dev/full', 'w');
  try {
    for (const args of [
      ['grad', big],
      ['gradcheck', caseFile('good.json', good)],
    ]) {
      const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, 'bpttlab: cannot write the output: no space left on the disk\n');
    }
  } finally {
    closeSync(full);
  }
});
