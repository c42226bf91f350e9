// The compiler thread gives the same diagnostics as an in-process compile, and the server publishes
// through it (its default configuration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSource } from '../../compiler/api.js';
import { CompilerThread } from '../../compiler/lsp/compiler-thread.js';
import { LspClient } from './client.js';

const TEXT = 'recipe r {\n  teacher gmm { dim = 2; classes = 2 }\n  train { length = 10 }\n  optimizer { lr = -1 }\n}\n';

test('worker compiles equal in-process compiles', async () => {
  const thread = new CompilerThread(true);
  try {
    assert.equal(await thread.ready, true);
    const overlay = new Map([['/w/base.sid', 'abstract recipe b {}']]);
    const viaWorker = await thread.compile(TEXT, '/w/r.sid', overlay);
    assert.ok(viaWorker.length >= 2);
    assert.deepEqual(viaWorker, compileSource(TEXT, '/w/r.sid', { overlay }).diagnostics);
  } finally {
    await thread.dispose();
  }
});

test('the server with its default options (worker on) publishes diagnostics', async () => {
  const client = await LspClient.start({ initializationOptions: {} });
  try {
    const uri = 'file:///w/r.sid';
    const first = client.waitDiagnostics(uri);
    await client.open(uri, TEXT);
    const expected = compileSource(TEXT, '/w/r.sid')
      .diagnostics.map((d) => d.code)
      .sort();
    assert.deepEqual((await first).map((d) => String(d.code)).sort(), expected);
    // later edits, once the worker is up, give the same answers
    await new Promise((r) => setTimeout(r, 1500));
    const next = client.waitDiagnostics(uri, (p) => p.version === 2);
    const at = TEXT.indexOf('-1');
    await client.change(uri, TEXT, [at, at + 2], '1e-5');
    const after = TEXT.replace('-1', '1e-5');
    assert.deepEqual(
      (await next).map((d) => String(d.code)).sort(),
      compileSource(after, '/w/r.sid')
        .diagnostics.map((d) => d.code)
        .sort(),
    );
  } finally {
    await client.stop();
  }
});
