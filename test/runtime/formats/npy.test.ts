import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NpyError, readNpy, readNpyFloat32, writeNpy, type NpyArray } from '../../../runtime/formats/npy.js';
import { scratchDir } from './tmp.js';
import { pythonWith, runPython } from '../../helpers/python.js';

const py = pythonWith('numpy');
const skip = py.skip;

test('header layout: magic, version 1.0, dict, data on a 64-byte boundary, newline before it', () => {
  const p = join(scratchDir('npy'), 'a.npy');
  writeNpy(p, { dtype: 'f4', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  const b = readFileSync(p);
  assert.deepEqual([...b.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = b.readUInt16LE(8);
  assert.equal((10 + hlen) % 64, 0);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  assert.ok(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
  assert.equal(header.at(-1), '\n');
  assert.equal(b.length, 10 + hlen + 24);
  assert.equal(b.readFloatLE(10 + hlen + 20), 6);
});

test('round trip float32 and int32, 0-d, 1-d and empty shapes', () => {
  const d = scratchDir('npy');
  const cases: NpyArray[] = [
    { dtype: 'f4', shape: [4, 1, 2], data: Float32Array.from([0.5, -1, 3e38, -0, 1e-45, 7, 8, 9]) },
    { dtype: 'i4', shape: [5], data: Int32Array.from([0, -1, 2147483647, -2147483648, 42]) },
    { dtype: 'f4', shape: [], data: Float32Array.from([3.25]) },
    { dtype: 'i4', shape: [0, 3], data: new Int32Array(0) },
  ];
  cases.forEach((c, i) => {
    const p = join(d, `${i}.npy`);
    writeNpy(p, c);
    const r = readNpy(p);
    assert.equal(r.dtype, c.dtype);
    assert.deepEqual(r.shape, c.shape);
    assert.deepEqual(r.data, c.data);
  });
});

test('errors name the file and the problem', () => {
  const d = scratchDir('npy');
  const bad = join(d, 'bad.npy');
  writeFileSync(bad, 'not numpy at all');
  assert.throws(
    () => readNpy(bad),
    (e: unknown) => e instanceof NpyError && /bad\.npy: not a \.npy file/.test(e.message),
  );
  const p = join(d, 'ok.npy');
  writeNpy(p, { dtype: 'f4', shape: [8], data: new Float32Array(8) });
  writeFileSync(join(d, 'cut.npy'), readFileSync(p).subarray(0, 128 + 16));
  assert.throws(() => readNpy(join(d, 'cut.npy')), /cut\.npy: file is truncated: shape \(8\) of '<f4' needs 32 data bytes but 16 remain/);
  assert.throws(() => readNpy(join(d, 'missing.npy')), /missing\.npy: cannot open: no such file/);
  assert.throws(() => writeNpy(p, { dtype: 'f4', shape: [3], data: new Float32Array(2) }), /shape \[3\] has 3 elements but data has 2/);
});

test('numpy.save bytes equal ours exactly, and numpy loads our files', { skip }, () => {
  const d = scratchDir('npy');
  const ours = join(d, 'ours.npy');
  writeNpy(ours, { dtype: 'f4', shape: [3, 2], data: Float32Array.from([1.5, -2, 0, 1e-3, 7, 8]) });
  writeNpy(join(d, 'ours_i.npy'), { dtype: 'i4', shape: [4], data: Int32Array.from([3, -1, 0, 9]) });
  const out = runPython(
    py.exe,
    `
import sys, numpy as np
d = sys.argv[1]
a = np.load(d + '/ours.npy'); i = np.load(d + '/ours_i.npy')
print(a.dtype, a.shape, a.ravel().tolist(), i.dtype, i.tolist())
np.save(d + '/np.npy', np.array([[1.5, -2], [0, 1e-3], [7, 8]], dtype=np.float32))
np.save(d + '/np_i.npy', np.array([3, -1, 0, 9], dtype=np.int32))
`,
    d,
  );
  assert.equal(out.trim(), `float32 (3, 2) [1.5, -2.0, 0.0, 0.0010000000474974513, 7.0, 8.0] int32 [3, -1, 0, 9]`);
  assert.deepEqual(readFileSync(join(d, 'np.npy')), readFileSync(ours), 'byte-identical to numpy.save');
  assert.deepEqual(readFileSync(join(d, 'np_i.npy')), readFileSync(join(d, 'ours_i.npy')));
});

test('we load numpy float64, int64, uint8, bool, big-endian and Fortran-order files', { skip }, () => {
  const d = scratchDir('npy');
  runPython(
    py.exe,
    `
import sys, numpy as np
d = sys.argv[1]
np.save(d + '/f8.npy', np.array([[0.1, 2.0], [3.0, -4.5]]))
np.save(d + '/i8.npy', np.array([1, -2, 3]))
np.save(d + '/u1.npy', np.array([0, 255], dtype=np.uint8))
np.save(d + '/b1.npy', np.array([True, False]))
np.save(d + '/be.npy', np.array([1.25, -3], dtype='>f4'))
np.save(d + '/fo.npy', np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
`,
    d,
  );
  const f8 = readNpy(join(d, 'f8.npy'));
  assert.equal(f8.dtype, 'f4');
  assert.deepEqual([...f8.data], [Math.fround(0.1), 2, 3, -4.5]);
  assert.deepEqual(readNpy(join(d, 'i8.npy')), { dtype: 'i4', shape: [3], data: Int32Array.from([1, -2, 3]) });
  assert.deepEqual([...readNpy(join(d, 'u1.npy')).data], [0, 255]);
  assert.deepEqual([...readNpy(join(d, 'b1.npy')).data], [1, 0]);
  assert.deepEqual([...readNpy(join(d, 'be.npy')).data], [1.25, -3]);
  const fo = readNpyFloat32(join(d, 'fo.npy'));
  assert.deepEqual(fo.shape, [2, 3, 4]);
  assert.deepEqual(
    [...fo.data],
    Array.from({ length: 24 }, (_, i) => i),
    'Fortran order transposed to C order',
  );
});
