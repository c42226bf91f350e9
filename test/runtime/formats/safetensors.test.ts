import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../common/errors.js';
import { decodeBf16, decodeF16, encodeBf16, encodeF16 } from '../../../runtime/formats/float-bits.js';
import {
  SafetensorsError,
  openSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  type SafetensorsErrorCode,
} from '../../../runtime/formats/safetensors.js';
import { scratchDir } from './tmp.js';

const values = (n: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) =>
    i % 7 === 0 ? [0, -0, 1e-7, -65504, 3.0e38, 1e-40, 0.1][((i % 7) / 7) | 0]! : Math.sin(i) * 2 ** ((i % 30) - 15),
  );

test('round trip F32 / F16 / BF16 with metadata, selected names', () => {
  const d = scratchDir('st');
  const p = join(d, 'w.safetensors');
  const a = values(1000);
  const b = values(37).map((v) => v * 3);
  const c = values(12);
  writeSafetensors(
    p,
    {
      'blocks.0.attn.qkv.weight': { dtype: 'F32', shape: [10, 100], data: a },
      'blocks.0.norm.bias': { dtype: 'F16', shape: [37], data: b },
      scalar_ish: { dtype: 'BF16', shape: [3, 2, 2], data: c },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    },
    { format: 'pt', note: 'π' },
  );
  const r = readSafetensors(p);
  assert.deepEqual(r.metadata, { format: 'pt', note: 'π' });
  assert.deepEqual(r.tensors['blocks.0.attn.qkv.weight']!.data, a);
  assert.deepEqual(r.tensors['blocks.0.attn.qkv.weight']!.shape, [10, 100]);
  assert.deepEqual(r.tensors['blocks.0.norm.bias']!.data, decodeF16(encodeF16(b)));
  assert.equal(r.tensors['blocks.0.norm.bias']!.dtype, 'F16');
  assert.deepEqual(r.tensors.scalar_ish!.data, decodeBf16(encodeBf16(c)));
  assert.deepEqual(r.tensors.scalar_ish!.shape, [3, 2, 2]);
  assert.equal(r.tensors.empty!.data.length, 0);
  const only = readSafetensors(p, { names: ['scalar_ish'] });
  assert.deepEqual(Object.keys(only.tensors), ['scalar_ish']);
  // Rounding really happened (otherwise the F16/BF16 comparisons above prove nothing).
  assert.notDeepEqual(r.tensors.scalar_ish!.data, c);
});

test('exact bytes of a small file, computed from the spec', () => {
  const d = scratchDir('st');
  const p = join(d, 'small.safetensors');
  writeSafetensors(
    p,
    { b: { dtype: 'F16', shape: [2], data: new Float32Array([1, -2]) }, a: { dtype: 'F32', shape: [1], data: new Float32Array([0.5]) } },
    { format: 'pt' },
  );
  // Larger dtypes first, then by name; offsets relative to the data section; header padded to 8 with spaces.
  let json = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}';
  while (json.length % 8 !== 0) json += ' ';
  const n = json.length;
  const expected = [
    n & 0xff,
    (n >> 8) & 0xff,
    0,
    0,
    0,
    0,
    0,
    0,
    ...Buffer.from(json, 'ascii'),
    0x00,
    0x00,
    0x00,
    0x3f, // 0.5f = 0x3f000000, little-endian
    0x00,
    0x3c, // f16 1.0 = 0x3c00
    0x00,
    0xc0,
  ]; // f16 -2.0 = 0xc000
  assert.deepEqual([...readFileSync(p)], expected);
  // Like the reference (its dtype enum has F16 < BF16 < F32), BF16 goes before F16 whatever the names.
  writeSafetensors(p, { a: { dtype: 'F16', shape: [1], data: new Float32Array(1) }, z: { dtype: 'BF16', shape: [1], data: new Float32Array(1) } });
  assert.deepEqual(readSafetensorsHeader(p).tensors.z!.dataOffsets, [0, 2]);
});

test('header-only read, and tensors read by byte range from a 3 GiB sparse file', () => {
  const d = scratchDir('st');
  const p = join(d, 'big.safetensors');
  const big = 3 * 2 ** 30;
  let json = JSON.stringify({
    small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    big: { dtype: 'BF16', shape: [big / 2], data_offsets: [8, 8 + big] },
  });
  while (json.length % 8) json += ' ';
  const fd = openSync(p, 'w');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeSync(fd, len);
  writeSync(fd, json);
  writeSync(fd, Buffer.from(new Float32Array([1.5, -2]).buffer));
  ftruncateSync(fd, 8 + json.length + 8 + big); // sparse: no disk or memory used
  closeSync(fd);
  const h = readSafetensorsHeader(p);
  assert.equal(h.dataBytes, 8 + big);
  assert.deepEqual(h.tensors.big!.shape, [big / 2]);
  assert.equal(h.tensors.big!.numel, big / 2);
  assert.equal(h.dataStart, 8 + json.length);
  const f = openSafetensors(p);
  try {
    assert.deepEqual([...f.read('small').data], [1.5, -2]);
  } finally {
    f.close();
  }
});

