// Reads and validates a safetensors header without touching the tensor data: 8 bytes of little-endian
// u64 header length N, then N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the data section. Offsets are relative to the data section;
// the reference implementation requires the tensors to tile the data section exactly (no gaps, no
// overlaps, nothing after the last one) and so do we - anything else means a corrupt or truncated file.
// The one header reader: `sidc check` (compiler/check/files.ts) and the runtime's loaders (runtime/formats/).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DTYPE_BYTES, isDtype, type SafetensorsDtype } from './safetensors-dtype-sizes.js';
import { SafetensorsError } from './safetensors-error.js';
import { setOwn } from './own-keys.js';

/** One tensor as the header describes it. Offsets are absolute file positions in `fileStart/fileEnd`. */
export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the data section, as stored */
  dataOffsets: [number, number];
  /** end - begin */
  byteLength: number;
  /** prod(shape) */
  numel: number;
}

export interface SafetensorsHeader {
  file: string;
  fileBytes: number;
  /** N: length of the JSON header in bytes (including padding) */
  headerBytes: number;
  /** 8 + N: where the data section starts in the file */
  dataStart: number;
  /** tensors in header order */
  tensors: Record<string, TensorInfo>;
  metadata: Record<string, string>;
  /** sum of all tensors' byte lengths (the data section's size) */
  dataBytes: number;
}

/** The reference implementation refuses headers above 100 MB; a real one is at most a few MB. */
const MAX_HEADER_BYTES = 100_000_000;

/** Reads exactly `length` bytes at `position` (readSync may return fewer), failing on a short file. */
export function readExact(fd: number, file: string, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const chunk = Math.min(length - got, 1 << 30);
    let n: number;
    try {
      n = readSync(fd, out, got, chunk, position + got);
    } catch (err) {
      throw new SafetensorsError(file, 'io', `cannot read: ${(err as Error).message}`);
    }
    if (n === 0) {
      throw new SafetensorsError(file, 'truncated', `file ends at byte ${position + got}, expected ${position + length} bytes`);
    }
    got += n;
  }
  return out;
}

export function openForRead(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new SafetensorsError(file, 'io', `cannot open: ${why}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new SafetensorsError(file, 'io', 'cannot open: not a regular file');
  }
  return { fd, size: st.size };
}

const fmtBytes = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`;

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses the header from an open file descriptor (reads only the first 8 + N bytes). */
export function readHeaderFromFd(fd: number, file: string, fileBytes: number): SafetensorsHeader {
  if (fileBytes < 8) {
    throw new SafetensorsError(file, 'too-short', `file is ${fmtBytes(fileBytes)}; a safetensors file starts with an 8-byte header length`);
  }
  const lenBytes = readExact(fd, file, 0, 8);
  const n64 = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (n64 > BigInt(fileBytes - 8)) {
    throw new SafetensorsError(
      file,
      'header-length',
      `header length ${n64} is larger than the rest of the file (${fileBytes - 8} bytes); the file is truncated or not safetensors`,
    );
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) {
    throw new SafetensorsError(file, 'header-length', `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (n < 2) throw new SafetensorsError(file, 'header-json', `header is ${fmtBytes(n)}; expected a JSON object`);
  const raw = readExact(fd, file, 8, n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new SafetensorsError(file, 'header-json', 'header is not valid UTF-8; the file is not safetensors');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(file, 'header-json', `header is not valid JSON (${(err as Error).message})`);
  }
  return validateHeader(json, file, fileBytes, n);
}

/** Checks every entry and that the tensors tile the data section exactly. */
function validateHeader(json: unknown, file: string, fileBytes: number, headerBytes: number): SafetensorsHeader {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError(file, 'header-json', 'header JSON is not an object of tensor entries');
  }
  const metadata: Record<string, string> = {};
  const tensors: Record<string, TensorInfo> = {};
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new SafetensorsError(file, 'metadata', '__metadata__ must be an object of string values');
      }
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new SafetensorsError(file, 'metadata', `__metadata__.${k} is ${JSON.stringify(v)}; metadata values must be strings`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    setOwn(tensors, name, parseEntry(name, entry, file));
  }
  const dataBytes = checkTiling(tensors, file, fileBytes - 8 - headerBytes, fileBytes, headerBytes);
  return { file, fileBytes, headerBytes, dataStart: 8 + headerBytes, tensors, metadata, dataBytes };
}

function parseEntry(name: string, entry: unknown, file: string): TensorInfo {
  const where = `tensor '${name}'`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new SafetensorsError(file, 'header-entry', `${where}: entry must be an object {dtype, shape, data_offsets}`);
  }
  const e = entry as Record<string, unknown>;
  if (!isDtype(e.dtype)) {
    const known = Object.keys(DTYPE_BYTES).join(', ');
    throw new SafetensorsError(file, 'dtype', `${where}: unknown dtype ${JSON.stringify(e.dtype)} (known: ${known})`);
  }
  if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) {
    throw new SafetensorsError(file, 'header-entry', `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !isNonNegInt(off[0]) || !isNonNegInt(off[1])) {
    throw new SafetensorsError(file, 'header-entry', `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
  }
  const [begin, end] = off as [number, number];
  if (end < begin) throw new SafetensorsError(file, 'offsets', `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const shape = e.shape as number[];
  const numel = shape.reduce((a, b) => a * b, 1);
  const expected = numel * DTYPE_BYTES[e.dtype];
  if (expected !== end - begin) {
    throw new SafetensorsError(
      file,
      'shape',
      `${where}: shape [${shape.join(', ')}] of ${e.dtype} needs ${fmtBytes(expected)} but data_offsets [${begin}, ${end}] span ${fmtBytes(end - begin)}`,
    );
  }
  return { dtype: e.dtype, shape: [...shape], dataOffsets: [begin, end], byteLength: end - begin, numel };
}

function checkTiling(tensors: Record<string, TensorInfo>, file: string, available: number, fileBytes: number, headerBytes: number): number {
  const order = Object.entries(tensors).sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let pos = 0;
  let prev = '';
  for (const [name, t] of order) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) throw new SafetensorsError(file, 'offsets', `tensor '${name}' bytes [${begin}, ${end}) overlap tensor '${prev}' (which ends at ${pos})`);
    if (begin > pos)
      throw new SafetensorsError(
        file,
        'offsets',
        `gap of ${fmtBytes(begin - pos)} before tensor '${name}' (data_offsets begin at ${begin}, previous data ends at ${pos})`,
      );
    pos = end;
    prev = name;
  }
  if (pos > available) {
    throw new SafetensorsError(
      file,
      'truncated',
      `file is truncated: the header describes ${fmtBytes(pos)} of tensor data but only ${fmtBytes(available)} follow the header (file is ${fmtBytes(fileBytes)}, expected ${8 + headerBytes + pos})`,
    );
  }
  if (pos < available) {
    throw new SafetensorsError(
      file,
      'offsets',
      `${fmtBytes(available - pos)} of data after the last tensor (the header describes ${fmtBytes(pos)} of tensor data)`,
    );
  }
  return pos;
}

/** Header only: for `sidc inspect` and for planning memory before anything is loaded. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const { fd, size } = openForRead(path);
  try {
    return readHeaderFromFd(fd, path, size);
  } finally {
    closeSync(fd);
  }
}
