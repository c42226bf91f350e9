// Diagnostics as the editor sees them over a real LSP connection: the compiler's codes at exact ranges,
// re-published after incremental edits, quick fixes from the catalogue's fixes, and re-linting of a
// dependent recipe when the base it imports is edited (the dependent itself untouched).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { LspClient, applyEdits, mark, rangeAt } from './client.js';

let client: LspClient;
let dir: string;
before(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(join(tmpdir(), 'sidc-lsp-diag-'));
});
after(async () => {
  await client.stop();
});

const uriOf = (name: string): string => pathToFileURL(join(dir, name)).href;
const codes = (ds: Diagnostic[]): string[] => ds.map((d) => String(d.code)).sort();

const BASE = 'abstract recipe base {\n  teacher gmm { dim = 2; classes = 2 }\n  hardware { devices = 1 x cpu(16 GB) }\n  train { length = 10k images }\n}\n';
const BATCH = '  batch { global = 1 }\n';

test('a missing unit: SID2003 at the number, with help, and a quick fix that adds the unit', async () => {
  writeFileSync(join(dir, 'base.sid'), BASE);
  const m = mark(`import "./base.sid"\nrecipe r extends base {\n${BATCH}  train { length = <|20k|> }\n}\n`);
  const uri = uriOf('unit.sid');
  const published = client.waitDiagnostics(uri);
  await client.open(uri, m.text);
  const ds = await published;
  assert.deepEqual(codes(ds), ['SID2003']);
  const d = ds[0]!;
  assert.deepEqual(d.range, rangeAt(m.text, m.ranges[0]!));
  assert.equal(d.severity, DiagnosticSeverity.Error);
  assert.equal(d.source, 'sidc');
  assert.match(d.message, /`train.length` needs a unit: it is measured in images\nhelp: write `20k images`/);

  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.title, 'Write 20k images');
  assert.equal(actions[0]!.kind, 'quickfix');
  const edits = actions[0]!.edit!.changes![uri]!;
  // a client that drops `data` still gets the fix (the server remembers what it published)
  const { data: _dropped, ...bare } = d;
  const again = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [bare] } });
  assert.deepEqual(
    again.map((a) => [a.title, a.edit]),
    actions.map((a) => [a.title, a.edit]),
  );
  const fixed = applyEdits(m.text, edits);
  assert.equal(fixed, m.text.replace('20k }', '20k images }'));

  // apply the fix as the editor would (an incremental change), and the error is gone
  const clean = client.waitDiagnostics(uri, (p) => p.version === 2);
  const e = edits[0]!;
  const at = m.ranges[0]![1];
  assert.deepEqual(e.range, rangeAt(m.text, [at, at]));
  await client.change(uri, m.text, [at, at], e.newText);
  assert.deepEqual(await clean, []);
});

test('an edit that breaks the recipe is reported for that version, at the edited place', async () => {
  writeFileSync(join(dir, 'base.sid'), BASE);
  const m = mark(`import "./base.sid"\nrecipe r extends base {\n${BATCH}  optimizer { lr = <|1e-5|> }\n}\n`);
  const uri = uriOf('edit.sid');
  const first = client.waitDiagnostics(uri);
  await client.open(uri, m.text);
  assert.deepEqual(await first, []);
  const next = client.waitDiagnostics(uri, (p) => p.version === 2);
  await client.change(uri, m.text, m.ranges[0]!, '-1');
  const ds = await next;
  assert.deepEqual(codes(ds), ['SID2007']);
  const after = m.text.replace('1e-5', '-1');
  const start = m.ranges[0]![0];
  assert.deepEqual(ds[0]!.range, rangeAt(after, [start, start + 2]));
});

test('syntax errors come from the compiler too (SID1xxx), all of them', async () => {
  const uri = uriOf('syntax.sid');
  const published = client.waitDiagnostics(uri);
  const m = mark('recipe r {\n  optimizer { lr = <|}|>\n  train { length = 10k images<||>\n');
  await client.open(uri, m.text);
  const syntax = (await published).filter((d) => String(d.code).startsWith('SID1'));
  assert.deepEqual(
    syntax.map((d) => d.range),
    m.ranges.map((r) => rangeAt(m.text, r)),
  );
  assert.match(syntax[0]!.message, /expected an expression, found '}'/);
  assert.match(syntax[1]!.message, /unexpected end of file/);
});

