// Every recipe and example is in canonical form: `sidc fmt` leaves it byte for byte unchanged, and
// formatting is idempotent on it (the fmt round trip of issue 2, on real recipes rather than fixtures).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { formatSid } from '../../grammar/index.js';
import { repoPath, repoRoot } from '../helpers/paths.js';

function sidFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sidFiles(p, out);
    else if (name.endsWith('.sid')) out.push(p);
  }
  return out;
}

const files = [...sidFiles(repoPath('recipes')), ...sidFiles(repoPath('examples'))];

test('there are recipes to format', () => assert.ok(files.length >= 17));

for (const path of files) {
  const rel = relative(repoRoot, path);
  test(`${rel} is in canonical format (sidc fmt --check)`, () => {
    const text = readFileSync(path, 'utf8');
    const once = formatSid(text, rel);
    assert.deepEqual(once.problems, []);
    assert.equal(once.text, text, `${rel} is not formatted: run \`node bin/sidc.js fmt --write ${rel}\``);
    assert.equal(formatSid(once.text, rel).text, once.text);
  });
}
