import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { formatSid, parseExpression, parseSid, printExpression, printSid } from '../../grammar/index.js';
import { repoPath } from '../helpers/paths.js';
import { shape } from './util.js';

const fixtures = repoPath('test', 'grammar', 'fixtures');
const samples = readdirSync(fixtures)
  .filter((f) => f.endsWith('.sid'))
  .sort();

test('fixtures exist and parse without problems', () => {
  assert.ok(samples.length >= 5);
  for (const f of samples) assert.deepEqual(parseSid(readFileSync(`${fixtures}/${f}`, 'utf8'), f).problems, [], f);
});

for (const f of samples) {
  test(`fmt ${f}: idempotent, same tree, every comment kept in order`, () => {
    const src = readFileSync(`${fixtures}/${f}`, 'utf8');
    const once = formatSid(src, f);
    assert.deepEqual(once.problems, []);
    const twice = formatSid(once.text, f);
    assert.equal(twice.text, once.text, 'fmt(fmt(x)) == fmt(x)');
    const a = parseSid(src, f).file;
    const b = parseSid(once.text, f).file;
    assert.deepEqual(shape(b), shape(a));
    assert.deepEqual(
      b.comments.map((c) => c.text),
      a.comments.map((c) => c.text),
    );
  });
}

test('canonical rules: indentation, one entry per line, no ;, spacing, fractions, empty sections', () => {
  const src = 'import "a.sid";import "b.sid"\nrecipe r extends b{x=1;y=( 1-t )^2*3 ;z=[1,2 ,3];f=g(1,2 x h(3 GB)) on(1/3,2/3)\nprecision bf16{}s="q\\"\\n"}';
  assert.equal(
    formatSid(src, 'c.sid').text,
    [
      'import "a.sid"',
      'import "b.sid"',
      '',
      'recipe r extends b {',
      '  x = 1',
      '  y = (1 - t)^2 * 3',
      '  z = [1, 2, 3]',
      '  f = g(1, 2 x h(3 GB)) on (1/3, 2/3)',
      '  precision bf16 {}',
      '  s = "q\\"\\n"',
      '}',
      '',
    ].join('\n'),
  );
});

test('comment placement: trailing stays trailing, own-line stays own-line, blank lines kept once', () => {
  const src = 'recipe r { // open\n  a = 1 // a\n\n\n  // before b\n  b = 2 /* b */\n  c = 1 + // moved\n    2\n  // last\n} // closed\n// eof\n';
  assert.equal(
    formatSid(src, 'c.sid').text,
    'recipe r { // open\n  a = 1 // a\n\n  // before b\n  b = 2 /* b */\n  c = 1 + 2 // moved\n  // last\n} // closed\n// eof\n',
  );
});

test('multi-line lists stay multi-line with one element per line and a trailing comma', () => {
  const src = 'sweep s over r {\n  t in [\n    (0, 1/3), // early\n    (1/3, 1)\n  ]\n  u in [1,\n 2]\n}\n';
  assert.equal(formatSid(src, 's.sid').text, 'sweep s over r {\n  t in [\n    (0, 1/3), // early\n    (1/3, 1),\n  ]\n  u in [1, 2]\n}\n');
});

test('with syntax errors fmt returns the input unchanged and the problems', () => {
  const src = 'recipe r { a = }';
  const r = formatSid(src, 'e.sid');
  assert.equal(r.text, src);
  assert.equal(r.problems.length, 1);
});

test('printSid on an empty file is empty', () => {
  assert.equal(printSid(parseSid('', 'e').file, ''), '');
  assert.equal(printSid(parseSid('  \n // only\n', 'e').file, ''), '// only\n');
});

test('printExpression: canonical text of one value', () => {
  for (const [src, want] of [
    ['8x  gpu( 80 GB )', '8 x gpu(80 GB)'],
    ['( 0,1/3 )', '(0, 1/3)'],
    ['logit_normal(ln(2),1.6)on(0,1)', 'logit_normal(ln(2), 1.6) on (0, 1)'],
    ['-(1-t)^2', '-(1 - t)^2'],
    ['"a\\tb"', '"a\\tb"'],
  ] as const) {
    const e = parseExpression(src, 'e').expr!;
    assert.equal(printExpression(e), want);
  }
});

test('block comments next to keywords and operators stay on their side', () => {
  const src = readFileSync(`${fixtures}/comments-inline.sid`, 'utf8');
  const out = formatSid(src, 'c.sid').text;
  for (const line of [
    'recipe a /* c1 */ extends /* c2 */ b {',
    '  x /* c3 */ = /* c4 */ 1 /* c5 */ + 2',
    '  w /* c6 */(t /* c7 */) /* c8 */ = t /* c9 */ ^ 2',
    '  d = uniform /* c10 */ on (0 /* c11 */, 1)',
    '  stage s /* c12 */ after a /* c13 */, b {}',
    '  h = 1 /* c15 */ / 3',
    'sweep s /* c16 */ over r /* c17 */ {',
    '  grid /* c19 */ {',
  ]) {
    assert.ok(out.split('\n').includes(line), `missing line ${JSON.stringify(line)} in\n${out}`);
  }
});
