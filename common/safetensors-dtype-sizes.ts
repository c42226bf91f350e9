// Safetensors dtype names and their byte sizes (the format's table), which the header reader needs to
// check data_offsets; the decoders and encoders stay in runtime/formats/safetensors-dtypes.ts.
export const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

/** Every dtype the reader understands (all decode to Float32Array). */
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.hasOwn(DTYPE_BYTES, s);
}
