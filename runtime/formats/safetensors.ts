// Safetensors reader and writer. Reading is streaming: the header is read alone, then each tensor's
// byte range on demand, so a many-GB shard never sits in memory (or in a JS string) whole. Writing is
// atomic (temp file + rename) and byte-compatible with the reference writer: header JSON padded with
// spaces to a multiple of 8 bytes, tensors laid out contiguously, F32 then BF16 then F16, then by name.
import { closeSync } from 'node:fs';
import { FileWriteError, writeAll, writeFileAtomicWith } from './atomic.js';
import { DTYPE_BYTES, WRITABLE_DTYPES, decodeToF32, encodeFromF32, type SafetensorsDtype, type WritableDtype } from './safetensors-dtypes.js';
import { SafetensorsError } from '../../common/safetensors-error.js';
import { openForRead, readExact, readHeaderFromFd, type SafetensorsHeader, type TensorInfo } from '../../common/safetensors-header.js';
import { getOwn, setOwn } from '../../common/own-keys.js';

export { SafetensorsError } from '../../common/safetensors-error.js';
export type { SafetensorsErrorCode } from '../../common/safetensors-error.js';
export { readSafetensorsHeader } from '../../common/safetensors-header.js';
export type { SafetensorsHeader, TensorInfo } from '../../common/safetensors-header.js';
export type { SafetensorsDtype, WritableDtype } from './safetensors-dtypes.js';

/** A tensor as the runtime holds it: values as float32, whatever the file stores. */
export interface F32Tensor<D extends string = SafetensorsDtype> {
  dtype: D;
  shape: number[];
  data: Float32Array;
}

/** What writeSafetensors takes: float32 values and the dtype to store them as. */
export type TensorToWrite = F32Tensor<WritableDtype>;

