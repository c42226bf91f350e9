// Oracles: the exact midpoints between neighbouring narrow floats, computed in float64 arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F8_E4M3_TABLE,
  F8_E5M2_TABLE,
  bf16FromF32Bits,
  decodeBf16,
  decodeF16,
  encodeBf16,
  encodeF16,
  f16FromF32Bits,
  f32Bits,
  f32BitsFromF16,
  f32FromBits,
  roundToBf16InPlace,
} from '../../../runtime/formats/float-bits.js';

/** Value of f16 bits by the textbook formula (independent of the converter under test). */
function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}
function bf16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 7) & 255;
  const m = h & 127;
  if (e === 255) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -133 : s * (1 + m / 128) * 2 ** (e - 127);
}
const nextUp = (x: number): number => f32FromBits(f32Bits(x) + 1); // x > 0
const nextDown = (x: number): number => f32FromBits(f32Bits(x) - 1);

/** Checks rounding at every boundary between codes h and h+1 (positive and negative). */
function checkAllMidpoints(encode: (bits: number) => number, value: (h: number) => number, maxFinite: number, overflowValue: number): void {
  for (let h = 0; h <= maxFinite; h++) {
    const lo = value(h);
    const hi = h === maxFinite ? overflowValue : value(h + 1);
    const mid = (lo + hi) / 2;
    assert.equal(Math.fround(mid), mid, `midpoint of ${h} is a float32`);
    const even = h % 2 === 0 ? h : h + 1;
    for (const sign of [0, 0x8000]) {
      const sg = sign ? -1 : 1;
      const at = encode(f32Bits(sg * mid));
      if (at !== (even | sign)) assert.fail(`tie at ${sg * mid} -> ${at.toString(16)}, want ${(even | sign).toString(16)}`);
      if (encode(f32Bits(sg * nextDown(mid))) !== (h | sign)) assert.fail(`below midpoint of ${h.toString(16)}`);
      if (encode(f32Bits(sg * nextUp(mid))) !== ((h + 1) | sign)) assert.fail(`above midpoint of ${h.toString(16)}`);
      if (h > 0 && encode(f32Bits(sg * lo)) !== (h | sign)) assert.fail(`exact value of ${h.toString(16)}`);
    }
  }
}

test('f16: every code decodes to its textbook value', () => {
  for (let h = 0; h < 65536; h++) {
    const v = f32FromBits(f32BitsFromF16(h));
    const want = f16Value(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(v));
    else if (!Object.is(v, want)) assert.fail(`code ${h.toString(16)}: ${v} != ${want}`);
  }
});

test('f16: round-to-nearest-even at every midpoint, subnormals and overflow included', () => {
  // 0x7bff = 65504 (max finite); beyond it the next "code" is infinity, whose midpoint is 65520.
  checkAllMidpoints(f16FromF32Bits, f16Value, 0x7bff, 65536);
  assert.equal(f16FromF32Bits(f32Bits(2 ** -25)), 0, 'half the smallest subnormal ties to zero');
  assert.equal(f16FromF32Bits(f32Bits(1e-10)), 0);
  assert.equal(f16FromF32Bits(f32Bits(-1e-10)), 0x8000);
  assert.equal(f16FromF32Bits(f32Bits(1e9)), 0x7c00);
});

test('bf16: round-to-nearest-even at every midpoint, subnormals and overflow included', () => {
  checkAllMidpoints(bf16FromF32Bits, bf16Value, 0x7f7f, 2 ** 128);
});

test('NaN stays NaN, infinities and signed zero survive both formats', () => {
  const src = new Float32Array([NaN, Infinity, -Infinity, -0, 0, f32FromBits(0x7f800001)]);
  for (const [enc, dec] of [
    [encodeF16, decodeF16],
    [encodeBf16, decodeBf16],
  ] as const) {
    const out = dec(enc(src));
    assert.ok(Number.isNaN(out[0]!) && Number.isNaN(out[5]!), 'signalling NaN must not become infinity');
    assert.equal(out[1], Infinity);
    assert.equal(out[2], -Infinity);
    assert.ok(Object.is(out[3], -0));
    assert.ok(Object.is(out[4], 0));
  }
});

test('roundToBf16InPlace equals decode(encode(x)) and is idempotent', () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 20) - 10));
  const want = decodeBf16(encodeBf16(x));
  const got = roundToBf16InPlace(x.slice());
  assert.deepEqual(got, want);
  assert.deepEqual(roundToBf16InPlace(got.slice()), got);
  assert.ok(
    got.some((v, i) => v !== x[i]),
    'rounding changed something',
  );
});

test('fp8 tables: known values of E4M3FN and E5M2', () => {
  assert.equal(F8_E4M3_TABLE[0x7e], 448); // max finite
  assert.ok(Number.isNaN(F8_E4M3_TABLE[0x7f]!));
  assert.equal(F8_E4M3_TABLE[0x01], 2 ** -9); // smallest subnormal
  assert.equal(F8_E4M3_TABLE[0x38], 1);
  assert.equal(F8_E4M3_TABLE[0xb8], -1);
  assert.equal(F8_E5M2_TABLE[0x7b], 57344);
  assert.equal(F8_E5M2_TABLE[0x7c], Infinity);
  assert.ok(Number.isNaN(F8_E5M2_TABLE[0x7d]!));
  assert.equal(F8_E5M2_TABLE[0x3c], 1);
  assert.equal(F8_E5M2_TABLE[0x01], 2 ** -16);
});
