// The JSON header of a safetensors file, and nothing else: an 8-byte little-endian length N, then N bytes
// of JSON mapping tensor names to {dtype, shape, data_offsets} plus an optional "__metadata__" map of
// strings (the safetensors format). check/files.ts reads it to compare shapes without touching tensor data;
// the compiler never imports runtime/, whose reader (runtime/formats/safetensors.ts) also loads the data.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

interface HeaderTensor {
  dtype: string;
  shape: number[];
}

export interface SafetensorsHeader {
  tensors: Record<string, HeaderTensor>;
  metadata: Record<string, string>;
}

/** Headers above this size are refused (the format's own reference reader uses 100 MB). */
const MAX_HEADER = 100_000_000;

/** Reads and validates the header; throws an Error whose message says what is wrong (no path in it). */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new Error(`${size} bytes: too short for a safetensors file (8-byte header length first)`);
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = len.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER, size - 8)))
      throw new Error(`header length ${n} does not fit in the file (${size} bytes): not a safetensors file, or truncated`);
    const buf = Buffer.alloc(Number(n));
    readSync(fd, buf, 0, buf.length, 8);
    let json: unknown;
    try {
      json = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw new Error(`the header is not JSON (${(e as Error).message}): not a safetensors file`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the header is not a JSON object: not a safetensors file');
    const tensors: Record<string, HeaderTensor> = {};
    let metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      if (k === '__metadata__') {
        if (v && typeof v === 'object' && !Array.isArray(v))
          metadata = Object.fromEntries(Object.entries(v).filter(([, s]) => typeof s === 'string')) as Record<string, string>;
        continue;
      }
      const t = v as { dtype?: unknown; shape?: unknown } | null;
      if (!t || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new Error(`tensor "${k}" has no valid dtype and shape in the header`);
      }
      tensors[k] = { dtype: t.dtype, shape: t.shape as number[] };
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}
