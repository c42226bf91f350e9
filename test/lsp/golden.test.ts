// The editor shows exactly what the compiler says: every golden diagnostics case (test/golden/diagnostics)
// opened over LSP publishes the compiler's own codes at the compiler's ranges, and every diagnostic that
// carries a fix (from its catalogue entry) gets a code action whose edits are that fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { compileSource } from '../../compiler/api.js';
import { repoPath } from '../helpers/paths.js';
import { LspClient } from './client.js';

const casesDir = repoPath('test', 'golden', 'diagnostics', 'cases');
let client: LspClient;
let dir: string;
before(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(join(tmpdir(), 'sidc-lsp-golden-'));
  for (const f of readdirSync(casesDir)) copyFileSync(join(casesDir, f), join(dir, f));
});
after(async () => {
  await client.stop();
});

test('golden cases: same diagnostics as the compiler, and a quick fix for every fix', async () => {
  const names = readdirSync(casesDir).filter((f) => f.endsWith('.sid') && !f.includes('.base.'));
  let fixes = 0;
  let checked = 0;
  for (const name of names) {
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    if (/@(set|recipe)\b/.test(text)) continue; // CLI directives: no editor equivalent
    const expected = compileSource(text, path).diagnostics.filter((d) => d.loc.file === path);
    const uri = pathToFileURL(path).href;
    const key = (code: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }): string =>
      `${code}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    const local = (ds: Diagnostic[]): Diagnostic[] => ds.filter((d) => !d.message.match(/^[^\s:]+\.sid:\d+:\d+: /));
    const keys = (ds: Diagnostic[]): string =>
      JSON.stringify(
        local(ds)
          .map((d) => key(String(d.code), d.range))
          .sort(),
      );
    const want = expected
      .map((d) =>
        key(d.code, {
          start: { line: d.loc.range.start.line, character: d.loc.range.start.column },
          end: { line: d.loc.range.end.line, character: d.loc.range.end.column },
        }),
      )
      .sort();
    // The server publishes twice per version (check first, then the full compile with the plan's
    // SID4xxx): the editor must end up showing exactly the compiler's diagnostics.
    let last: Diagnostic[] = [];
    const published = client.waitDiagnostics(uri, (p) => ((last = p.diagnostics), keys(p.diagnostics) === JSON.stringify(want)), 15000).catch(() => last);
    await client.open(uri, text);
    const got = local(await published);
    checked++;
    assert.deepEqual(got.map((d) => key(String(d.code), d.range)).sort(), want, name);
    for (const d of expected.filter((x) => x.fix)) {
      const lsp = got.find(
        (g: Diagnostic) => g.code === d.code && g.range.start.line === d.loc.range.start.line && g.range.start.character === d.loc.range.start.column,
      )!;
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: lsp.range,
        context: { diagnostics: [lsp] },
      });
      assert.equal(actions.length, 1, `${name} ${d.code}`);
      assert.equal(actions[0]!.title, d.fix!.title);
      const edits = Object.values(actions[0]!.edit!.changes!).flat();
      assert.deepEqual(
        edits.map((e) => e.newText),
        d.fix!.edits.map((e) => e.newText),
        name,
      );
      fixes++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} cases`);
  assert.ok(fixes >= 3, `only ${fixes} fixes`);
});
