// The test tree mirrors the source tree: every folder under test/ names a folder of the repository (test/lsp
// tests compiler/lsp), except the shared ones (helpers, layout, fixtures, golden), so a maintainer finds the
// tests of runtime/tfjs/loop in test/runtime/tfjs/loop and nowhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const SHARED = new Set(['helpers', 'layout', 'fixtures', 'golden']);
const SOURCE_OF: Record<string, string> = { lsp: 'compiler/lsp' };

function folders(dir: string, rel: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (SHARED.has(name) || !statSync(join(dir, name)).isDirectory()) continue;
    const r = rel ? `${rel}/${name}` : name;
    out.push(r);
    folders(join(dir, name), r, out);
  }
  return out;
}

test('every test folder mirrors a source folder', () => {
  const found = folders(join(repoRoot, 'test'), '', []);
  assert.ok(found.includes('runtime/tfjs/loop') && found.includes('cli'), `scan found ${found.join(', ')}`);
  const orphans = found.filter((f) => !existsSync(join(repoRoot, SOURCE_OF[f] ?? f)));
  assert.deepEqual(orphans, [], 'test folders without a source folder of the same name');
});
