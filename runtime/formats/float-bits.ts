// Bit-exact conversions between float32 and the narrow float formats found in checkpoint files.
// Rounding is IEEE 754 round-to-nearest, ties-to-even, including subnormals; infinities keep their sign,
// NaN stays NaN (quiet). Everything works on a Uint32 view of the float32 bits, never through Math.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits of x (x is first rounded to float32). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** float32 value with the given bits. */
export function f32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

// ---- bfloat16: the upper half of a float32 (same exponent range, 8-bit significand) ----

/** float32 bits -> bf16 bits, round-to-nearest-even. */
export function bf16FromF32Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff; // NaN: keep sign, make quiet
  // Adding 0x7fff plus the lowest kept bit rounds half to even; a carry into the exponent is correct
  // (it yields the next binade or infinity).
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Encodes float32 values as bf16 (one Uint16 per value). */
export function encodeBf16(src: Float32Array, dst = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = bf16FromF32Bits(bits[i]!);
  return dst;
}

/** Decodes bf16 values to float32 (exact: every bf16 is a float32). */
export function decodeBf16(src: Uint16Array, dst = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
  return dst;
}

/** Rounds float32 values to the nearest bf16 in place (the bf16 storage emulation). */
export function roundToBf16InPlace(a: Float32Array): Float32Array {
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) bits[i] = bf16FromF32Bits(bits[i]!) << 16;
  return a;
}

// ---- IEEE half (float16): 5-bit exponent (bias 15), 10-bit significand, subnormals below 2^-14 ----

/** float32 bits -> f16 bits, round-to-nearest-even (overflow -> inf, underflow through subnormals to 0). */
export function f16FromF32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00; // NaN (quiet) / inf
  const e = exp - 127 + 15; // biased f16 exponent
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal result: value = (mant | 1<<23) * 2^(exp-150) = m * 2^-24 with m = (mant | 1<<23) >> (14 - e).
    if (e < -10) return sign; // below half the smallest subnormal (2^-25): rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && r & 1)) r++; // r may reach 0x400: the smallest normal, correctly encoded
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++; // carry may reach 0x7c00 = inf: correct
  return sign | r;
}

/** f16 bits -> float32 bits (exact). */
export function f32BitsFromF16(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: normalise the significand. value = mant * 2^-24.
  let e = -14;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

let f16Table: Float32Array | undefined;
/** All 65536 f16 values as float32, built on first use (256 KiB). */
function f16ToF32Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    const bits = new Uint32Array(f16Table.buffer);
    for (let h = 0; h < 65536; h++) bits[h] = f32BitsFromF16(h);
  }
  return f16Table;
}

export function encodeF16(src: Float32Array, dst = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f16FromF32Bits(bits[i]!);
  return dst;
}

export function decodeF16(src: Uint16Array, dst = new Float32Array(src.length)): Float32Array {
  const t = f16ToF32Table();
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i]!]!;
  return dst;
}

// ---- 8-bit floats (read only): OCP FP8 E4M3FN (bias 7, no inf, S.1111.111 = NaN) and E5M2 (IEEE-like) ----

function fp8Table(expBits: number, bias: number, finiteOnly: boolean): Float32Array {
  const t = new Float32Array(256);
  const mantBits = 7 - expBits;
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    const exp = (b >>> mantBits) & ((1 << expBits) - 1);
    const mant = b & ((1 << mantBits) - 1);
    const maxExp = (1 << expBits) - 1;
    let v: number;
    if (finiteOnly ? exp === maxExp && mant === (1 << mantBits) - 1 : exp === maxExp && mant !== 0) v = NaN;
    else if (!finiteOnly && exp === maxExp) v = sign * Infinity;
    else if (exp === 0) v = sign * mant * 2 ** (1 - bias - mantBits);
    else v = sign * (1 + mant / (1 << mantBits)) * 2 ** (exp - bias);
    t[b] = v;
  }
  return t;
}

export const F8_E4M3_TABLE: Float32Array = fp8Table(4, 7, true);
export const F8_E5M2_TABLE: Float32Array = fp8Table(5, 15, false);
