import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression, parseSid, type Entry, type SidFile } from '../../grammar/index.js';
import { at, problemsAt } from './util.js';

const entryNames = (f: SidFile, i = 0): string[] => {
  const r = f.items[i]!;
  assert.ok(r.kind === 'Recipe');
  return r.body.entries.map((e: Entry) => (e.kind === 'Assign' ? e.path.segments.map((s) => s.name).join('.') : e.name.name));
};

test('three independent errors: three problems in source order, at the right places; the valid entries survive', () => {
  const src = [
    'recipe r {', //                      0
    '  lr = ', //                          1: missing value (the next line starts an entry)
    '  eps = 1e-4', //                     2
    '  teacher flux extra { a = 1 }', //   3: a stray word before '{'
    '  batch = 256', //                    4
    '  optimizer { beta 0.9; b2 = 3 }', // 5: missing '='
    '  length = 1M images', //             6
    '}',
  ].join('\n');
  const r = parseSid(src, 'three.sid');
  assert.deepEqual(problemsAt(r.problems), ['1:6 unexpected_token', '3:15 missing_token', '5:19 unexpected_token']);
  assert.deepEqual(
    r.problems.map((p) => p.found),
    ['eps', 'extra', '0.9'],
  );
  assert.deepEqual(r.problems[1]!.expected, ["'{'"]);
  assert.match(r.problems[0]!.message, /expected an expression/);
  assert.match(r.problems[2]!.message, /expected '=' \(a setting\)/);
  assert.equal(at(r.problems[0]!.loc.range), '1:6-1:6'); // right after '=', where the value goes
  assert.equal(at(r.problems[1]!.loc.range), '3:15-3:20');
  assert.deepEqual(entryNames(r.file), ['eps', 'batch', 'optimizer', 'length']);
  const opt = (r.file.items[0] as { body: { entries: Entry[] } }).body.entries[2]!;
  assert.ok(opt.kind === 'Section');
  assert.deepEqual(
    opt.body.entries.map((e) => e.kind === 'Assign' && e.path.segments[0]!.name),
    ['b2'],
  );
});

test('errors in different recipes and sweeps are all reported; later items still parse', () => {
  const src = 'recipe a { x = (1, ; y = 2 }\nrecipe b { z = [1 2] }\nsweep s over a { t in (0, 1); u in [1] }\nrecipe c { ok = 1 }';
  const r = parseSid(src, 'many.sid');
  assert.deepEqual(problemsAt(r.problems), ['0:19 unexpected_token', '1:18 missing_token', '2:22 missing_token']);
  assert.deepEqual(
    r.file.items.map((i) => i.kind),
    ['Recipe', 'Recipe', 'Sweep', 'Recipe'],
  );
  assert.deepEqual(entryNames(r.file, 0), ['y']);
  const sweep = r.file.items[2]!;
  assert.ok(sweep.kind === 'Sweep');
  assert.deepEqual(
    sweep.items.map((i) => i.kind === 'Axis' && i.path.segments[0]!.name),
    ['u'],
  );
  assert.deepEqual(entryNames(r.file, 3), ['ok']);
});

test('a missing closing brace: one problem at the end, the recipe is kept', () => {
  const r = parseSid('recipe a {\n  teacher flux {\n    config = "x"\n  lr = 1\n', 'eof.sid');
  assert.deepEqual(problemsAt(r.problems), ['3:8 unexpected_eof']);
  assert.match(r.problems[0]!.message, /expected '}'/);
  assert.deepEqual(entryNames(r.file), ['teacher']);
});

test('a missing brace before the next recipe: the next recipe still parses', () => {
  const r = parseSid('recipe a {\n  lr = 1\n\nrecipe b { x = 2 }', 'next.sid');
  assert.deepEqual(problemsAt(r.problems), ['1:8 missing_token']);
  assert.deepEqual(
    r.file.items.map((i) => i.kind === 'Recipe' && i.name.name),
    ['a', 'b'],
  );
  assert.deepEqual(entryNames(r.file, 0), ['lr']);
});

test('junk between entries and at top level is reported once and skipped', () => {
  const r = parseSid('} recipe a {\n  = 3\n  b = 1\n  ) ] c = 2\n}\nnonsense here\nrecipe z {}', 'junk.sid');
  assert.deepEqual(problemsAt(r.problems), ['0:0 unexpected_token', '1:2 unexpected_token', '3:2 unexpected_token', '5:0 unexpected_token']);
  assert.deepEqual(entryNames(r.file), ['b']);
  assert.deepEqual(
    r.file.items.map((i) => i.kind === 'Recipe' && i.name.name),
    ['a', 'z'],
  );
});

