import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression, parseSid, type Expr } from '../../grammar/index.js';
import { at, ok, shape, valueOf } from './util.js';

const expr = (text: string): Expr => {
  const r = parseExpression(text, 'e');
  assert.deepEqual(r.problems, [], text);
  return r.expr!;
};
/** A compact rendering of an expression tree: kinds and operators, fully parenthesised. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return `${e.value}`;
    case 'String':
      return JSON.stringify(e.value);
    case 'Bool':
      return `${e.value}`;
    case 'IdentExpr':
      return e.name;
    case 'Call':
      return `${e.callee.name}(${e.args.map(show).join(', ')})`;
    case 'Tuple':
      return `tuple(${e.elements.map(show).join(', ')})`;
    case 'List':
      return `[${e.elements.map(show).join(', ')}]`;
    case 'Binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Unary':
      return `(-${show(e.operand)})`;
    case 'UnitExpr':
      return `unit(${show(e.value)} ${e.unit})`;
    case 'Restrict':
      return `restrict(${show(e.value)} on ${show(e.interval)})`;
    case 'Paren':
      return `paren(${show(e.inner)})`;
  }
}

test('expressions: precedence and associativity', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['2^3^2', '(2 ^ (3 ^ 2))'],
    ['-2^2', '(-(2 ^ 2))'],
    ['2^-1', '(2 ^ (-1))'],
    ['2 * -3', '(2 * (-3))'],
    ['1 - t', '(1 - t)'],
    ['(1 - t)^2 * 0.5', '((paren((1 - t)) ^ 2) * 0.5)'],
    ['8 x gpu(80 GB)', '(8 x gpu(unit(80 GB)))'],
    ['8 x gpu(80 GB, 989 TFLOPS)', '(8 x gpu(unit(80 GB), unit(989 TFLOPS)))'],
    ['1M images', 'unit(1000000 images)'],
    ['10k images', 'unit(10000 images)'],
    ['2.5k', '2500'],
    ['-5 px', '(-unit(5 px))'],
    ['ln(2)', 'ln(2)'],
    ['logit_normal(ln(2), 1.6)', 'logit_normal(ln(2), 1.6)'],
    ['uniform on (1/3, 2/3)', 'restrict(uniform on tuple((1 / 3), (2 / 3)))'],
    ['logit_normal(0, 1) on (0, 1)', 'restrict(logit_normal(0, 1) on tuple(0, 1))'],
    ['(0, 1/3)', 'tuple(0, (1 / 3))'],
    ['(1)', 'paren(1)'],
    ['[1, 2,]', '[1, 2]'],
    ['[]', '[]'],
    ['fresh()', 'fresh()'],
    ['"a\\"b"', '"a\\"b"'],
    ['true', 'true'],
    ['[amp, bf16]', '[amp, bf16]'],
    ['1e-5', '0.00001'],
  ];
  for (const [src, want] of cases) assert.equal(show(expr(src)), want, src);
});

test('expression ranges: every node spans its characters', () => {
  const e = expr('8 x gpu(80 GB)');
  assert.ok(e.kind === 'Binary');
  assert.equal(at(e.loc.range), '0:0-0:14');
  assert.equal(at(e.left.loc.range), '0:0-0:1');
  assert.ok(e.right.kind === 'Call');
  assert.equal(at(e.right.loc.range), '0:4-0:14');
  assert.equal(at(e.right.callee.loc.range), '0:4-0:7');
  const u = e.right.args[0]!;
  assert.ok(u.kind === 'UnitExpr');
  assert.equal(at(u.loc.range), '0:8-0:13');
  assert.equal(at(u.unitLoc.range), '0:11-0:13');
  assert.equal(u.loc.file, 'e');
  const r = expr('uniform on (1/3, 2/3)');
  assert.ok(r.kind === 'Restrict');
  assert.equal(at(r.interval.loc.range), '0:11-0:21');
});

test('top level: imports, abstract recipes with extends, sweeps', () => {
  const f = ok(parseSid('import "./base/sid-dit.sid"\nabstract recipe base extends root {}\nrecipe r {}\nsweep s over r { a in [1] }', 'f.sid'));
  assert.deepEqual(
    f.items.map((i) => i.kind),
    ['Import', 'Recipe', 'Recipe', 'Sweep'],
  );
  const [imp, base, r, sw] = f.items;
  assert.ok(imp!.kind === 'Import' && base!.kind === 'Recipe' && r!.kind === 'Recipe' && sw!.kind === 'Sweep');
  assert.equal(imp.path.value, './base/sid-dit.sid');
  assert.equal(at(imp.loc.range), '0:0-0:27');
  assert.equal(base.abstract, true);
  assert.equal(base.extends?.name, 'root');
  assert.equal(at(base.loc.range), '1:0-1:36');
  assert.equal(at(base.body.loc.range), '1:34-1:36');
  assert.equal(r.abstract, false);
  assert.equal(r.extends, undefined);
  assert.equal(sw.name.name, 's');
  assert.equal(sw.over.name, 'r');
  assert.equal(f.loc.file, 'f.sid');
});

test('entries: sections with labels, dotted assignments, functions, stages', () => {
  const src = [
    'recipe r {',
    '  teacher flux { config = "flux_dev" }',
    '  optimizer.lr = 1e-5',
    '  loss { w(t) = 1 - t }',
    '  precision bf16 {}',
    '  stage adversarial after sid { data.images = "data/mj" }',
    '  stage evaluate after sid, adversarial {}',
    '  stage { note = 1 }',
    '  stage = 2',
    '}',
  ].join('\n');
  const f = ok(parseSid(src, 'e.sid'));
  const r = f.items[0]!;
  assert.ok(r.kind === 'Recipe');
  const [teacher, lr, loss, precision, adv, evaluate, stageSection, stageAssign] = r.body.entries;
  assert.ok(teacher!.kind === 'Section' && teacher.label?.name === 'flux' && teacher.name.name === 'teacher');
  assert.equal(at(teacher.loc.range), '1:2-1:38');
  assert.equal(at(teacher.label.loc.range), '1:10-1:14');
  assert.ok(lr!.kind === 'Assign');
  assert.deepEqual(
    lr.path.segments.map((s) => s.name),
    ['optimizer', 'lr'],
  );
  assert.equal(at(lr.path.loc.range), '2:2-2:14');
  assert.equal(at(lr.loc.range), '2:2-2:21');
  assert.ok(loss!.kind === 'Section');
  const w = loss.body.entries[0]!;
  assert.ok(w.kind === 'FuncDef' && w.name.name === 'w' && w.param.name === 't' && w.body.kind === 'Binary');
  assert.equal(at(w.loc.range), '3:9-3:21');
  assert.ok(precision!.kind === 'Section' && precision.label?.name === 'bf16' && precision.body.entries.length === 0);
  assert.ok(adv!.kind === 'Stage' && adv.name.name === 'adversarial');
  assert.deepEqual(
    adv.after.map((a) => a.name),
    ['sid'],
  );
  assert.equal(at(adv.loc.range), '5:2-5:57');
  assert.ok(evaluate!.kind === 'Stage');
  assert.deepEqual(
    evaluate.after.map((a) => a.name),
    ['sid', 'adversarial'],
  );
  assert.ok(stageSection!.kind === 'Section' && stageSection.name.name === 'stage');
  assert.ok(stageAssign!.kind === 'Assign' && stageAssign.path.segments[0]!.name === 'stage');
});

test('sweeps: list axes, grid and zip groups', () => {
  const f = ok(
    parseSid(
      'sweep fig3 over base {\n  time.interval in [(0, 1/3), (1/3, 2/3)]\n  grid { a in [1, 2]; b in [3] }\n  zip { c in [amp, bf16]; d in [1e-8, 1e-4] }\n}',
      's.sid',
    ),
  );
  const s = f.items[0]!;
  assert.ok(s.kind === 'Sweep');
  assert.deepEqual(
    s.items.map((i) => (i.kind === 'AxisGroup' ? i.mode : i.kind)),
    ['Axis', 'grid', 'zip'],
  );
  const [axis, grid, zip] = s.items;
  assert.ok(axis!.kind === 'Axis' && grid!.kind === 'AxisGroup' && zip!.kind === 'AxisGroup');
  assert.equal(axis.values.elements.length, 2);
  assert.equal(at(axis.loc.range), '1:2-1:41');
  assert.deepEqual(
    grid.axes.map((a) => a.path.segments[0]!.name),
    ['a', 'b'],
  );
  assert.equal(at(grid.loc.range), '2:2-2:32');
  assert.equal(zip.axes[1]!.values.elements[0]!.kind, 'Number');
});

test('contextual keywords are keys; units and x too', () => {
  const f = ok(parseSid('recipe r { after = 1; on = 2; in = 3; grid = 4; zip = 5; over = 6; x = 7; extends = 8; data.images = "d"; steps.px = 9 }', 'k.sid'));
  const r = f.items[0]!;
  assert.ok(r.kind === 'Recipe');
  assert.deepEqual(
    r.body.entries.map((e) => (e.kind === 'Assign' ? e.path.segments.map((s) => s.name).join('.') : e.kind)),
    ['after', 'on', 'in', 'grid', 'zip', 'over', 'x', 'extends', 'data.images', 'steps.px'],
  );
});

test('newlines are not significant, yet a unit, x or on on the next line starts the next entry', () => {
  const f = ok(parseSid('recipe r {\n  a = 5\n  images = 1\n  b = 2\n  x = 3\n  c = t\n  on = 4\n  d = 1 +\n    2\n}', 'n.sid'));
  const r = f.items[0]!;
  assert.ok(r.kind === 'Recipe');
  assert.deepEqual(
    r.body.entries.map((e) => (e.kind === 'Assign' ? e.path.segments[0]!.name : e.kind)),
    ['a', 'images', 'b', 'x', 'c', 'on', 'd'],
  );
  assert.equal(valueOf(f, 'a').kind, 'Number');
  assert.equal(valueOf(f, 'd').kind, 'Binary');
});

test('the paper example parses completely', () => {
  const src =
    'recipe flux extends sid_dit {\n' +
    '  hardware { devices = 8 x gpu(80 GB, 989 TFLOPS); shard = fsdp }\n' +
    '  time { distribution = logit_normal(ln(2), 1.6) on (0, 1) }\n' +
    '  train { length = 1M images; checkpoint_every = 10k images }\n' +
    '}';
  const f = ok(parseSid(src, 'p.sid'));
  assert.deepEqual(shape(valueOf(f, 'length')), { kind: 'UnitExpr', value: { kind: 'Number', value: 1e6, text: '1M' }, unit: 'images' });
  assert.equal(valueOf(f, 'distribution').kind, 'Restrict');
});
