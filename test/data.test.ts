// The shipped corpus, text loading and encoding, and the synthetic tasks.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { forward } from '../src/model/engine';
import { initParams } from '../src/model/params';
import { rng } from '../src/model/rng';
import { fromRows, type Mat } from '../src/model/tensor';
import { addingTask, copyTask, isCorrect, makeTask, REBER_ALPHABET, reberTask, sineTask } from '../src/train/tasks';
import {
  buildVocab,
  corpusFromText,
  DEFAULT_CORPUS,
  decode,
  encode,
  loadCorpus,
  readText,
  vocabFromChars,
} from '../src/train/text';

const dir = mkdtempSync(join(tmpdir(), 'bpttlab-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the shipped corpus loads: Genesis, 60 characters, 90/10 split, and its README names source and licence', () => {
  const c = loadCorpus();
  assert.equal(c.vocab.size, 60);
  assert.ok(c.tokens.length > 150_000 && c.tokens.length < 210_000, `${c.tokens.length} characters`);
  assert.ok(c.text.startsWith('In the beginning God created the heaven and the earth.\n'));
  assert.equal(c.train.length + c.valid.length, c.tokens.length);
  assert.equal(c.valid.length, Math.round(c.tokens.length * 0.1));
  assert.equal(decode(c.tokens.subarray(0, 16), c.vocab), 'In the beginning');
  const readme = readFileSync(join(DEFAULT_CORPUS, '..', 'README.md'), 'utf8');
  assert.match(readme, /genesis\.txt/);
  assert.match(readme, /bible-kjv-text/);
  assert.match(readme, /public domain/i);
});

test('vocabulary: sorted distinct code points; encode/decode round trip, also beyond the BMP', () => {
  const v = buildVocab('banana 🍌!');
  assert.deepEqual(v.chars, [' ', '!', 'a', 'b', 'n', '🍌']);
  const t = encode('nab 🍌', v);
  assert.deepEqual(Array.from(t), [4, 2, 3, 0, 5]);
  assert.equal(decode(t, v), 'nab 🍌');
  assert.throws(() => vocabFromChars(['a', 'a']), /"a" \(U\+0061\) twice/);
  assert.throws(() => vocabFromChars(['ab']), /must be a single character/);
  assert.throws(() => decode([9], v), /token 9 at position 0 is not in the vocabulary/);
});

test('an unknown character is named with its code point, line, column and offset', () => {
  const v = buildVocab('abc\n');
  assert.throws(
    () => encode('abc\nab\u00e9c', v, 'notes.txt'),
    (e: Error) => {
      assert.equal(e.name, 'BpttError');
      assert.match(
        e.message,
        /unknown character "é" \(U\+00E9\) at line 2, column 3 \(offset 6, counting from 0\) of notes\.txt/,
      );
      return true;
    },
  );
  assert.throws(() => corpusFromText('abcz', 'x.txt', { vocab: v }), /"z" \(U\+007A\) at line 1, column 4/);
});

test('readText: missing, directory, empty, one-character and non-UTF-8 files: clear errors; a BOM is dropped', () => {
  assert.throws(() => readText(join(dir, 'nope.txt')), /cannot read text file .*nope\.txt: no such file/);
  assert.throws(() => readText(dir), /it is a directory/);
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '');
  assert.throws(() => readText(empty), /is empty/);
  const one = join(dir, 'one.txt');
  writeFileSync(one, 'x');
  assert.throws(() => readText(one), /has 1 character\(s\)/);
  const latin1 = join(dir, 'latin1.txt');
  writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.throws(() => readText(latin1), /not valid UTF-8/);
  const bom = join(dir, 'bom.txt');
  writeFileSync(bom, '\ufeffhello');
  assert.equal(readText(bom), 'hello');
  assert.throws(() => loadCorpus(join(dir, 'nope.txt')), /no such file/);
});

/**
 * The same seed gives the same examples; another seed gives others (five draws, so a small task space cannot collide).
 */
const sameExample = (task: ReturnType<typeof makeTask>, seed: number): void => {
  const draws = (s: number): unknown[] => {
    const r = rng(s);
    return Array.from({ length: 5 }, () => task.sample(r));
  };
  assert.deepEqual(draws(seed), draws(seed));
  assert.notDeepEqual(draws(seed), draws(seed + 1));
};

