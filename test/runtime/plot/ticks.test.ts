import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataRange, formatTick, formatTicks, linearTicks, logTicks } from '../../../runtime/plot/ticks.js';

test('linear ticks: inside the range, evenly spaced by 1, 2 or 5 x 10^k', () => {
  for (const [lo, hi] of [[0, 1], [-3.7, 12.2], [0.0013, 0.0029], [-1e6, 5e6], [99, 101]] as const) {
    const t = linearTicks(lo, hi, 6);
    assert.ok(t.length >= 3 && t.length <= 13, `${lo}..${hi}: ${t}`);
    assert.ok(t.every((v) => v >= lo - 1e-12 && v <= hi + 1e-12));
    const step = t[1]! - t[0]!;
    const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((k) => Math.abs(m - k) < 1e-6), `step ${step}`);
    for (let i = 1; i < t.length; i++) assert.ok(Math.abs(t[i]! - t[i - 1]! - step) < step * 1e-6);
  }
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test('log ticks: decades, with 2 and 5 on short ranges', () => {
  assert.deepEqual(logTicks(1e-3, 1e3), [1e-3, 1e-2, 0.1, 1, 10, 100, 1000]);
  assert.deepEqual(logTicks(0.03, 2), [0.05, 0.1, 0.2, 0.5, 1, 2]);
});

test('data range ignores non-finite values and never collapses', () => {
  assert.deepEqual(dataRange([1, NaN, 3, Infinity], 0), [1, 3]);
  assert.deepEqual(dataRange([2, 2], 0), [1.8, 2.2]);
  assert.deepEqual(dataRange([], 0), [0, 1]);
});

test('tick labels', () => {
  assert.equal(formatTick(0), '0');
  assert.equal(formatTick(0.30000000000000004), '0.3');
  assert.equal(formatTick(1e-4), '1e-4');
  assert.equal(formatTick(2.5e6), '2.5e6');
  assert.equal(formatTick(-1500), '-1500');
});

test('axis labels are consistent across an axis: k/M for round step counts', () => {
  assert.deepEqual(formatTicks([0, 50000, 100000, 150000, 200000]), ['0', '50k', '100k', '150k', '200k']);
  assert.deepEqual(formatTicks([0, 2.5e6, 5e6]), ['0', '2.5M', '5M']);
  assert.deepEqual(formatTicks([0, 200, 400]), ['0', '200', '400']);
  assert.deepEqual(formatTicks([0, 0.5, 1]), ['0', '0.5', '1']);
  assert.deepEqual(formatTicks([1e-5, 2e-5]), ['1e-5', '2e-5']);
});
