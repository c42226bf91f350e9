// The VS Code extension's static parts: every path package.json contributes exists, the TextMate grammar's
// regexes compile and name every keyword and unit of the language, and the published JSON Schema is the
// compiler's current one (regenerate: node editors/vscode/scripts/update-schema.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { UNITS } from '../../grammar/index.js';
import { recipeSchema } from '../../compiler/schema/recipe.js';
import { KEYWORDS } from '../../compiler/lsp/vocab.js';
import { repoPath } from '../helpers/paths.js';

const ext = (...p: string[]): string => repoPath('editors', 'vscode', ...p);
const json = (p: string): Record<string, any> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;

test('package.json: language, grammar, schemas and entry point all exist', () => {
  const pkg = json(ext('package.json'));
  assert.deepEqual(pkg.activationEvents, ['onLanguage:sid', 'workspaceContains:**/*.sid.{yaml,yml,json}']);
  const lang = pkg.contributes.languages[0];
  assert.equal(lang.id, 'sid');
  assert.deepEqual(lang.extensions, ['.sid']);
  const paths = [
    pkg.main,
    lang.configuration,
    ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
    ...pkg.contributes.yamlValidation.map((v: { url: string }) => v.url),
    ...pkg.contributes.jsonValidation.map((v: { url: string }) => v.url),
  ];
  for (const p of paths) assert.ok(existsSync(ext(p)), p);
  assert.equal(spawnSync(process.execPath, ['--check', ext('extension.js')]).status, 0, 'extension.js does not parse');
  assert.match(readFileSync(ext('extension.js'), 'utf8'), /args: isScript \? \[command, 'lsp'\] : \['lsp'\]/);
  json(ext('language-configuration.json'));
});

test('TextMate grammar: regexes compile; every keyword and unit is highlighted', () => {
  const grammar = json(ext('syntaxes', 'sid.tmLanguage.json'));
  assert.equal(grammar.scopeName, 'source.sid');
  const regexes: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') regexes.push(v);
        else visit(v);
      }
    }
  };
  visit(grammar.repository);
  assert.ok(regexes.length > 10);
  for (const r of regexes) new RegExp(r.replace(/\(\?x\)/g, ''), 'u'); // throws on a broken pattern
  const all = regexes.join('\n');
  for (const k of [...Object.keys(KEYWORDS), ...UNITS]) assert.ok(new RegExp(`[(|]${k}[)|]|\\(${k}\\)|\\b${k}\\b`).test(all), `${k} is not in the grammar`);
  // the keyword patterns match their keywords on a sample
  const section = regexes.find((r) => r.includes('recipe)'))!;
  assert.deepEqual(new RegExp(section).exec('abstract recipe base extends root')?.slice(1), ['abstract', 'recipe', 'base', 'extends', 'root']);
});

test("the published JSON Schema is the compiler's current schema", () => {
  assert.deepEqual(json(ext('schemas', 'sid-recipe.schema.json')), JSON.parse(JSON.stringify(recipeSchema())));
});
