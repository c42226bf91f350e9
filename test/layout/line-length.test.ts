// No tracked source line (.ts, .mjs, .py) is longer than 200 characters, so every line reads in a side-by-side diff.
// Biome wraps code at 160 but leaves long string literals alone; split those with `+` (Python: implicit concatenation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const MAX_LINE = 200;
const SOURCE = /\.(ts|mjs|py)$/;

test(`no tracked .ts, .mjs or .py line is longer than ${MAX_LINE} characters`, () => {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const files = listed.split('\0').filter((f) => SOURCE.test(f));
  assert.ok(files.length > 100, `git ls-files listed only ${files.length} source files: not a checkout of the repository?`);
  const long: string[] = [];
  for (const file of files) {
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      // Characters as awk and an editor count them (code points), not UTF-16 units.
      const length = [...line.replace(/\r$/, '')].length;
      if (length > MAX_LINE) long.push(`${file}:${i + 1} (${length} characters)`);
    });
  }
  assert.deepEqual(long, [], `split these lines (string literals with +, argument lists over lines):\n  ${long.join('\n  ')}`);
});
