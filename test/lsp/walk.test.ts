// The cursor-context walker on the repository's own recipes (which the compiler accepts): every key it
// finds resolves to a setting of the table, every section to a section, every recipe reference to a
// recipe the file can see - so hover and completion agree with the compiler on real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../../compiler/api.js';
import { scan } from '../../compiler/lsp/scan.js';
import { walk } from '../../compiler/lsp/walk.js';
import { SECTIONS_BY_NAME, SETTINGS_BY_PATH } from '../../compiler/recipe/settings.js';
import { repoPath } from '../helpers/paths.js';

const files = ['recipes', join('recipes', 'base'), 'examples']
  .map((d) => repoPath(d))
  .filter((d) => existsSync(d))
  .flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.sid'))
      .map((f) => join(d, f)),
  );

test('keys, sections and stages of every accepted recipe resolve', () => {
  let keys = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!compileSource(text, file).ok) continue; // only files the compiler accepts are an oracle
    const tokens = scan(text);
    for (const [i, role] of walk(tokens).roles) {
      const where = `${file}: ${tokens[i]!.text}`;
      if (role.kind === 'key') {
        keys++;
        assert.ok(SETTINGS_BY_PATH.has(role.path), `${where} -> ${role.path}`);
      }
      if (role.kind === 'section') assert.ok(SECTIONS_BY_NAME.has(role.name), where);
      if (role.kind === 'label') assert.ok(role.labelKey && SETTINGS_BY_PATH.has(role.labelKey), where);
    }
  }
  assert.ok(files.length === 0 || keys > 0);
});

test('a stage holds recipe sections and its own keys bare', () => {
  const text =
    'recipe r {\n  stage adversarial after sid {\n    optimizer { lr = 1e-6 }\n    warmup = 20k images\n  }\n  stage teach { teach { length = 1M images } }\n}\n';
  const tokens = scan(text);
  const roles = walk(tokens).roles;
  const keyAt = (word: string, nth = 0): string | undefined => {
    const idx = tokens.map((t, i) => (t.text === word ? i : -1)).filter((i) => i >= 0)[nth]!;
    const r = roles.get(idx);
    return r?.kind === 'key' ? r.path : r?.kind;
  };
  assert.equal(keyAt('lr'), 'optimizer.lr');
  assert.equal(keyAt('warmup'), 'adversarial.warmup');
  assert.equal(keyAt('length'), 'teach.length');
  assert.equal(keyAt('sid'), 'stage-ref');
});

test('what comes next at the end of half-typed text', () => {
  const expect = (text: string) => walk(scan(text)).expect;
  assert.deepEqual(expect('recipe r { optimizer.'), { kind: 'key', prefix: '', typed: ['optimizer'], inSweep: false, stageNames: [] });
  assert.equal(expect('recipe r { time { distribution = logit_normal(').kind, 'value');
  assert.deepEqual((expect('recipe r { time { distribution = logit_normal(1, ') as { call?: unknown }).call, { name: 'logit_normal', arg: 1 });
  assert.deepEqual(expect('recipe r extends '), { kind: 'recipe-ref', self: 'r' });
  assert.deepEqual(expect('recipe r { }\n'), { kind: 'top' });
});
