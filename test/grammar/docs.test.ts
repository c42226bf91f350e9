// Every ```sid example in docs/language.md parses (fragments of entries are parsed inside a recipe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSid } from '../../grammar/index.js';
import { repoPath } from '../helpers/paths.js';

test('docs/language.md: every sid example parses', () => {
  const md = readFileSync(repoPath('docs', 'language.md'), 'utf8');
  const blocks = [...md.matchAll(/```sid\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 8);
  for (const b of blocks) {
    const asFile = parseSid(b, 'doc.sid');
    if (asFile.problems.length === 0) continue;
    const asEntries = parseSid(`recipe doc {\n${b}\n}`, 'doc.sid');
    assert.deepEqual(
      asEntries.problems.map((p) => p.message),
      [],
      b,
    );
  }
});
