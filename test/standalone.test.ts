// The repository stands on its own: no tracked file may cite notes that live outside it (the algorithm
// is docs/algorithm.md, the engine's constraints docs/design.md). The names are assembled here so that
// this file does not match its own pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath, repoRoot } from './helpers/paths.js';

const OUTSIDE_NOTES = ['ALGORITHM', 'DESIGN', 'STYLE'].map((name) => `${name}\\.md`);
const OUTSIDE = new RegExp([...OUTSIDE_NOTES, '\\.\\./' + 'shared/', '/work/' + 'shared'].join('|'));

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((f) => f.length > 0);
}

const isBinary = (b: Buffer): boolean => b.subarray(0, 8000).includes(0);

test('no tracked file cites files outside the repository', () => {
  const files = trackedFiles();
  assert.ok(files.length > 100, `git ls-files listed only ${files.length} files: not a checkout of the repository?`);
  const hits: string[] = [];
  for (const f of files) {
    let buf: Buffer;
    try {
      buf = readFileSync(repoPath(f));
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    if (isBinary(buf)) continue;
    buf
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = OUTSIDE.exec(line);
        if (m) hits.push(`${f}:${i + 1}: cites ${m[0]}`);
      });
  }
  assert.deepEqual(hits, [], `cite docs/algorithm.md or docs/design.md instead:\n${hits.join('\n')}`);
});

test('the pattern catches what it is for', () => {
  assert.ok(OUTSIDE.test(`see ${'ALGORITHM'}.md §4`));
  assert.ok(OUTSIDE.test(`written from ../${'shared'}/notes`));
  assert.ok(!OUTSIDE.test('see docs/algorithm.md §4 and docs/design.md'));
});
