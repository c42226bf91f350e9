import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileWriteError, appendLine, writeFileAtomic, writeFileAtomicWith, writeJsonAtomic } from '../../../runtime/formats/atomic.js';
import { scratchDir } from './tmp.js';

test('writeFileAtomic creates parent directories and writes strings and bytes', () => {
  const d = scratchDir('atomic');
  const p = join(d, 'a', 'b', 'c.txt');
  writeFileAtomic(p, 'héllo');
  assert.equal(readFileSync(p, 'utf8'), 'héllo');
  writeFileAtomic(p, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
  assert.deepEqual(readdirSync(join(d, 'a', 'b')), ['c.txt'], 'no temp file left behind');
});

test('a failing writer leaves the old file untouched and no temp file', () => {
  const d = scratchDir('atomic');
  const p = join(d, 'keep.txt');
  writeFileSync(p, 'old');
  assert.throws(
    () =>
      writeFileAtomicWith(p, () => {
        throw new Error('disk full');
      }),
    /disk full/,
  );
  assert.equal(readFileSync(p, 'utf8'), 'old');
  assert.deepEqual(readdirSync(d), ['keep.txt']);
});

test('writeJsonAtomic round-trips and ends with a newline', () => {
  const d = scratchDir('atomic');
  const p = join(d, 'x.json');
  writeJsonAtomic(p, { a: [1, 2], b: 'c' });
  const text = readFileSync(p, 'utf8');
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), { a: [1, 2], b: 'c' });
});

test('appendLine appends whole lines, adding the newline once', () => {
  const d = scratchDir('atomic');
  const p = join(d, 'm', 'metrics.jsonl');
  appendLine(p, JSON.stringify({ step: 1 }));
  appendLine(p, JSON.stringify({ step: 2 }) + '\n');
  assert.equal(readFileSync(p, 'utf8'), '{"step":1}\n{"step":2}\n');
});

test('file-system failures become FileWriteError naming the path; writer bugs pass through', () => {
  const d = scratchDir('atomic');
  writeFileSync(join(d, 'file'), 'x');
  const under = join(d, 'file', 'sub', 'y.json');
  assert.throws(
    () => writeJsonAtomic(under, {}),
    (e: unknown) => e instanceof FileWriteError && e.message === `${under}: cannot write: a parent path is a file, not a directory`,
  );
  assert.throws(() => appendLine(under, 'z'), FileWriteError);
  assert.throws(
    () => writeFileAtomic(d, 'x'),
    (e: unknown) => e instanceof FileWriteError && /a directory is in the way|cannot write/.test(e.message),
  );
  assert.throws(
    () =>
      writeFileAtomicWith(join(d, 'ok'), () => {
        throw new TypeError('bug');
      }),
    TypeError,
  );
  assert.deepEqual(readdirSync(d).sort(), ['file'], 'no temp files left');
});
