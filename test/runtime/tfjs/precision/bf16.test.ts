// bf16 rounding against an independent oracle: the two bf16 neighbours of x compared in float64
// arithmetic (exact for float32 inputs), ties to the even mantissa, overflow past the midpoint to inf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundBf16Bits, roundBf16InPlace } from '../../../../runtime/tfjs/precision/bf16.js';
import { Rng } from '../../../../runtime/rng/prng.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]!);
const valOf = (b: number) => ((u32[0] = b >>> 0), f32[0]!);

function oracle(bits: number): number {
  const x = valOf(bits);
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return x;
  const sign = bits >>> 31 ? -1 : 1;
  const a = Math.abs(x);
  const lo = valOf(bitsOf(a) & 0xffff0000); // truncation toward zero: a bf16 value <= a
  if (lo === a) return sign * a;
  const loBits = bitsOf(lo);
  const hiBits = loBits + 0x10000;
  const hi = hiBits >= 0x7f800000 ? 2 ** 128 : valOf(hiBits); // past the largest finite bf16: +inf (as 2^128 in distance)
  const dl = a - lo;
  const dh = hi - a;
  let r: number;
  if (dl < dh) r = lo;
  else if (dh < dl) r = hi;
  else r = ((loBits >>> 16) & 1) === 0 ? lo : hi;
  if (r === 2 ** 128) r = Infinity;
  return sign * r;
}

test('bf16 rounding equals the bit-level oracle on random, tie, subnormal and extreme values', () => {
  const rng = new Rng(7);
  const cases: number[] = [];
  for (let i = 0; i < 20000; i++) cases.push(rng.nextU32()); // any bit pattern: normals, subnormals, inf, NaN
  for (let i = 0; i < 5000; i++) cases.push(((rng.nextU32() & 0xffff0000) | 0x8000) >>> 0); // exact ties
  for (let i = 0; i < 2000; i++) cases.push(rng.nextU32() & 0x807fffff); // subnormals
  cases.push(0, 0x80000000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x7f7f8000, 0x7f7f7fff, 0x00008000, 0x00018000, 0x3f808000, 0x3f818000, 0x7fc00001, 0xffc00000);
  let ties = 0;
  for (const b of cases) {
    const want = oracle(b);
    const got = valOf(roundBf16Bits(b));
    if ((b & 0xffff) === 0x8000) ties++;
    if (Number.isNaN(want)) {
      assert.ok(Number.isNaN(got), `NaN pattern ${b.toString(16)} must stay NaN`);
      continue;
    }
    assert.ok(Object.is(got, want), `bits ${b.toString(16)}: got ${got}, oracle ${want}`);
  }
  assert.ok(ties > 4000);
  // the array version agrees with the scalar one
  const arr = Float32Array.from(cases.slice(0, 3000).map(valOf));
  const ref = cases.slice(0, 3000).map((b) => valOf(roundBf16Bits(b)));
  roundBf16InPlace(arr).forEach((v, i) => assert.ok(Object.is(v, ref[i]) || (Number.isNaN(v) && Number.isNaN(ref[i]!))));
});

test('bf16 specific values: ties to even, overflow to inf, 1 + 2^-8 rounds to 1', () => {
  assert.equal(valOf(roundBf16Bits(bitsOf(1 + 2 ** -8))), 1); // tie, even mantissa stays
  assert.equal(valOf(roundBf16Bits(bitsOf(1 + 3 * 2 ** -8))), 1 + 2 ** -6); // tie, odd mantissa rounds up
  assert.equal(valOf(roundBf16Bits(0x7f7fffff)), Infinity);
  assert.equal(valOf(roundBf16Bits(bitsOf(-0))), -0);
});
