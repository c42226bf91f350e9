// `sidc lsp` through the real CLI (bin/sidc.js when the tests run compiled, the CLI's main through tsx
// when they run from source): the handshake, a hover, and diagnostics come back over stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { repoPath } from '../helpers/paths.js';
import { LspClient } from './client.js';

test('sidc lsp --stdio answers hover and publishes diagnostics', async () => {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const main = pathToFileURL(repoPath('cli', 'main.ts')).href;
  const command = fromSource
    ? [
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(['lsp', '--stdio']);`,
      ]
    : [process.execPath, repoPath('bin', 'sidc.js'), 'lsp', '--stdio'];
  const client = await LspClient.start({ command });
  try {
    const uri = 'file:///cli/r.sid';
    const text = 'recipe r {\n  optimizer { lr = 1e-5 }\n  train { length = 10 }\n}\n';
    const published = client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    await client.open(uri, text);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 15 } });
    assert.match((h.contents as MarkupContent).value, /\*\*optimizer\.lr\*\*/);
    const ds = await published;
    assert.ok(
      ds.some((d) => d.code === 'SID2003' && d.range.start.line === 2),
      JSON.stringify(ds),
    );
  } finally {
    await client.stop();
  }
});
