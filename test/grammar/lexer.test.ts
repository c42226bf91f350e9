import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, parseSid } from '../../grammar/index.js';
import { numberValue, quoteString, unescapeString } from '../../grammar/literals.js';
import { at, problemsAt } from './util.js';

const kinds = (text: string) => tokenize(text).map((t) => `${t.kind}:${t.image}`);

test('tokens: keywords, names, numbers, units, operators, comments, in source order with ranges', () => {
  const toks = tokenize('recipe a { lr = 1e-5 // c\n  n = 8 x gpu(80 GB) }');
  assert.deepEqual(
    toks.map((t) => `${t.kind}:${t.image}`),
    [
      'keyword:recipe',
      'name:a',
      'punctuation:{',
      'name:lr',
      'operator:=',
      'number:1e-5',
      'comment:// c',
      'name:n',
      'operator:=',
      'number:8',
      'operator:x',
      'name:gpu',
      'punctuation:(',
      'number:80',
      'unit:GB',
      'punctuation:)',
      'punctuation:}',
    ],
  );
  assert.equal(at(toks[5]!.range), '0:16-0:20');
  assert.equal(at(toks[7]!.range), '1:2-1:3');
});

test('contextual keywords and longer names', () => {
  assert.deepEqual(kinds('index images2 x_scale on one'), ['name:index', 'name:images2', 'name:x_scale', 'keyword:on', 'name:one']);
  assert.deepEqual(
    kinds('px GB GiB MB images steps TFLOPS').map((k) => k.split(':')[0]),
    Array(7).fill('unit'),
  );
});

test('number values: suffixes and exponents', () => {
  assert.equal(numberValue('10k'), 10000);
  assert.equal(numberValue('1M'), 1_000_000);
  assert.equal(numberValue('2.5k'), 2500);
  assert.equal(numberValue('1.1k'), 1100); // exact, not 1100.0000000000002
  assert.equal(numberValue('1e-5'), 1e-5);
  assert.equal(numberValue('2.5E+3'), 2500);
  assert.equal(numberValue('0.999'), 0.999);
});

test('strings: escapes round-trip through quoteString', () => {
  const bad: string[] = [];
  assert.equal(
    unescapeString('a\\"b\\\\c\\n\\t\\u{e9}\\u00e9', (_o, s) => bad.push(s)),
    'a"b\\c\n\té\u00e9',
  );
  assert.deepEqual(bad, []);
  for (const s of ['plain', 'with "quotes"', 'back\\slash', 'tab\tnew\nline', 'bell\u0007', 'café']) {
    assert.equal(
      unescapeString(quoteString(s).slice(1, -1), () => assert.fail('bad escape')),
      s,
    );
  }
});

test('lexical problems: invalid character, numbers, unterminated string and comment', () => {
  const r = parseSid('recipe a {\n  x = 3kk\n  y = 1e\n  z = "ab\n  w = #1\n  v = "a\\qb"\n}\n/* open', 'l.sid');
  assert.deepEqual(problemsAt(r.problems), [
    '1:6 invalid_number',
    '2:6 invalid_number',
    '3:6 unterminated_string',
    '4:6 invalid_character',
    '5:8 invalid_character',
    '7:0 unterminated_comment',
  ]);
  assert.equal(at(r.problems[0]!.loc.range), '1:6-1:9');
  assert.equal(r.problems[0]!.found, '3kk');
  assert.match(r.problems[1]!.message, /exponent needs digits/);
  assert.match(r.problems[4]!.message, /unknown escape '\\q'/);
  // Every entry survived: the lexer hands the parser usable tokens.
  const recipe = r.file.items[0]!;
  assert.equal(recipe.kind, 'Recipe');
  if (recipe.kind === 'Recipe') assert.equal(recipe.body.entries.length, 5);
});

test('a unit or x glued to a number: one problem, and the meant tokens', () => {
  const r = parseSid('recipe a { r = 512px; d = 8x gpu(80GB) }', 'g.sid');
  assert.deepEqual(problemsAt(r.problems), ['0:15 invalid_number', '0:26 invalid_number', '0:33 invalid_number']);
  assert.match(r.problems[0]!.message, /512 px/);
  const recipe = r.file.items[0]!;
  assert.ok(recipe.kind === 'Recipe');
  const d = recipe.body.entries[1]!;
  assert.ok(d.kind === 'Assign' && d.value.kind === 'Binary' && d.value.op === 'x');
});
