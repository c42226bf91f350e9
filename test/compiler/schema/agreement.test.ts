// The generated JSON Schema (ajv) and the checker (checkPath + check/values.ts) must agree on which
// YAML/JSON recipes are valid in names, types, units, ranges and enums: a hand-written corpus plus
// generated probes (for every setting: its default, and values of the wrong type or out of range).
// Cross-field rules (SID3xxx) are the checker's alone and are not compared.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import type { Diagnostic } from '../../../compiler/diagnostics/types.js';
import { SETTINGS, type JsonValue, type SettingType } from '../../../compiler/recipe/settings.js';
import { ValueCache } from '../../../compiler/resolve/resolve.js';
import { validateRecipeJson } from '../../../compiler/schema/validate.js';
import { loadYamlRecipe } from '../../../compiler/yaml/load.js';
import { repoPath } from '../../helpers/paths.js';

function checkerVerdict(text: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const decls = loadYamlRecipe(text, file, out, { useSchema: false });
  const values = new ValueCache(out);
  for (const r of decls.recipes) for (const a of [...r.assignments, ...r.stages.flatMap((s) => s.assignments)]) values.get(a);
  return out.filter((d) => d.code.startsWith('SID2'));
}

function agree(text: string, file: string, value: unknown): { ajv: boolean; checker: boolean; detail: string } {
  const ajvErrors = validateRecipeJson(value);
  const checker = checkerVerdict(text, file);
  return {
    ajv: ajvErrors.length === 0,
    checker: checker.length === 0,
    detail: `${file}: ajv ${JSON.stringify(ajvErrors.map((e) => `${e.instancePath} ${e.message}`))} checker ${JSON.stringify(checker.map((d) => `${d.code} ${d.message}`))}`,
  };
}

const dir = repoPath('test', 'compiler', 'schema', 'fixtures');
for (const f of readdirSync(dir).sort()) {
  test(`schema and checker agree on ${f}`, () => {
    const text = readFileSync(`${dir}/${f}`, 'utf8');
    const value = f.endsWith('.json') ? JSON.parse(text) : (loadValue(text) as unknown);
    const r = agree(text, f, value);
    assert.equal(r.ajv, r.checker, r.detail);
    assert.equal(r.ajv, f.startsWith('valid-'), r.detail);
  });
}

function loadValue(text: string): unknown {
  return parseYaml(text) as unknown;
}

/** Wrong values for a type: each must be rejected by both. */
function badValues(t: SettingType): JsonValue[] {
  const common: JsonValue[] = [null, { nope: 1 }];
  switch (t.kind) {
    case 'number': {
      const out: JsonValue[] = ['12', true, ...common];
      if (t.min !== undefined) out.push(t.exclusiveMin ? t.min : t.min - 1);
      if (t.max !== undefined) out.push(t.max + 0.5);
      if (t.integer) out.push(2.5);
      return out;
    }
    case 'string':
      return [3, false, ...common];
    case 'path':
      return ['', 3, ...common];
    case 'bool':
      return ['yes', 1, ...common];
    case 'enum':
      return ['nope', 3, ...common];
    case 'interval':
      return [[0], [0, 1, 2], ['a', 1], 0.5, ...common];
    case 'list':
      return [3, [true], ...common];
    case 'distribution':
      return [{ kind: 'nope' }, { kind: 'logit_normal', std: 0 }, { kind: 'uniform', extra: 1 }, 'uniform', ...common];
    case 'weighting':
      return [{ name: 'nope' }, { expr: { op: 'max', args: [1, 2] } }, { name: 'snr', expr: 1 }, 'snr', ...common];
    case 'devices':
      return [
        { count: 1, kind: 'tpu', memory_gb: 8 },
        { count: 1.5, kind: 'gpu', memory_gb: 8 },
        { count: 1, kind: 'gpu' },
        { count: 1, kind: 'gpu', memory_gb: 0 },
        ...common,
      ];
    case 'guidance':
      return [{ mode: 'cfg' }, { mode: 'cfgg', scale: 1 }, { mode: 'cfg', scale: -1 }, ...common];
    case 'text':
      return [{ mode: 'precomputed' }, { mode: 'labels', path: 'x' }, { mode: 'nope' }, ...common];
  }
}

test('schema and checker agree on generated probes for every setting', () => {
  let n = 0;
  for (const s of SETTINGS) {
    const [sec, leaf] = s.path.split('.') as [string, string];
    const good: JsonValue[] = s.default !== undefined ? [s.default] : [];
    for (const [expectValid, vals] of [
      [true, good],
      [false, badValues(s.type)],
    ] as const) {
      for (const v of vals) {
        const doc = { [sec]: { [leaf]: v } };
        const text = stringify(doc);
        const r = agree(text, `probe-${s.path}.yaml`, doc);
        assert.equal(r.ajv, r.checker, `${s.path} = ${JSON.stringify(v)}: ${r.detail}`);
        assert.equal(r.ajv, expectValid, `${s.path} = ${JSON.stringify(v)}: ${r.detail}`);
        n++;
      }
    }
  }
  assert.ok(n > 200, `only ${n} probes`);
});
