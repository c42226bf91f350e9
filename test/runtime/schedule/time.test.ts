// p(t), its restriction, the TrigFlow identity of docs/algorithm.md §9 and pi(t) of eq. 14.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restriction, sampleTimes, timeDist } from '../../../runtime/schedule/time-dist.js';
import { piCurve } from '../../../runtime/schedule/pi.js';
import { compileExpr, weightingOfT } from '../../../runtime/schedule/weighting.js';
import { Rng } from '../../../runtime/rng/prng.js';

const LN = { kind: 'logit_normal', mean: Math.LN2, std: 1.6 };

test("sigmoid(N(ln 2, 1.6)) equals SANA-Sprint's TrigFlow sampler atan(exp(N(0, 1.6)) / 0.5) mapped by t = sin s / (sin s + cos s)", () => {
  const rng = new Rng(5);
  const d = timeDist(LN);
  for (let i = 0; i < 2000; i++) {
    const u = rng.uniform();
    const n = d.inv(u); // t from our sampler
    const z = Math.log(n / (1 - n)) - Math.LN2; // the N(0, 1.6) draw behind it
    const s = Math.atan(Math.exp(z) / 0.5);
    const tTrig = Math.sin(s) / (Math.sin(s) + Math.cos(s));
    assert.ok(Math.abs(tTrig - n) < 1e-12, `${tTrig} vs ${n}`);
  }
  // and directly, for the same normal draws
  for (let i = 0; i < 2000; i++) {
    const z = 1.6 * rng.normal();
    const s = Math.atan(Math.exp(z) / 0.5);
    assert.ok(Math.abs(Math.sin(s) / (Math.sin(s) + Math.cos(s)) - 1 / (1 + Math.exp(-(z + Math.LN2)))) < 1e-12);
  }
});

test('restricted sampling stays inside the interval and inverse CDF matches rejection in distribution', () => {
  const d = timeDist(LN);
  const iv: [number, number] = [1 / 3, 2 / 3];
  const a = sampleTimes(d, iv, 20000, new Rng(1), 'inverse_cdf');
  const b = sampleTimes(d, iv, 20000, new Rng(2), 'rejection');
  for (const t of [...a, ...b]) assert.ok(t > iv[0] && t < iv[1]);
  // two-sample Kolmogorov-Smirnov statistic
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  let ks = 0;
  for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) ks = Math.max(ks, Math.abs(sa[Math.floor(q * sa.length)]! - sb[Math.floor(q * sb.length)]!));
  assert.ok(ks < 0.01, `quantiles differ by ${ks}`);
  // the unrestricted median of sigmoid(N(ln 2, s)) is sigmoid(ln 2) = 2/3
  const full = Float64Array.from(sampleTimes(d, [0, 1], 20000, new Rng(3))).sort();
  assert.ok(Math.abs(full[10000]! - 2 / 3) < 0.01);
  assert.deepEqual(restriction({ ...LN, interval: [0.2, 0.4] }, undefined), [0.2, 0.4]);
  assert.throws(() => sampleTimes(timeDist({ kind: 'uniform' }), [0.5, 0.5], 1, new Rng(1)), /zero probability/);
});

test('pi(t) = w p / E_p[w] integrates to 1 and is 2(1 - t) for uniform p with w = 1 - t (eq. 14)', () => {
  const n = 4000;
  for (const [dist, w] of [
    [{ kind: 'uniform' }, { name: 'one_minus_t' }],
    [LN, { name: 'one_minus_t' }],
    [LN, { name: 'inv_t' }],
    [LN, { name: 'one_minus_t_sq' }],
  ] as const) {
    const f = weightingOfT(w);
    assert.notEqual(f, 'sid_norm');
    const c = piCurve(timeDist(dist), f as (t: number) => number, n);
    const integral = c.pi.reduce((s, v) => s + v / n, 0);
    assert.ok(Math.abs(integral - 1) < 1e-9, `integral ${integral}`);
  }
  const u = piCurve(timeDist({ kind: 'uniform' }), (t) => 1 - t, n);
  for (let i = 0; i < n; i += 97) assert.ok(Math.abs(u.pi[i]! - 2 * (1 - u.t[i]!)) < 1e-9);
  assert.ok(Math.abs(u.norm - 0.5) < 1e-9);
});

test('weighting expressions: named weightings and JSON expression trees agree', () => {
  const e = compileExpr({
    op: '/',
    args: [
      { op: '^', args: [{ op: '-', args: [1, 't'] }, 2] },
      { op: '^', args: ['t', 2] },
    ],
  });
  const snr = weightingOfT({ name: 'snr' }) as (t: number) => number;
  for (const t of [0.1, 0.5, 0.9]) assert.ok(Math.abs(e(t) - snr(t)) < 1e-12);
  assert.equal(compileExpr({ call: 'ln', args: [{ op: '+', left: 1, right: 't' }] })(Math.E - 1), 1);
  assert.throws(() => weightingOfT({ name: 'nope' }), /unknown weighting/);
});
