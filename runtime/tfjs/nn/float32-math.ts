// Float32 arithmetic as PyTorch's CPU kernels do it, for the tables diffusers builds in float32.
// diffusers' get_timestep_embedding computes its frequencies as exp(-ln(max_period) * i / (half - shift))
// in float32: the exponent is rounded to float32 at each step and torch.exp on CPU is SLEEF's
// expf_u10 (ATen's Vectorized<float>::exp), which is within 1 ulp but not always correctly rounded.
// FLUX feeds t x 1000 and guidance x 1000 into that table, so one ulp of a frequency moves a
// sinusoid by up to ~3e-4 at 5000 rad; matching the table bit for bit is the only way to agree.
const f32 = Math.fround;

/** Round half to even (vrint / nearbyint in the default rounding mode). */
function rintHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** fma(a, b, c) rounded once to float32, for float32 a, b, c: the product is exact in float64, and the
 *  one case where rounding the float64 sum again could differ (a float32 tie) is settled by the sum's
 *  exact error term. */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb); // TwoSum: s + err == p + c exactly
  const r = f32(s);
  if (err === 0 || r === s) return r;
  const other = 2 * s - r; // when s is halfway between two float32 numbers, the other one
  if (other === r || f32(other) !== other) return r;
  return err > 0 ? Math.max(r, other) : Math.min(r, other);
}

const R_LN2F = f32(1.442695040888963407359924681001892137426645954152985934135449406931);
const L2UF = f32(0.693145751953125);
const L2LF = f32(1.428606765330187045e-6);
const EXP_POLY = [
  0.000198527617612853646278381, 0.00139304355252534151077271, 0.00833336077630519866943359, 0.0416664853692054748535156, 0.166666671633720397949219, 0.5,
].map(f32);

/** torch.exp of a float32 on CPU: SLEEF xexpf (u10): Cody-Waite reduction by ln 2, degree-7 polynomial, FMA throughout. */
export function expf(x: number): number {
  const d = f32(x);
  if (d < -104) return 0;
  if (d > 100) return Infinity;
  const q = rintHalfEven(f32(d * R_LN2F));
  let s = fmaf(q, -L2UF, d);
  s = fmaf(q, -L2LF, s);
  let u = EXP_POLY[0]!;
  for (let i = 1; i < EXP_POLY.length; i++) u = fmaf(u, s, EXP_POLY[i]!);
  u = f32(1 + fmaf(f32(s * s), u, s));
  return f32(u * 2 ** q); // ldexp: exact in the normal range reached here
}

/** diffusers get_timestep_embedding's frequencies exp(-ln(max_period) i / (half - shift)), i < half, in
 *  torch's float32 arithmetic: each product and quotient rounded to float32, then expf. */
export function timestepFrequencies(half: number, maxPeriod = 10000, shift = 0): Float32Array {
  const c = f32(-Math.log(maxPeriod));
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = expf(f32(f32(c * i) / f32(half - shift)));
  return out;
}