test('editing an imported base re-lints the open recipe that extends it', async () => {
  writeFileSync(join(dir, 'base2.sid'), BASE);
  const base = mark(BASE.replace('1 x cpu', '<|1|> x cpu'));
  const child = mark('import <|"./base2.sid"|>\nrecipe child extends base {\n  batch { global = <|1|> }\n}\n');
  const baseUri = uriOf('base2.sid');
  const childUri = uriOf('child.sid');
  const c1 = client.waitDiagnostics(childUri);
  await client.open(childUri, child.text);
  assert.deepEqual(await c1, []);
  const b1 = client.waitDiagnostics(baseUri);
  await client.open(baseUri, base.text);
  await b1;

  // 2 devices x 1 per device x 1 round != batch.global = 1: the child's rule fails, at the child's value
  const c2 = client.waitDiagnostics(childUri, (p) => p.diagnostics.length > 0);
  await client.change(baseUri, base.text, base.ranges[0]!, '2');
  const ds = await c2;
  assert.deepEqual(codes(ds), ['SID3002']);
  assert.deepEqual(ds[0]!.range, rangeAt(child.text, child.ranges[1]!));
  assert.match(ds[0]!.message, /2 devices/);

  // an error inside the base shows in the child on its import, pointing at the base
  const baseText2 = base.text.replace('<|1|>', '2').replace('1 x cpu', '2 x cpu');
  void baseText2;
  const now = BASE.replace('1 x cpu', '2 x cpu');
  const bad = now.replace('10k images', '-1 images');
  const c3 = client.waitDiagnostics(childUri, (p) => p.diagnostics.some((d) => d.code === 'SID2007'));
  await client.change(baseUri, now, [0, now.length], bad);
  const ds3 = await c3;
  const inherited = ds3.find((d) => d.code === 'SID2007')!;
  assert.deepEqual(inherited.range, rangeAt(child.text, child.ranges[0]!));
  assert.match(inherited.message, /^base2\.sid:4:\d+: `train.length` = -1 is out of range/);
  assert.equal(inherited.relatedInformation?.[0]?.location.uri, baseUri);
  assert.equal(inherited.relatedInformation?.[0]?.location.range.start.line, 3);

  // closing the edited base: the child sees the file on disk again and is clean
  const c4 = client.waitDiagnostics(childUri, (p) => p.diagnostics.length === 0);
  await client.close(baseUri);
  assert.deepEqual(await c4, []);
});

test('a base changed on disk (not open) re-lints the open recipe once the client reports the change', async () => {
  const basePath = join(dir, 'disk-base.sid');
  writeFileSync(basePath, BASE);
  const child = 'import "./disk-base.sid"\nrecipe child extends base {\n  batch { global = 1 }\n}\n';
  const childUri = uriOf('disk-child.sid');
  const c1 = client.waitDiagnostics(childUri);
  await client.open(childUri, child);
  assert.deepEqual(await c1, []);
  writeFileSync(basePath, BASE.replace('1 x cpu', '4 x cpu'));
  const c2 = client.waitDiagnostics(childUri, (p) => p.diagnostics.length > 0);
  await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(basePath).href, type: 2 }] });
  assert.deepEqual(codes(await c2), ['SID3002']);
});

test("YAML recipes: the compiler's cross-field rules (the schema's own errors are left to the YAML server), across imports", async () => {
  writeFileSync(join(dir, 'ybase.sid'), BASE);
  const m = mark('imports: [./ybase.sid]\nextends: base\nbatch: { global: <|1|> }\ntrain: { bogus: 1 }\n');
  const uri = uriOf('r.sid.yaml');
  const first = client.waitDiagnostics(uri);
  await client.open(uri, m.text, 'yaml');
  assert.deepEqual(await first, []); // `bogus` is SID2002, a schema error: not repeated here
  const baseUri = uriOf('ybase.sid');
  const b = client.waitDiagnostics(baseUri);
  await client.open(baseUri, BASE);
  await b;
  const next = client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const at = BASE.indexOf('1 x cpu');
  await client.change(baseUri, BASE, [at, at + 1], '2');
  const ds = await next;
  assert.deepEqual(codes(ds), ['SID3002']);
  assert.deepEqual(ds[0]!.range, rangeAt(m.text, m.ranges[0]!));
});
