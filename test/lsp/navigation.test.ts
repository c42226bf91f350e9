// Go to definition (extends, sweep over, stage after, import strings) across files, and document symbols.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentSymbol, Location } from 'vscode-languageserver-protocol';
import { LspClient, mark, positionAt, rangeAt } from './client.js';

let client: LspClient;
let dir: string;
const base = mark('abstract recipe <|sid_dit|> {\n  optimizer { lr = 1e-5 }\n}\n');
before(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(join(tmpdir(), 'sidc-lsp-nav-'));
  writeFileSync(join(dir, 'base.sid'), base.text);
});
after(async () => {
  await client.stop();
});

async function definition(source: string, name: string): Promise<{ loc: Location | null; text: string; ranges: [number, number][]; uri: string }> {
  const { text, positions, ranges } = mark(source);
  const uri = pathToFileURL(join(dir, name)).href;
  await client.open(uri, text);
  const r = await client.request<Location | Location[] | null>('textDocument/definition', { textDocument: { uri }, position: positionAt(text, positions[0]!) });
  return { loc: Array.isArray(r) ? (r[0] ?? null) : r, text, ranges, uri };
}

test('extends jumps to the recipe in the imported file', async () => {
  const { loc } = await definition('import "./base.sid"\nrecipe flux extends sid_<|>dit { }\n', 'a.sid');
  assert.equal(loc?.uri, pathToFileURL(join(dir, 'base.sid')).href);
  assert.deepEqual(loc?.range, rangeAt(base.text, base.ranges[0]!));
});

test('sweep over and stage after jump within the file; import strings open the file', async () => {
  const s = await definition('recipe <|r|> { }\nsweep s over <|>r { time.interval in [(0, 1)] }\n', 'b.sid');
  assert.deepEqual(s.loc, { uri: s.uri, range: rangeAt(s.text, s.ranges[0]!) });
  const st = await definition('recipe r {\n  stage <|sid|> { }\n  stage adversarial after s<|>id { }\n}\n', 'c.sid');
  assert.deepEqual(st.loc, { uri: st.uri, range: rangeAt(st.text, st.ranges[0]!) });
  const imp = await definition('import "./ba<|>se.sid"\n', 'd.sid');
  assert.equal(imp.loc?.uri, pathToFileURL(join(dir, 'base.sid')).href);
  assert.equal((await definition('recipe r extends nowh<|>ere { }', 'e.sid')).loc, null);
});

test('document symbols: recipes with their sections, stages and settings; sweeps with their axes', async () => {
  const { text, ranges } = mark(
    'import "./base.sid"\n' +
      '<|recipe r extends sid_dit {\n' +
      '  optimizer { lr = 1e-5 }\n' +
      '  stage adversarial after sid { warmup = 20k images }\n' +
      '}|>\n' +
      'sweep fig3 over r {\n' +
      '  time.interval in [(0, 1/3), (1/3, 2/3)]\n' +
      '}\n',
  );
  const uri = pathToFileURL(join(dir, 'sym.sid')).href;
  await client.open(uri, text);
  const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    syms.map((s) => s.name),
    ['import "./base.sid"', 'r', 'fig3'],
  );
  const r = syms[1]!;
  assert.equal(r.detail, 'recipe extends sid_dit');
  assert.deepEqual(r.range, rangeAt(text, ranges[0]!));
  assert.deepEqual(
    r.children?.map((c) => c.name),
    ['optimizer', 'stage adversarial'],
  );
  assert.deepEqual(
    r.children?.[0]?.children?.map((c) => c.name),
    ['lr'],
  );
  assert.deepEqual(
    r.children?.[1]?.children?.map((c) => c.name),
    ['warmup'],
  );
  assert.deepEqual(
    syms[2]!.children?.map((c) => `${c.name} ${c.detail}`),
    ['time.interval 2 values'],
  );
});