test('dotted section and function names are reported without losing the entry', () => {
  const r = parseSid('recipe a { loss.w(t) = 1 - t; data.x { y = 1 } }', 'dot.sid');
  assert.deepEqual(problemsAt(r.problems), ['0:16 unexpected_token', '0:35 unexpected_token']);
  assert.deepEqual(entryNames(r.file), ['loss', 'data']);
});

test('an unterminated block comment does not add a missing-brace problem', () => {
  const r = parseSid('recipe a {\n  x = 1 /* never closed\n}', 'c.sid');
  assert.deepEqual(problemsAt(r.problems), ['1:8 unterminated_comment']);
  assert.deepEqual(entryNames(r.file), ['x']);
});

test('parseExpression: values for --set, with problems for trailing input and errors', () => {
  const a = parseExpression('(0, 1/3)', '--set');
  assert.equal(a.expr?.kind, 'Tuple');
  assert.deepEqual(a.problems, []);
  const b = parseExpression('1e-5 extra', '--set');
  assert.equal(b.expr?.kind, 'Number');
  assert.deepEqual(problemsAt(b.problems), ['0:5 unexpected_token']);
  const c = parseExpression('(0, ', '--set');
  assert.equal(c.expr, undefined);
  assert.deepEqual(problemsAt(c.problems), ['0:3 unexpected_eof']);
  const d = parseExpression('', '--set');
  assert.equal(d.expr, undefined);
  assert.equal(d.problems.length, 1);
  const e = parseExpression('uniform on 3', '--set');
  assert.equal(e.problems.length, 1);
});

test('never throws on arbitrary input', () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [
    'recipe',
    'sweep',
    'import',
    'stage',
    'after',
    'a',
    'b',
    '=',
    '.',
    '{',
    '}',
    '(',
    ')',
    '[',
    ']',
    ',',
    ';',
    '1',
    '2k',
    '"s"',
    'on',
    'in',
    'x',
    'px',
    '-',
    '^',
    '\n',
    '//c\n',
    '/*',
    '*/',
    '"',
    '#',
    'grid',
    'zip',
    '1e',
  ];
  for (let i = 0; i < 300; i++) {
    const text = Array.from({ length: 1 + rand(40) }, () => pieces[rand(pieces.length)]).join(' ');
    const r = parseSid(text, 'fuzz.sid');
    for (let k = 1; k < r.problems.length; k++) {
      assert.ok(r.problems[k - 1]!.loc.range.start.offset <= r.problems[k]!.loc.range.start.offset, `problems out of order for ${JSON.stringify(text)}`);
    }
    parseExpression(text, 'fuzz');
  }
});

test('missing header names: one problem each, an empty name, and the block is still read', () => {
  const r = parseSid('recipe {\n  a = 1\n}\nrecipe b extends {\n  c = 2\n}\nsweep s over {\n  d in [1]\n}\nrecipe e { stage adv after { f = 3 } }', 'h.sid');
  assert.deepEqual(problemsAt(r.problems), ['0:7 missing_token', '3:17 missing_token', '6:13 missing_token', '9:27 missing_token']);
  assert.deepEqual(
    r.file.items.map((i) => i.kind),
    ['Recipe', 'Recipe', 'Sweep', 'Recipe'],
  );
  const [a, b, s, e] = r.file.items;
  assert.ok(a!.kind === 'Recipe' && b!.kind === 'Recipe' && s!.kind === 'Sweep' && e!.kind === 'Recipe');
  assert.equal(a.name.name, '');
  assert.equal(at(a.name.loc.range), '0:7-0:7');
  assert.deepEqual(entryNames(r.file, 0), ['a']);
  assert.equal(b.extends?.name, '');
  assert.deepEqual(entryNames(r.file, 1), ['c']);
  assert.equal(s.over.name, '');
  assert.equal(s.items.length, 1);
  const stage = e.body.entries[0]!;
  assert.ok(stage.kind === 'Stage' && stage.after.length === 0 && stage.body.entries.length === 1);
});

test('a dangling dot at the end of a line does not swallow the next entry', () => {
  const r = parseSid('recipe a {\n  optimizer.\n  b = 1\n  c.d = 2\n}', 'dot.sid');
  assert.deepEqual(problemsAt(r.problems), ['1:12 missing_token']);
  assert.deepEqual(entryNames(r.file), ['b', 'c.d']);
});
