// The named loss weightings w(t) have one definition (compiler/recipe/weightings.ts) that the runtime
// evaluates: these pin it, bit for bit, to the formulas the runtime computed before the tables were merged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAMED_WEIGHTINGS } from '../../../compiler/recipe/weightings.js';
import { WEIGHTINGS } from '../../../compiler/recipe/settings.js';
import { weightingOfT } from '../../../runtime/schedule/weighting.js';

// The runtime's former table, written out as it was (snr as ((1 - t) / t)^2, not (1 - t)^2 / t^2).
const RUNTIME_FORMULAS: Record<string, (t: number) => number> = {
  one_minus_t: (t) => 1 - t,
  inv_t: (t) => 1 / t,
  one_minus_t_sq: (t) => (1 - t) ** 2,
  sqrt_snr: (t) => (1 - t) / t,
  snr: (t) => ((1 - t) / t) ** 2,
  constant: () => 1,
};

// 4001 evenly spaced points, the float32 values the runtime sees, and the ends of the open interval
const GRID = [
  ...Array.from({ length: 4001 }, (_, i) => (i + 0.5) / 4001),
  ...Array.from({ length: 1000 }, (_, i) => Math.fround((i + 1) / 1001)),
  Number.EPSILON,
  1 - Number.EPSILON,
  1e-6,
  0.999999,
];

test('every named weighting of the settings registry is in the one table, and only those', () => {
  assert.deepEqual(Object.keys(NAMED_WEIGHTINGS).sort(), [...WEIGHTINGS].sort());
  assert.equal(NAMED_WEIGHTINGS.sid_norm, null);
  assert.equal(weightingOfT({ name: 'sid_norm' }), 'sid_norm');
});

test("the runtime's named weightings are bit-identical to its former formulas on a grid of t", () => {
  for (const [name, formula] of Object.entries(RUNTIME_FORMULAS)) {
    const w = weightingOfT({ name });
    assert.equal(typeof w, 'function', name);
    for (const t of GRID) {
      const got = (w as (t: number) => number)(t);
      const want = formula(t);
      assert.ok(Object.is(got, want), `${name}(${t}) = ${got}, was ${want}`);
    }
  }
  assert.deepEqual(
    Object.keys(RUNTIME_FORMULAS).sort(),
    Object.keys(NAMED_WEIGHTINGS)
      .filter((n) => NAMED_WEIGHTINGS[n] !== null)
      .sort(),
  );
});

test('snr keeps the rounding of ((1 - t) / t)^2, which (1 - t)^2 / t^2 does not share', () => {
  // Guard on the choice: the two forms really differ, so the written form matters.
  const differ = GRID.filter((t) => ((1 - t) / t) ** 2 !== (1 - t) ** 2 / t ** 2).length;
  assert.ok(differ > 0, 'the two forms of snr agree everywhere; the comment in weightings.ts is stale');
  for (const t of GRID) assert.ok(Object.is(NAMED_WEIGHTINGS.snr!(t), ((1 - t) / t) ** 2));
});

test('an unknown name lists the known ones once each', () => {
  assert.throws(() => weightingOfT({ name: 'nope' }), /unknown weighting nope; known: one_minus_t, inv_t, one_minus_t_sq, sqrt_snr, snr, constant, sid_norm$/);
});
