// The LSP's per-recipe cache (compiler/incremental.ts) must never change an answer: for every recipe we
// have and the benchmark's file of ~90 variants, a chain of seeded edits (change a number, insert a line
// above a recipe so everything below moves, delete a line, insert a stray token) is compiled with one
// shared cache and without any, and the diagnostics - codes, messages, ranges, related places, fixes -
// must be identical, for the check-only round and the full compile alike.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileSource } from '../../compiler/api.js';
import { CheckCache } from '../../compiler/incremental.js';
import { recipeText } from '../../bench/lsp-recipe.js';
import { seededRandom } from '../helpers/rng.js';
import { repoPath, sidFilesUnder } from '../helpers/paths.js';

function edit(text: string, r: () => number): string {
  const lines = text.split('\n');
  const at = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 4)) {
    case 0: {
      // change one number somewhere
      const nums = [...text.matchAll(/\d+/g)];
      if (!nums.length) return text;
      const m = nums[Math.floor(r() * nums.length)]!;
      return text.slice(0, m.index!) + String(Math.floor(r() * 3)) + text.slice(m.index! + m[0].length);
    }
    case 1: // a new line: everything below moves by a line and some characters
      lines.splice(at, 0, r() < 0.5 ? '// a note' : '');
      return lines.join('\n');
    case 2:
      lines.splice(at, 1);
      return lines.join('\n');
    default: {
      // a stray token inside a line
      const line = lines[at] ?? '';
      const col = Math.floor(r() * (line.length + 1));
      lines[at] = line.slice(0, col) + ['x', '= 1', '}', 'lr = 2'][Math.floor(r() * 4)] + line.slice(col);
      return lines.join('\n');
    }
  }
}

const strip = (ds: unknown): string => JSON.stringify(ds);

function sameAnswers(path: string, text0: string, seed: number, edits: number): number {
  const cache = new CheckCache();
  const r = seededRandom(seed);
  let text = text0;
  for (let i = 0; i <= edits; i++) {
    for (const lower of [false, true]) {
      const cold = compileSource(text, path, { lower }).diagnostics;
      const warm = compileSource(text, path, { lower, cache }).diagnostics;
      assert.equal(strip(warm), strip(cold), `${path}, seed ${seed}, edit ${i}, lower ${lower}: cached diagnostics differ\n--- text ---\n${text}`);
    }
    text = edit(text, r);
  }
  return cache.hits;
}

test('cached compiles answer exactly as cold ones on every recipe under seeded edits', () => {
  const files = [...sidFilesUnder(repoPath('recipes')), ...sidFilesUnder(repoPath('examples')), ...sidFilesUnder(repoPath('test/golden/diagnostics/cases'))];
  assert.ok(files.length > 50);
  let hits = 0;
  files.forEach((f, i) => (hits += sameAnswers(f, readFileSync(f, 'utf8'), 1000 + i, 4)));
  assert.ok(hits > 0, 'the cache was never used');
});

test('a file of many variants: an edit to one variant re-checks only that variant', () => {
  const path = repoPath('bench/incremental-test.sid');
  const text = recipeText(300);
  const cache = new CheckCache();
  compileSource(text, path, { cache });
  const before = cache.misses;
  // one variant's lr becomes 0 (an error), and a line is inserted above it: later recipes all move
  const at = text.indexOf('lr = 3e-5');
  const edited = text.slice(0, at) + '// moved\n    lr = 0e-5' + text.slice(at + 'lr = 3e-5'.length);
  const warm = compileSource(edited, path, { cache }).diagnostics;
  assert.deepEqual(warm, compileSource(edited, path).diagnostics);
  assert.equal(cache.misses - before, 1, 'only the edited variant is re-checked');
  assert.ok(
    warm.some((d) => d.code === 'SID2007'),
    'the new error is reported',
  );
  for (let seed = 0; seed < 3; seed++) sameAnswers(path, text, seed, 8);
});
