// YAML recipes in editors: the REAL yaml-language-server (devDependency), configured as the VS Code YAML
// extension would be by editors/vscode/package.json (`yaml.schemas`: our published schema -> *.sid.yaml),
// validates and completes a recipe with our JSON Schema - generated from the compiler's settings table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, CompletionList, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { repoPath } from '../helpers/paths.js';
import { LspClient, mark, positionAt, rangeAt } from './client.js';

const schemaUri = pathToFileURL(repoPath('editors', 'vscode', 'schemas', 'sid-recipe.schema.json')).href;
const settings = { yaml: { schemas: { [schemaUri]: ['*.sid.yaml', '*.sid.yml'] }, validate: true, completion: true, hover: true, format: { enable: true } } };
let client: LspClient;
let dir: string;
before(async () => {
  client = await LspClient.start({
    command: [process.execPath, repoPath('node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'],
    settings,
    initializationOptions: {},
  });
  dir = mkdtempSync(join(tmpdir(), 'sidc-yaml-'));
});
after(async () => {
  await client.stop();
});

test('schema errors at the offending values: range, enum, unknown key', async () => {
  const m = mark('recipe: r\noptimizer:\n  lr: <|-1|>\n  <|bogus|>: 3\nprecision:\n  policy: <|fp16|>\n');
  const uri = pathToFileURL(join(dir, 'bad.sid.yaml')).href;
  const published = client.waitDiagnostics(uri, (p) => p.diagnostics.length >= 3);
  await client.open(uri, m.text, 'yaml');
  const ds = (await published).sort((a, b) => a.range.start.line - b.range.start.line);
  assert.deepEqual(
    ds.map((d) => d.range),
    m.ranges.map((r) => rangeAt(m.text, r)),
  );
  assert.match(ds[0]!.message, /greater than 0|exclusive minimum|> 0/i);
  assert.match(ds[1]!.message, /not allowed/i);
  assert.match(ds[2]!.message, /fp32, amp, bf16|"fp32", "amp", "bf16"|allowed values/i);
  for (const d of ds) assert.match(String(d.source), /yaml-schema/);
});

test('a valid recipe has no diagnostics; keys complete from the settings table, hover shows our docs', async () => {
  const uri = pathToFileURL(join(dir, 'ok.sid.yaml')).href;
  const published = client.waitDiagnostics(uri);
  await client.open(uri, 'recipe: r\nteacher:\n  family: gmm\noptimizer:\n  lr: 1.0e-5\n', 'yaml');
  assert.deepEqual(await published, []);

  const c = mark('recipe: r\noptimizer:\n  lr: 1.0e-5\n  <|>\n');
  const cu = pathToFileURL(join(dir, 'complete.sid.yaml')).href;
  await client.open(cu, c.text, 'yaml');
  const r = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', {
    textDocument: { uri: cu },
    position: positionAt(c.text, c.positions[0]!),
  });
  const labels = (Array.isArray(r) ? r : r.items).map((i) => i.label);
  for (const k of ['beta1', 'beta2', 'eps', 'weight_decay']) assert.ok(labels.includes(k), `${k} not in ${labels.join(', ')}`);

  const h = mark('recipe: r\noptimizer:\n  e<|>ps: 1.0e-4\n');
  const hu = pathToFileURL(join(dir, 'hover.sid.yaml')).href;
  await client.open(hu, h.text, 'yaml');
  const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: hu }, position: positionAt(h.text, h.positions[0]!) });
  assert.match((hover?.contents as MarkupContent).value, /Adam epsilon/);
});