/** An open safetensors file: header parsed, tensors read one at a time on request. */
export class SafetensorsFile {
  private closed = false;
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly header: SafetensorsHeader,
  ) {}

  static open(path: string): SafetensorsFile {
    const { fd, size } = openForRead(path);
    try {
      return new SafetensorsFile(path, fd, readHeaderFromFd(fd, path, size));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get names(): string[] {
    return Object.keys(this.header.tensors);
  }

  info(name: string): TensorInfo {
    const t = getOwn(this.header.tensors, name);
    if (!t) throw missingTensor(this.path, name, this.names);
    return t;
  }

  /** The tensor's bytes exactly as stored (little-endian), e.g. to keep I64 values exact. */
  readRaw(name: string): Uint8Array {
    if (this.closed) throw new SafetensorsError(this.path, 'io', `cannot read tensor '${name}': file already closed`);
    const t = this.info(name);
    try {
      return readExact(this.fd, this.path, this.header.dataStart + t.dataOffsets[0], t.byteLength);
    } catch (err) {
      if (err instanceof RangeError)
        throw new SafetensorsError(this.path, 'io', `tensor '${name}' (${t.byteLength} bytes) is too large to hold in memory at once`);
      throw err;
    }
  }

  /** The tensor decoded to float32 (exact for F32/F16/BF16/F8; rounding for wider types). */
  read(name: string): F32Tensor {
    const t = this.info(name);
    return { dtype: t.dtype, shape: [...t.shape], data: decodeToF32(t.dtype, this.readRaw(name), t.numel) };
  }

  /**
   * Elements [start, start + count) of the tensor in row-major order, decoded to float32, reading only
   * those bytes: for converting or slicing a tensor too large to hold whole (e.g. one row block of a
   * fused qkv weight).
   */
  readElements(name: string, start: number, count: number): Float32Array {
    const t = this.info(name);
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(count) && start >= 0 && count >= 0 && start + count <= t.numel)) {
      throw new SafetensorsError(this.path, 'shape', `tensor '${name}' has ${t.numel} elements; cannot read [${start}, ${start + count})`);
    }
    if (this.closed) throw new SafetensorsError(this.path, 'io', `cannot read tensor '${name}': file already closed`);
    const size = DTYPE_BYTES[t.dtype];
    const bytes = readExact(this.fd, this.path, this.header.dataStart + t.dataOffsets[0] + start * size, count * size);
    return decodeToF32(t.dtype, bytes, count);
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

function missingTensor(file: string, name: string, names: string[]): SafetensorsError {
  const some = names
    .slice(0, 5)
    .map((n) => `'${n}'`)
    .join(', ');
  const more = names.length > 5 ? `, ... (${names.length} in all)` : '';
  return new SafetensorsError(file, 'missing-tensor', `no tensor named '${name}' (the file has ${names.length ? some + more : 'no tensors'})`);
}

export function openSafetensors(path: string): SafetensorsFile {
  return SafetensorsFile.open(path);
}

/** Reads all tensors (or only `names`) as float32, plus the file's metadata. */
export function readSafetensors(path: string, opts: { names?: string[] } = {}): { tensors: Record<string, F32Tensor>; metadata: Record<string, string> } {
  const f = SafetensorsFile.open(path);
  try {
    const names = opts.names ?? f.names;
    for (const n of names) f.info(n); // report a missing name before reading anything
    const tensors: Record<string, F32Tensor> = {};
    for (const n of names) setOwn(tensors, n, f.read(n));
    return { tensors, metadata: { ...f.header.metadata } };
  } finally {
    f.close();
  }
}

/**
 * Layout order of the reference writer: dtype descending in its enum order (... F16 < BF16 < ... < F32),
 * which puts wider elements first and so keeps every tensor aligned, then by name.
 */
const WRITE_RANK: Record<WritableDtype, number> = { F16: 0, BF16: 1, F32: 2 };
function layoutOrder(tensors: Record<string, TensorToWrite>): string[] {
  return Object.keys(tensors).sort((a, b) => {
    const d = WRITE_RANK[tensors[b]!.dtype] - WRITE_RANK[tensors[a]!.dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
}

function checkTensorToWrite(path: string, name: string, t: TensorToWrite): number {
  if (name === '__metadata__') throw new SafetensorsError(path, 'header-entry', "'__metadata__' is reserved and cannot name a tensor");
  if (!WRITABLE_DTYPES.includes(t.dtype)) {
    throw new SafetensorsError(path, 'dtype', `tensor '${name}': cannot write dtype ${JSON.stringify(t.dtype)} (writable: ${WRITABLE_DTYPES.join(', ')})`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(path, 'shape', `tensor '${name}': shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
  }
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (!(t.data instanceof Float32Array) || t.data.length !== numel) {
    throw new SafetensorsError(path, 'shape', `tensor '${name}': shape [${t.shape.join(', ')}] has ${numel} elements but data has ${t.data?.length}`);
  }
  return numel;
}

/** The header bytes (JSON padded with spaces to a multiple of 8) for tensors laid out in `order`. */
function encodeHeader(tensors: Record<string, TensorToWrite>, order: string[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let pos = 0;
  for (const name of order) {
    const t = tensors[name]!;
    const len = t.data.length * DTYPE_BYTES[t.dtype];
    setOwn(header, name, { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + len] });
    pos += len;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(json.length + ((8 - (json.length % 8)) % 8), 0x20);
  json.copy(padded);
  return padded;
}

/**
 * Writes tensors (float32 values stored as F32, F16 or BF16 - the latter two rounded to nearest even)
 * and optional string metadata, atomically. Tensors are encoded and written one chunk at a time.
 */
export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  for (const [name, t] of Object.entries(tensors)) checkTensorToWrite(path, name, t);
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new SafetensorsError(path, 'metadata', `metadata '${k}' is ${typeof v}; metadata values must be strings`);
  }
  const order = layoutOrder(tensors);
  const header = encodeHeader(tensors, order, metadata);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(header.length), true);
  const CHUNK = 1 << 20; // elements per encode: bounds the temporary copy for F16/BF16
  try {
    writeFileAtomicWith(path, (fd) => {
      writeAll(fd, len);
      writeAll(fd, header);
      for (const name of order) {
        const t = tensors[name]!;
        for (let i = 0; i < t.data.length; i += CHUNK) writeAll(fd, encodeFromF32(t.dtype, t.data.subarray(i, i + CHUNK)));
      }
    });
  } catch (err) {
    if (err instanceof FileWriteError) throw new SafetensorsError(path, 'io', `cannot write: ${err.reason}`);
    throw err;
  }
}
