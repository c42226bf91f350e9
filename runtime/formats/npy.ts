// NumPy .npy files (format versions 1.0, 2.0, 3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// magic "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0/3.0), then a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), } padded with spaces and a
// final newline so the data starts on a 64-byte boundary, then the raw array in C (or Fortran) order.
// The writer reproduces numpy.save's bytes exactly (including its spare space for growing the first axis).
import { readFileSync } from 'node:fs';
import { UserError } from '../../common/errors.js';
import { writeFileAtomic } from './atomic.js';

export class NpyError extends UserError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`, 2);
    this.name = 'NpyError';
  }
}

type NpyDtype = 'f4' | 'i4';
export type NpyArray = { dtype: 'f4'; shape: number[]; data: Float32Array } | { dtype: 'i4'; shape: number[]; data: Int32Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy.lib.format: room to rewrite shape[0] in place

const pyTuple = (shape: number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** The header numpy.save writes for a C-order little-endian array (keys sorted, as numpy does). */
function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  let dict = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': ${pyTuple(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // v1.0 stores the header length as u16; longer headers (huge rank) need v2.0 and a u32.
  let version = 1;
  let prefix = 10;
  let hlen = dict.length + 1;
  if (hlen + ALIGN - ((prefix + hlen) % ALIGN) > 0xffff) {
    version = 2;
    prefix = 12;
  }
  const padlen = ALIGN - ((prefix + hlen) % ALIGN); // 1..64, exactly as numpy computes it
  hlen += padlen;
  const out = new Uint8Array(prefix + hlen);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  const text = dict + ' '.repeat(padlen) + '\n';
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}

/** Writes a float32 or int32 array (C order, little-endian) atomically. */
export function writeNpy(path: string, arr: NpyArray): void {
  const numel = arr.shape.reduce((a, b) => a * b, 1);
  if (!arr.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new NpyError(path, `shape must be non-negative integers, got ${JSON.stringify(arr.shape)}`);
  if (arr.data.length !== numel) throw new NpyError(path, `shape [${arr.shape.join(', ')}] has ${numel} elements but data has ${arr.data.length}`);
  const header = npyHeader(arr.dtype, arr.shape);
  const out = new Uint8Array(header.length + arr.data.byteLength);
  out.set(header, 0);
  const dv = new DataView(out.buffer, header.length);
  for (let i = 0; i < arr.data.length; i++) {
    if (arr.dtype === 'f4') dv.setFloat32(i * 4, arr.data[i]!, true);
    else dv.setInt32(i * 4, arr.data[i]!, true);
  }
  writeFileAtomic(path, out);
}

// ---- reading ----

type PyValue = string | boolean | number | PyValue[] | { [k: string]: PyValue };

/** A parser for the Python literals numpy puts in the header: dicts, strings, True/False, int tuples. */
function parsePyLiteral(text: string, fail: (msg: string) => never): PyValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      const dict: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        const v = value();
        if (c === '{') {
          ws();
          if (text[i] !== ':' || typeof v !== 'string') fail(`expected 'key': value at header offset ${i}`);
          i++;
          dict[v] = value();
        } else items.push(v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}' at header offset ${i}`);
      }
      return c === '{' ? dict : items;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string in header');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|-?\d+L?)/.exec(text.slice(i));
    if (!m) fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))} in header`);
    i += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : parseInt(m[0], 10);
  };
  const v = value();
  ws();
  if (i !== text.length) fail(`trailing text after the header dict at offset ${i}`);
  return v;
}

/** Element readers by numpy type code (kind + size); each returns a JS number. */
const READERS: Record<string, { size: number; out: NpyDtype; get: (dv: DataView, off: number, le: boolean) => number }> = {
  f4: { size: 4, out: 'f4', get: (dv, o, le) => dv.getFloat32(o, le) },
  f8: { size: 8, out: 'f4', get: (dv, o, le) => dv.getFloat64(o, le) },
  f2: { size: 2, out: 'f4', get: (dv, o, le) => halfToNumber(dv.getUint16(o, le)) },
  i4: { size: 4, out: 'i4', get: (dv, o, le) => dv.getInt32(o, le) },
  i8: { size: 8, out: 'i4', get: (dv, o, le) => Number(dv.getBigInt64(o, le)) },
  i2: { size: 2, out: 'i4', get: (dv, o, le) => dv.getInt16(o, le) },
  i1: { size: 1, out: 'i4', get: (dv, o) => dv.getInt8(o) },
  u1: { size: 1, out: 'i4', get: (dv, o) => dv.getUint8(o) },
  u2: { size: 2, out: 'i4', get: (dv, o, le) => dv.getUint16(o, le) },
  b1: { size: 1, out: 'i4', get: (dv, o) => (dv.getUint8(o) ? 1 : 0) },
};

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Reads a .npy file. Floating types (f2/f4/f8) come back as float32, integer and bool types as int32
 * (int64 values outside the int32 range are an error, not silently wrapped). Fortran-order arrays are
 * transposed to C order; big-endian data is byte-swapped.
 */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NpyError(path, code === 'ENOENT' ? 'cannot open: no such file' : `cannot read: ${(err as Error).message}`);
  }
  const fail = (msg: string): never => {
    throw new NpyError(path, msg);
  };
  if (bytes.length < 10 || !MAGIC.every((b, k) => bytes[k] === b)) fail('not a .npy file (missing the \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail('file ends inside the header length');
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (prefix + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const htext = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + hlen));
  const dict = parsePyLiteral(htext.trim(), fail);
  if (typeof dict !== 'object' || Array.isArray(dict)) return fail('header is not a dict');
  const { descr, fortran_order: fortran, shape } = dict as Record<string, PyValue>;
  if (typeof descr !== 'string') return fail(`header 'descr' must be a type string, got ${JSON.stringify(descr)}`);
  if (typeof fortran !== 'boolean') return fail("header 'fortran_order' must be True or False");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && d >= 0)) return fail("header 'shape' must be a tuple of non-negative ints");
  const dims = shape as number[];
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const code = m ? `${m[2] === 'b' ? 'b' : m[2]}${m[3]}` : '';
  const reader = READERS[code];
  if (!m || !reader) return fail(`unsupported dtype '${descr}' (supported: float16/32/64, int8/16/32/64, uint8/16, bool)`);
  const le = m[1] !== '>';
  const numel = dims.reduce((a, b) => a * b, 1);
  const start = prefix + hlen;
  const need = numel * reader.size;
  if (bytes.length - start < need)
    fail(`file is truncated: shape (${dims.join(', ')}) of '${descr}' needs ${need} data bytes but ${bytes.length - start} remain`);
  const out = reader.out === 'f4' ? new Float32Array(numel) : new Int32Array(numel);
  // Fortran order: element k of the file is the C-order element whose index digits are reversed-major.
  const strides = cStrides(dims);
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < numel; k++) {
    const v = reader.get(dv, start + k * reader.size, le);
    let dst = k;
    if (fortran && dims.length > 1) {
      dst = 0;
      for (let a = 0; a < dims.length; a++) dst += idx[a]! * strides[a]!;
      for (let a = 0; a < dims.length; a++) {
        if (++idx[a]! < dims[a]!) break;
        idx[a] = 0;
      }
    }
    if (reader.out === 'i4' && (v > 2147483647 || v < -2147483648)) fail(`value ${v} at element ${k} does not fit int32`);
    out[dst] = v;
  }
  return reader.out === 'f4' ? { dtype: 'f4', shape: dims, data: out as Float32Array } : { dtype: 'i4', shape: dims, data: out as Int32Array };
}

function cStrides(dims: number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let a = dims.length - 1; a >= 0; a--) {
    s[a] = acc;
    acc *= dims[a]!;
  }
  return s;
}

/** Reads any numeric .npy as float32 (integers converted). */
export function readNpyFloat32(path: string): { shape: number[]; data: Float32Array } {
  const a = readNpy(path);
  return { shape: a.shape, data: a.dtype === 'f4' ? a.data : Float32Array.from(a.data) };
}
