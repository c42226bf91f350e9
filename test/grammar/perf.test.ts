// The 5,000-line file of bench/grammar-parse.bench.ts parses without problems. The bound is generous (the
// machine is shared); the real number comes from `npm run bench -- grammar-parse`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSid } from '../../grammar/index.js';
import { generateRecipes } from '../../bench/grammar-parse.bench.js';

test('a generated 5,000-line recipe file parses quickly and completely', () => {
  const text = generateRecipes(5000);
  for (let i = 0; i < 3; i++) parseSid(text, 'big.sid'); // warm-up
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const r = parseSid(text, 'big.sid');
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
    assert.equal(r.problems.length, 0);
    assert.ok(r.file.items.length > 500);
  }
  assert.ok(best < 1000, `parse took ${best.toFixed(0)} ms of CPU`);
});
