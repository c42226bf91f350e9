// bfloat16 emulation (docs/design.md: tfjs has no bf16 dtype). A bf16 number is the top 16 bits of a
// float32; rounding is exact round-to-nearest-even on the float32 bit pattern, which is also right for
// subnormals (same exponent field), rounds the largest values to +-inf as IEEE does, keeps +-inf and
// turns every NaN into a quiet NaN of the same sign.
import * as tf from '@tensorflow/tfjs-core';

/** Float32 bits -> bits of the nearest bf16 (as a float32 pattern with the low 16 bits zero). */
export function roundBf16Bits(bits: number): number {
  const b = bits >>> 0;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) return ((b & 0xffff0000) | 0x00400000) >>> 0; // NaN stays NaN
  const lsb = (b >>> 16) & 1;
  return ((b + 0x7fff + lsb) & 0xffff0000) >>> 0;
}

/** Rounds every element to bf16 in place; returns the same array. */
export function roundBf16InPlace(a: Float32Array): Float32Array {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < u.length; i++) {
    const b = u[i]!;
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) u[i] = (b & 0xffff0000) | 0x00400000;
    else u[i] = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
  }
  return a;
}

export function roundBf16(x: number): number {
  const a = new Float32Array([x]);
  return roundBf16InPlace(a)[0]!;
}

/** A new float32 tensor holding x rounded to bf16 (not differentiable; see castBf16). */
function bf16Tensor(x: tf.Tensor): tf.Tensor {
  const data = roundBf16InPlace(Float32Array.from(x.dataSync() as Float32Array));
  return tf.tensor(data, x.shape, 'float32');
}

/**
 * Differentiable cast to bf16 compute (AMP/BF16): the value is rounded, the gradient passes through
 * and is itself rounded, as an autocast bf16 backward produces bf16 gradients.
 */
export const castBf16 = tf.customGrad(((x: tf.Tensor) => ({
  value: bf16Tensor(x),
  gradFunc: (dy: tf.Tensor) => bf16Tensor(dy),
})) as never) as unknown as (x: tf.Tensor) => tf.Tensor;
