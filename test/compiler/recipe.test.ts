// Registries: distributions (quantiles are monotone; the TrigFlow schedule equals logit_normal(ln 2, 1.6)
// as docs/algorithm.md §9 says), weightings, and "did you mean".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISTRIBUTIONS, DISTRIBUTIONS_BY_NAME, distCdf, normalQuantile } from '../../compiler/recipe/distributions.js';
import { evalWeightExpr, NAMED_WEIGHTINGS } from '../../compiler/recipe/weightings.js';
import { WEIGHTINGS } from '../../compiler/recipe/settings.js';
import { didYouMean, editDistance } from '../../compiler/util/names.js';

const defaults = (name: string): Record<string, number> => Object.fromEntries(DISTRIBUTIONS_BY_NAME.get(name)!.params.map((p) => [p.name, p.default]));

test('every distribution has a nondecreasing quantile inside [0, 1]', () => {
  for (const d of DISTRIBUTIONS) {
    let prev = -Infinity;
    for (let i = 1; i < 100; i++) {
      const t = d.quantile(i / 100, defaults(d.name));
      assert.ok(t >= 0 && t <= 1, `${d.name} at ${i / 100}: ${t}`);
      assert.ok(t >= prev - 1e-12, `${d.name} decreases at ${i / 100}`);
      prev = t;
    }
  }
});

test('normal quantile: symmetric and accurate at known points', () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.01) + normalQuantile(0.99)) < 1e-9);
});

test('TrigFlow with p_mean 0, p_std 1.6 is logit_normal(ln 2, 1.6) (docs/algorithm.md §9)', () => {
  const tf = DISTRIBUTIONS_BY_NAME.get('trigflow')!;
  const ln = DISTRIBUTIONS_BY_NAME.get('logit_normal')!;
  for (const p of [0.01, 0.2, 0.5, 0.8, 0.99]) {
    assert.ok(Math.abs(tf.quantile(p, { p_mean: 0, p_std: 1.6, sigma_d: 0.5 }) - ln.quantile(p, { mean: Math.log(2), std: 1.6 })) < 1e-12);
  }
  assert.ok(Math.abs(ln.quantile(0.5, { mean: Math.log(2), std: 1.6 }) - 2 / 3) < 1e-9); // median sigmoid(ln 2)
});

test('cdf inverts the quantile', () => {
  const d = DISTRIBUTIONS_BY_NAME.get('logit_normal')!;
  const q = { mean: 0.3, std: 1.2 };
  for (const p of [0.1, 0.5, 0.9]) assert.ok(Math.abs(distCdf(d, q, d.quantile(p, q)) - p) < 1e-6);
});

test('named weightings exist for every name of settings.ts and agree with their formula', () => {
  for (const w of WEIGHTINGS) assert.ok(w in NAMED_WEIGHTINGS, w);
  assert.equal(NAMED_WEIGHTINGS.sqrt_snr!(0.25), 3);
  assert.equal(evalWeightExpr({ op: '-', args: [1, { var: 't' }] }, 0.25), 0.75);
  assert.equal(evalWeightExpr({ op: 'sqrt', args: [{ op: '/', args: [{ var: 't' }, 4] }] }, 1), 0.5);
});

test('did you mean', () => {
  assert.equal(editDistance('optimizr', 'optimizer'), 1);
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(didYouMean('optimizr', ['optimizer', 'teacher']), 'optimizer');
  assert.equal(didYouMean('zzzz', ['optimizer', 'teacher']), undefined);
});
