// Every recipe and example is in canonical form: `sidc fmt` leaves it byte for byte unchanged, and
// formatting is idempotent on it (the fmt round trip of issue 2, on real recipes rather than fixtures).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { formatSid } from '../../grammar/index.js';
import { repoPath, repoRoot, sidFilesUnder } from '../helpers/paths.js';

const files = [...sidFilesUnder(repoPath('recipes')), ...sidFilesUnder(repoPath('examples'))];

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
