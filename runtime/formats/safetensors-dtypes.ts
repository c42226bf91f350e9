// Safetensors dtypes: byte sizes, and decoding raw little-endian bytes to float32 / encoding float32 to
// the three writable formats. Spec: https://github.com/huggingface/safetensors (format section).
import { endianness } from 'node:os';
import { F8_E4M3_TABLE, F8_E5M2_TABLE, decodeBf16, decodeF16, encodeBf16, encodeF16 } from './float-bits.js';

// Byte sizes and the dtype names live with the header reader (common/safetensors-dtype-sizes.ts).
export { DTYPE_BYTES, isDtype, type SafetensorsDtype } from '../../common/safetensors-dtype-sizes.js';
import { DTYPE_BYTES, type SafetensorsDtype } from '../../common/safetensors-dtype-sizes.js';
/** The dtypes the writer produces. */
export type WritableDtype = 'F32' | 'F16' | 'BF16';

export const WRITABLE_DTYPES: readonly WritableDtype[] = ['F32', 'F16', 'BF16'];

// Typed-array views below read the host's byte order; safetensors is little-endian, as is every
// platform Node runs on in practice. Refuse loudly rather than silently byte-swap wrong.
const LITTLE_ENDIAN = endianness() === 'LE';
function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN) throw new Error('safetensors I/O needs a little-endian host');
}

/** Typed-array views need aligned storage: copy when `bytes` does not start on a multiple of `align`. */
function aligned(bytes: Uint8Array, align: number): ArrayBuffer {
  if (bytes.byteOffset % align === 0) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function offsetOf(bytes: Uint8Array, align: number): number {
  return bytes.byteOffset % align === 0 ? bytes.byteOffset : 0;
}

/**
 * Raw little-endian bytes of `count` elements -> float32 values. F32 data is viewed, not copied, when
 * aligned. Integers beyond 2^24 and F64 values lose precision, as any float32 conversion must.
 */
export function decodeToF32(dtype: SafetensorsDtype, bytes: Uint8Array, count: number): Float32Array {
  assertLittleEndianHost();
  const size = DTYPE_BYTES[dtype];
  const buf = aligned(bytes, size);
  const off = offsetOf(bytes, size);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf, off, count);
    case 'F16':
      return decodeF16(new Uint16Array(buf, off, count));
    case 'BF16':
      return decodeBf16(new Uint16Array(buf, off, count));
    case 'F64':
      return Float32Array.from(new Float64Array(buf, off, count));
    case 'I64':
      return Float32Array.from(new BigInt64Array(buf, off, count), (v) => Number(v));
    case 'U64':
      return Float32Array.from(new BigUint64Array(buf, off, count), (v) => Number(v));
    case 'I32':
      return Float32Array.from(new Int32Array(buf, off, count));
    case 'U32':
      return Float32Array.from(new Uint32Array(buf, off, count));
    case 'I16':
      return Float32Array.from(new Int16Array(buf, off, count));
    case 'U16':
      return Float32Array.from(new Uint16Array(buf, off, count));
    case 'I8':
      return Float32Array.from(new Int8Array(buf, off, count));
    case 'U8':
      return Float32Array.from(new Uint8Array(buf, off, count));
    case 'BOOL':
      return Float32Array.from(new Uint8Array(buf, off, count), (v) => (v !== 0 ? 1 : 0));
    case 'F8_E4M3':
      return Float32Array.from(new Uint8Array(buf, off, count), (v) => F8_E4M3_TABLE[v]!);
    case 'F8_E5M2':
      return Float32Array.from(new Uint8Array(buf, off, count), (v) => F8_E5M2_TABLE[v]!);
  }
}

/** float32 values -> little-endian bytes of a writable dtype (BF16/F16 rounded to nearest even). */
export function encodeFromF32(dtype: WritableDtype, data: Float32Array): Uint8Array {
  assertLittleEndianHost();
  switch (dtype) {
    case 'F32':
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    case 'F16': {
      const h = encodeF16(data);
      return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
    }
    case 'BF16': {
      const h = encodeBf16(data);
      return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
    }
  }
}
