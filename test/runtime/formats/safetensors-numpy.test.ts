// Cross-checks against numpy (skipped when python3 + numpy is absent; failed under CI=true): numpy writes a safetensors file
// by hand from the spec and we read it; we write one and numpy parses it. numpy's float32 -> float16
// cast is an independent oracle for our f16 rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeF16 } from '../../../runtime/formats/float-bits.js';
import { openSafetensors, readSafetensors, writeSafetensors } from '../../../runtime/formats/safetensors.js';
import { scratchDir } from './tmp.js';
import { pythonWith, runPython } from '../../helpers/python.js';

const py = pythonWith('numpy');
const skip = py.skip;

const WRITE_PY = `
import sys, json, struct, numpy as np
rng = np.random.default_rng(0)
src = np.concatenate([rng.standard_normal(500) * 10.0 ** rng.integers(-9, 6, 500),
                      np.array([0.0, -0.0, 65504.0, 65519.0, 65520.0, 1e-8, 2.0 ** -25, 3 * 2.0 ** -26])]).astype(np.float32)
tensors = {'src': src, 'half': src.astype(np.float16), 'half_as_f32': src.astype(np.float16).astype(np.float32),
           'mat': np.arange(12, dtype=np.float32).reshape(3, 4)}
names = {np.dtype(np.float32): 'F32', np.dtype(np.float16): 'F16'}
header, pos, blobs = {'__metadata__': {'by': 'numpy'}}, 0, []
for k, a in tensors.items():
    raw = a.astype(a.dtype.newbyteorder('<')).tobytes()
    header[k] = {'dtype': names[a.dtype], 'shape': list(a.shape), 'data_offsets': [pos, pos + len(raw)]}
    blobs.append(raw); pos += len(raw)
h = json.dumps(header).encode()
h += b' ' * (-len(h) % 8)
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
`;

const READ_PY = `
import sys, json, struct, numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
assert n % 8 == 0 and (8 + n) % 8 == 0
h = json.loads(b[8:8 + n]); data = b[8 + n:]
out = {}
for k, v in h.items():
    if k == '__metadata__': out[k] = v; continue
    s, e = v['data_offsets']; raw = data[s:e]
    if v['dtype'] == 'F32': a = np.frombuffer(raw, '<f4')
    elif v['dtype'] == 'F16': a = np.frombuffer(raw, '<f2').astype(np.float32)
    else: a = (np.frombuffer(raw, '<u2').astype(np.uint32) << 16).view(np.float32)
    out[k] = {'shape': v['shape'], 'values': a.reshape(v['shape']).ravel().tolist()}
print(json.dumps(out))
`;

test('we read a safetensors file numpy wrote, and our f16 rounding matches numpy bit for bit', { skip }, () => {
  const p = join(scratchDir('stnp'), 'np.safetensors');
  runPython(py.exe, WRITE_PY, p);
  const { tensors, metadata } = readSafetensors(p);
  assert.deepEqual(metadata, { by: 'numpy' });
  assert.deepEqual(tensors.mat!.shape, [3, 4]);
  assert.deepEqual(
    [...tensors.mat!.data],
    Array.from({ length: 12 }, (_, i) => i),
  );
  assert.deepEqual(tensors.half!.data, tensors.half_as_f32!.data, 'our f16 decode equals numpy float16 -> float32');
  const f = openSafetensors(p);
  const numpyHalfBits = new Uint16Array(f.readRaw('half').slice().buffer);
  f.close();
  const ours = encodeF16(tensors.src!.data);
  const bad = ours.findIndex((h, i) => h !== numpyHalfBits[i]);
  assert.equal(bad, -1, `first mismatch at ${bad}: ${tensors.src!.data[bad]} -> ours ${ours[bad]?.toString(16)}, numpy ${numpyHalfBits[bad]?.toString(16)}`);
});

test('numpy reads what we wrote (F32, F16, BF16, metadata, alignment)', { skip }, () => {
  const p = join(scratchDir('stnp'), 'ours.safetensors');
  const x = Float32Array.from({ length: 50 }, (_, i) => (i - 25) * 0.37);
  writeSafetensors(
    p,
    {
      x32: { dtype: 'F32', shape: [5, 10], data: x },
      x16: { dtype: 'F16', shape: [50], data: x },
      xb16: { dtype: 'BF16', shape: [2, 25], data: x },
    },
    { run: 'abc' },
  );
  const out = JSON.parse(runPython(py.exe, READ_PY, p)) as Record<string, { shape: number[]; values: number[] }> & { __metadata__: unknown };
  assert.deepEqual(out.__metadata__, { run: 'abc' });
  const ours = readSafetensors(p).tensors;
  for (const k of ['x32', 'x16', 'xb16']) {
    assert.deepEqual(out[k]!.shape, ours[k]!.shape);
    assert.deepEqual(out[k]!.values, [...ours[k]!.data], k);
  }
  assert.deepEqual(out.x32!.values, [...x]);
});
