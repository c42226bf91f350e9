// Bad input over a real LSP connection: nesting past the parser's limit, a document with NUL bytes, an
// import of a binary file and one that leaves the project root each come back as one located diagnostic;
// the server keeps answering (formatting, hover) and no foreign file's contents reach a message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './client.js';

let client: LspClient;
let dir: string;
before(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(join(tmpdir(), 'sidc-lsp-bad-'));
  mkdirSync(join(dir, 'project'));
  writeFileSync(join(dir, 'project', 'package.json'), '{}\n');
  writeFileSync(join(dir, 'secret.sid'), 'TOP SECRET first line\n');
  writeFileSync(join(dir, 'project', 'blob.sid'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x0a]));
});
after(async () => {
  await client.stop();
});

const uriOf = (name: string): string => pathToFileURL(join(dir, 'project', name)).href;
const codes = (ds: Diagnostic[]): string[] => ds.map((d) => String(d.code)).sort();

async function diagnose(name: string, text: string): Promise<Diagnostic[]> {
  const uri = uriOf(name);
  const published = client.waitDiagnostics(uri);
  await client.open(uri, text);
  return published;
}

test('20,000 nested parentheses: SID1008 at the 100th level; formatting and hover still answer', async () => {
  const text = `recipe x {\n  loss.weighting = ${'('.repeat(20000)}1${')'.repeat(20000)}\n}\n`;
  const ds = await diagnose('deep.sid', text);
  const deep = ds.find((d) => d.code === 'SID1008');
  assert.ok(deep, `codes ${codes(ds)}`);
  assert.equal(deep.range.start.line, 1);
  assert.equal(deep.range.start.character, 19 + 99); // the 100th `(`: the block is the first level
  const uri = uriOf('deep.sid');
  const edits = await client.request<unknown[] | null>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.ok(edits === null || Array.isArray(edits));
  await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 5000 } });
});

test('a document with a NUL byte is refused (SID1009) without quoting it', async () => {
  const ds = await diagnose('nul.sid', 'recipe x {\u0000 secret }\n');
  assert.deepEqual(codes(ds), ['SID1009']);
  assert.doesNotMatch(ds[0]!.message, /secret/);
});

test('imports: outside the project root SID2027 (not read), a binary file SID2014 (not shown)', async () => {
  const ds = await diagnose('imports.sid', 'import "../secret.sid"\nimport "./blob.sid"\nrecipe x extends y {}\n');
  assert.deepEqual(codes(ds), ['SID2014', 'SID2027']); // the unknown base `y` is the failed imports' consequence
  for (const d of ds) assert.doesNotMatch(d.message, /SECRET|ELF/);
  assert.match(ds.find((d) => d.code === 'SID2014')!.message, /not a text file/);
});