/** Writes 8-byte length + header text + data bytes, as a corrupt file would be laid out. */
function rawFile(dir: string, name: string, header: string | null, data: number[] = [], lengthOverride?: bigint): string {
  const p = join(dir, name);
  const h = Buffer.from(header ?? '', 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(h.length));
  writeFileSync(p, Buffer.concat([len, h, Buffer.from(data)]));
  return p;
}

function expectError(p: string, code: SafetensorsErrorCode, pattern: RegExp, names?: string[]): void {
  assert.throws(
    () => readSafetensors(p, names ? { names } : {}),
    (err: unknown) => {
      assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${err}`);
      assert.ok(err instanceof UserError, 'CLI prints it without a stack trace');
      assert.equal(err.code, code, err.message);
      assert.ok(err.message.startsWith(p + ': '), `message names the file: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('every kind of corrupt file gets its own precise message', () => {
  const d = scratchDir('st');
  const ok = (dtype: string, shape: number[], off: [number, number]): object => ({ dtype, shape, data_offsets: off });
  const H = (o: object): string => JSON.stringify(o);
  writeFileSync(join(d, 'short.safetensors'), Buffer.from([1, 2, 3, 4, 5]));
  expectError(join(d, 'short.safetensors'), 'too-short', /file is 5 bytes/);
  expectError(rawFile(d, 'len.safetensors', '{}', [], 1000n), 'header-length', /header length 1000 is larger than the rest of the file \(2 bytes\)/);
  expectError(rawFile(d, 'len64.safetensors', '{}', [], 2n ** 63n), 'header-length', /9223372036854775808/);
  expectError(rawFile(d, 'json.safetensors', '{"a": {"dtype": "F32",'), 'header-json', /not valid JSON/);
  expectError(rawFile(d, 'empty.safetensors', ''), 'header-json', /header is 0 bytes; expected a JSON object/);
  expectError(rawFile(d, 'arr.safetensors', '[1, 2]'), 'header-json', /not an object/);
  expectError(rawFile(d, 'dtype.safetensors', H({ w: ok('F33', [1], [0, 4]) }), [0, 0, 0, 0]), 'dtype', /tensor 'w': unknown dtype "F33"/);
  expectError(
    rawFile(d, 'shape.safetensors', H({ w: ok('F32', [2, 3], [0, 20]) }), new Array(20).fill(0)),
    'shape',
    /shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 20\] span 20 bytes/,
  );
  expectError(rawFile(d, 'entry.safetensors', H({ w: { dtype: 'F32', shape: [1] } }), [0, 0, 0, 0]), 'header-entry', /tensor 'w': data_offsets must be/);
  expectError(
    rawFile(d, 'neg.safetensors', H({ w: ok('F32', [-1], [0, 4]) }), [0, 0, 0, 0]),
    'header-entry',
    /shape must be an array of non-negative integers/,
  );
  expectError(rawFile(d, 'rev.safetensors', H({ w: ok('F32', [1], [8, 4]) }), new Array(8).fill(0)), 'offsets', /end before they begin/);
  expectError(
    rawFile(d, 'overlap.safetensors', H({ a: ok('F32', [2], [0, 8]), b: ok('F32', [1], [4, 8]) }), new Array(8).fill(0)),
    'offsets',
    /tensor '(a|b)' bytes \[\d, 8\) overlap tensor/,
  );
  expectError(
    rawFile(d, 'gap.safetensors', H({ a: ok('F32', [1], [0, 4]), b: ok('F32', [1], [8, 12]) }), new Array(12).fill(0)),
    'offsets',
    /gap of 4 bytes before tensor 'b'/,
  );
  expectError(rawFile(d, 'trail.safetensors', H({ a: ok('F32', [1], [0, 4]) }), new Array(6).fill(0)), 'offsets', /2 bytes of data after the last tensor/);
  expectError(
    rawFile(d, 'trunc.safetensors', H({ a: ok('F32', [4], [0, 16]) }), new Array(10).fill(0)),
    'truncated',
    /file is truncated: the header describes 16 bytes of tensor data but only 10 bytes follow/,
  );
  expectError(rawFile(d, 'oob.safetensors', H({ a: ok('F32', [1], [1000000, 1000004]) }), [0, 0, 0, 0]), 'offsets', /gap of 1000000 bytes before tensor 'a'/);
  expectError(rawFile(d, 'meta.safetensors', H({ __metadata__: { step: 3 } })), 'metadata', /__metadata__.step is 3; metadata values must be strings/);
  expectError(rawFile(d, 'good.safetensors', H({ a: ok('F32', [1], [0, 4]) }), [0, 0, 0, 0]), 'missing-tensor', /no tensor named 'zz' \(the file has 'a'\)/, [
    'zz',
  ]);
  expectError(join(d, 'nope.safetensors'), 'io', /cannot open: no such file/);
  expectError(d, 'io', /cannot open/);
});

test('invalid UTF-8 in the header is reported, not thrown raw', () => {
  const d = scratchDir('st');
  const p = join(d, 'bad.safetensors');
  writeFileSync(p, Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]));
  expectError(p, 'header-json', /not valid UTF-8/);
});

