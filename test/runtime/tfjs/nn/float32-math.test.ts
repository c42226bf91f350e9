// torch's float32 CPU arithmetic for diffusers' sinusoidal tables (runtime/tfjs/nn/float32-math.ts). The bit-exact
// agreement with torch.exp is checked in test/runtime/tfjs/families/reference.test.ts when torch is present;
// here: properties that hold without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expf, fmaf, timestepFrequencies } from '../../../../runtime/tfjs/nn/float32-math.js';

const f32 = Math.fround;
/** float32 ulps between a and b (same sign, finite). */
function ulps(a: number, b: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat32(0, a);
  buf.setFloat32(4, b);
  return Math.abs(buf.getInt32(0) - buf.getInt32(4));
}

test('fmaf rounds a*b + c once: a float32 tie broken by a term below float64 precision', () => {
  const a = f32(1 + 2 ** -12);
  // a*a = 1 + 2^-11 + 2^-24 is halfway between two float32 numbers; + 2^-60 tips it up, which rounding the
  // float64 sum (the tie again) and then to float32 (ties to even, down) would miss
  assert.equal(fmaf(a, a, 2 ** -60), f32(1 + 2 ** -11 + 2 ** -23));
  assert.equal(fmaf(a, a, -(2 ** -60)), f32(1 + 2 ** -11));
  assert.equal(f32(a * a + 2 ** -60), f32(1 + 2 ** -11), 'the naive double rounding this guards against');
  assert.equal(fmaf(3, 5, 7), 22);
  assert.equal(fmaf(f32(0.1), 10, -1), f32(f32(0.1) * 10 - 1));
});

test('expf is within 1 ulp of the correctly rounded exp on the range the tables use, and exact at 0', () => {
  assert.equal(expf(0), 1);
  let worst = 0;
  for (let i = 0; i <= 20000; i++) {
    const x = f32(-10 + (i / 20000) * 12);
    worst = Math.max(worst, ulps(expf(x), f32(Math.exp(x))));
  }
  assert.ok(worst <= 1, `worst ${worst} ulp`);
  assert.equal(expf(-200), 0);
  assert.equal(expf(200), Infinity);
});

test('timestepFrequencies: f_0 = 1, decreasing, within 12 ulp of 10000^(-i/half) (rounding of the float32 exponent)', () => {
  const f = timestepFrequencies(128);
  assert.equal(f[0], 1);
  for (let i = 1; i < 128; i++) {
    assert.ok(f[i]! < f[i - 1]!);
    assert.ok(ulps(f[i]!, f32(Math.pow(10000, -i / 128))) <= 12, `i ${i}`);
  }
  // the float32 exponent -ln(1e4) i / half differs from the float64 one: some frequencies must differ from
  // the float64-rounded table (that difference is the point of the convention)
  const f64 = Float32Array.from({ length: 128 }, (_, i) => Math.exp((-Math.log(10000) * i) / 128));
  assert.ok(f.some((v, i) => v !== f64[i]));
});
