// Independent oracles for the narrow-float rounding on random float32 bit patterns (all exponents,
// subnormals, NaN, inf): PyTorch's float32 -> bfloat16 cast and numpy's float32 -> float16 cast.
// Skips when no python has torch (Debian's python3-torch) / numpy; fails instead under CI=true. The data
// travels as .npy files, so this also exercises our .npy writer and reader against numpy's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeBf16, encodeF16, f32FromBits } from '../../../runtime/formats/float-bits.js';
import { readNpy, writeNpy } from '../../../runtime/formats/npy.js';
import { scratchDir } from './tmp.js';
import { pythonWith, runPython } from '../../helpers/python.js';

const torchPy = pythonWith('torch', 'numpy');
const numpyPy = pythonWith('numpy');

function randomBitPatterns(n: number): Float32Array {
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const x = new Float32Array(n);
  const bits = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) bits[i] = (next() & 0xffff0000) | (next() >>> 16);
  // plus exact ties for both formats and values near the f16 range limits
  const special = [0x3f808000, 0x3f818000, 0x00008000, 0x7f7f8000, 0x33000000, 0x33800001, 0x477ff000, 0x477fefff, 0x387fe000];
  special.forEach((b, i) => (bits[i] = b));
  return x;
}

function compare(ours: Uint16Array, theirs: Int32Array, x: Float32Array, isNaN16: (h: number) => boolean, what: string): void {
  let checked = 0;
  for (let i = 0; i < x.length; i++) {
    const t = theirs[i]! & 0xffff;
    if (Number.isNaN(x[i]!)) {
      assert.ok(isNaN16(ours[i]!) && isNaN16(t), `${what}: NaN at ${i}`);
      continue;
    }
    if (ours[i] !== t)
      assert.fail(`${what}: ${x[i]} (bits ${new Uint32Array(x.buffer)[i]!.toString(16)}) -> ours ${ours[i]!.toString(16)}, reference ${t.toString(16)}`);
    checked++;
  }
  assert.ok(checked > x.length * 0.9);
}

test('bf16 rounding equals torch.bfloat16 on 200k random float32 bit patterns', { skip: torchPy.skip }, () => {
  const d = scratchDir('torch');
  const x = randomBitPatterns(200_000);
  writeNpy(join(d, 'x.npy'), { dtype: 'f4', shape: [x.length], data: x });
  runPython(
    torchPy.exe,
    `
import sys, numpy as np, torch
d = sys.argv[1]
x = torch.from_numpy(np.load(d + '/x.npy'))
np.save(d + '/b.npy', x.to(torch.bfloat16).view(torch.int16).numpy().astype(np.int32))
`,
    d,
  );
  const b = readNpy(join(d, 'b.npy'));
  assert.equal(b.dtype, 'i4');
  compare(encodeBf16(x), b.data as Int32Array, x, (h) => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0, 'bf16');
});

test('f16 rounding equals numpy float16 on 200k random float32 bit patterns', { skip: numpyPy.skip }, () => {
  const d = scratchDir('np16');
  const x = randomBitPatterns(200_000);
  writeNpy(join(d, 'x.npy'), { dtype: 'f4', shape: [x.length], data: x });
  runPython(
    numpyPy.exe,
    `
import sys, warnings, numpy as np
warnings.simplefilter('ignore')
d = sys.argv[1]
np.save(d + '/h.npy', np.load(d + '/x.npy').astype(np.float16).view(np.uint16).astype(np.int32))
`,
    d,
  );
  const h = readNpy(join(d, 'h.npy'));
  compare(encodeF16(x), h.data as Int32Array, x, (v) => (v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0, 'f16');
  assert.ok(Number.isFinite(f32FromBits(0x477fefff)));
});