test('adding problem: two markers (one per half), the target is their sum, scored at the last step only', () => {
  const task = addingTask(12);
  sameExample(task, 1);
  for (let s = 0; s < 20; s++) {
    const ex = task.sample(rng(s));
    const x = (ex.xs as { x: Mat }).x;
    assert.equal(x.rows, 12);
    const marked = [...Array(12).keys()].filter((t) => x.data[2 * t + 1] === 1);
    assert.equal(marked.length, 2);
    assert.ok(marked[0] < 6 && marked[1] >= 6);
    const ys = ex.ys as (number[] | null)[];
    assert.deepEqual(ys.slice(0, 11), new Array(11).fill(null));
    assert.equal((ys[11] as number[])[0], x.data[2 * marked[0]] + x.data[2 * marked[1]]);
    assert.deepEqual(ex.keySteps, [11]);
  }
});

test('copy task: the symbol(s) come back `lag` steps later, after the delimiter; only the recall is scored', () => {
  const task = copyTask(5, 2, 3);
  assert.equal(task.inputSize, 5);
  assert.equal(task.outputSize, 3);
  sameExample(task, 2);
  const ex = task.sample(rng(3));
  const tok = Array.from((ex.xs as { tokens: Int32Array }).tokens);
  assert.equal(tok.length, 7);
  assert.deepEqual(tok.slice(2, 5), [3, 3, 3], 'blanks while waiting');
  assert.equal(tok[5], 4, 'the delimiter');
  assert.deepEqual(ex.ys, [null, null, null, null, null, tok[0], tok[1]]);
  assert.deepEqual(ex.keySteps, [5, 6]);
  const noisy = copyTask(6, 1, 4, true).sample(rng(1));
  const nt = Array.from((noisy.xs as { tokens: Int32Array }).tokens);
  assert.ok(
    nt.slice(1, 6).every((s) => s >= 0 && s < 4),
    'the wait is filled with symbols',
  );
  assert.throws(() => copyTask(1, 2), /lag \(must be ≥ S = 2/);
});

// An independent recogniser of the embedded Reber grammar, written as a regular expression.
const R3 = 'T*V(PXT*V)*(V|PS)'; // from the state reached after P
const REBER = `B(TS*X(S|X${R3})|P${R3})E`;
const EMBEDDED = new RegExp(`^B(T|P)${REBER}\\1E$`);

test('embedded Reber grammar: every string is in the language; the key step predicts the repeated T/P', () => {
  const task = reberTask();
  sameExample(task, 4);
  const r = rng(5);
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const ex = task.sample(r);
    const toks = Array.from((ex.xs as { tokens: Int32Array }).tokens);
    const ys = ex.ys as number[];
    const s = [...toks, ys[ys.length - 1]].map((k) => REBER_ALPHABET[k]).join('');
    assert.match(s, EMBEDDED);
    assert.deepEqual(ys.slice(0, -1), toks.slice(1), 'targets are the next symbols');
    assert.equal(REBER_ALPHABET[ys[ex.keySteps[0]]], s[1], 'the key target is the 2nd symbol again');
    seen.add(s[1]);
  }
  assert.deepEqual([...seen].sort(), ['P', 'T']);
  assert.doesNotMatch('BTBTXSEPE', EMBEDDED, 'the regex rejects a mismatched T/P');
});

test('sine task: predict the next value, unscored during warm-up', () => {
  const task = sineTask(3, 10);
  sameExample(task, 6);
  const ex = task.sample(rng(7));
  const x = (ex.xs as { x: Mat }).x;
  const ys = ex.ys as (number[] | null)[];
  assert.deepEqual(ys.slice(0, 3), [null, null, null]);
  for (let t = 3; t < 9; t++) assert.ok(Math.abs((ys[t] as number[])[0] - x.data[t + 1]) < 1e-12);
  assert.throws(() => sineTask(10, 10), /warm-up 10 must be < length 10/);
});

test('every task runs through the engine with its sizes and loss; isCorrect uses argmax or the tolerance', () => {
  for (const name of ['adding', 'copy', 'reber', 'sine']) {
    const task = makeTask(name);
    const p = initParams({ inputSize: task.inputSize, hiddenSize: 4, outputSize: task.outputSize });
    const ex = task.sample(rng(1));
    const fw = forward(p, ex.xs, ex.ys, { loss: task.loss });
    assert.ok(Number.isFinite(fw.loss) && fw.loss > 0, name);
  }
  const yhat: Mat = fromRows([
    [0.1, 0.7, 0.2],
    [0.5, 0.2, 0.3],
  ]);
  assert.equal(isCorrect('softmax-ce', yhat, 0, 1, 0), true);
  assert.equal(isCorrect('softmax-ce', yhat, 1, 2, 0), false);
  const o = fromRows([[1.03], [1.05]]);
  assert.equal(isCorrect('squared', o, 0, [1], 0.04), true);
  assert.equal(isCorrect('squared', o, 1, [1], 0.04), false);
});