test('writer rejects bad input with named tensors and leaves no file', () => {
  const d = scratchDir('st');
  const p = join(d, 'w.safetensors');
  assert.throws(
    () => writeSafetensors(p, { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }),
    /tensor 'w': shape \[2, 2\] has 4 elements but data has 3/,
  );
  assert.throws(() => writeSafetensors(p, { w: { dtype: 'I64' as 'F32', shape: [1], data: new Float32Array(1) } }), /cannot write dtype "I64"/);
  assert.throws(() => writeSafetensors(p, { __metadata__: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }), /reserved/);
  assert.throws(() => readFileSync(p), /ENOENT/);
  writeFileSync(join(d, 'f'), '');
  const blocked = join(d, 'f', 'w.safetensors');
  assert.throws(
    () => writeSafetensors(blocked, {}),
    (e: unknown) => e instanceof SafetensorsError && e.code === 'io' && e.message === `${blocked}: cannot write: a parent path is a file, not a directory`,
  );
});

test('read-only integer and float64 dtypes decode to float32', () => {
  const d = scratchDir('st');
  const i64 = new BigInt64Array([-3n, 7n]);
  const f64 = new Float64Array([0.25, -1e300]);
  const u8 = [0, 255];
  const bool = [0, 1, 2];
  const i32 = new Int32Array([-5, 123456]);
  const header: Record<string, object> = {};
  const chunks: Buffer[] = [];
  let pos = 0;
  for (const [name, dtype, shape, bytes] of [
    ['f64', 'F64', [2], Buffer.from(f64.buffer)],
    ['i64', 'I64', [2], Buffer.from(i64.buffer)],
    ['i32', 'I32', [2], Buffer.from(i32.buffer)],
    ['u8', 'U8', [2], Buffer.from(u8)],
    ['bool', 'BOOL', [3], Buffer.from(bool)],
  ] as const) {
    header[name] = { dtype, shape, data_offsets: [pos, pos + bytes.length] };
    chunks.push(bytes);
    pos += bytes.length;
  }
  const p = rawFile(d, 'ints.safetensors', JSON.stringify(header), [...Buffer.concat(chunks)]);
  const r = readSafetensors(p).tensors;
  assert.deepEqual([...r.f64!.data], [0.25, -Infinity]);
  assert.deepEqual([...r.i64!.data], [-3, 7]);
  assert.deepEqual([...r.i32!.data], [-5, 123456]);
  assert.deepEqual([...r.u8!.data], [0, 255]);
  assert.deepEqual([...r.bool!.data], [0, 1, 1]);
  const f = openSafetensors(p);
  assert.deepEqual([...new BigInt64Array(f.readRaw('i64').buffer)], [-3n, 7n]);
  f.close();
});

test('tensor names that collide with Object.prototype are ordinary names', () => {
  const d = scratchDir('st');
  const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
  const p = rawFile(d, 'proto.safetensors', header, [...Buffer.from(new Float32Array([1, 2]).buffer)]);
  const h = readSafetensorsHeader(p);
  assert.deepEqual(Object.keys(h.tensors).sort(), ['__proto__', 'constructor']);
  const r = readSafetensors(p);
  assert.deepEqual([...r.tensors['__proto__']!.data], [1]);
  assert.deepEqual([...r.tensors['constructor' as string]!.data], [2]);
  const f = openSafetensors(p);
  assert.throws(() => f.info('toString'), /no tensor named 'toString'/);
  f.close();
});

test('readElements reads a slice of a tensor, bounds-checked', () => {
  const d = scratchDir('st');
  const p = join(d, 'slice.safetensors');
  const x = Float32Array.from({ length: 24 }, (_, i) => i - 3.5);
  writeSafetensors(p, { w: { dtype: 'BF16', shape: [6, 4], data: x }, v: { dtype: 'F32', shape: [24], data: x } });
  const f = openSafetensors(p);
  try {
    assert.deepEqual([...f.readElements('w', 8, 4)], [4.5, 5.5, 6.5, 7.5]);
    assert.deepEqual([...f.readElements('v', 23, 1)], [19.5]);
    assert.equal(f.readElements('v', 24, 0).length, 0);
    assert.throws(() => f.readElements('v', 20, 5), /tensor 'v' has 24 elements; cannot read \[20, 25\)/);
  } finally {
    f.close();
  }
  assert.throws(() => f.readElements('v', 0, 1), /already closed/);
});
