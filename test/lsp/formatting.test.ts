// Formatting over a real LSP connection: the edits turn the document into exactly what the grammar's
// formatter (`sidc fmt`) prints; a formatted file gets no edits; a file with syntax errors is left alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextEdit } from 'vscode-languageserver-protocol';
import { formatSid } from '../../grammar/index.js';
import { LspClient, applyEdits } from './client.js';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

let n = 0;
async function format(text: string): Promise<TextEdit[]> {
  const uri = `file:///format/f${n++}.sid`;
  await client.open(uri, text);
  return client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
}

test("edits produce the formatter's text, comments kept", async () => {
  const text = 'recipe r {optimizer{lr=1e-5;eps = 1e-4}\n  // keep me\n      train.length=1M images}\n';
  const expected = formatSid(text, 'f.sid').text;
  assert.notEqual(expected, text);
  const edits = await format(text);
  assert.equal(edits.length, 1);
  assert.equal(applyEdits(text, edits), expected);
  assert.match(applyEdits(text, edits), /\/\/ keep me/);
});

test('a formatted document gets no edits; a broken one is not touched', async () => {
  const clean = formatSid('recipe r { optimizer { lr = 1e-5 } }', 'f.sid').text;
  assert.deepEqual(await format(clean), []);
  assert.deepEqual(await format('recipe r {optimizer{lr=}'), []);
});
