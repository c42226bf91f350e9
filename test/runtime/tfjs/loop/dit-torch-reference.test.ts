// The PyTorch reference SiD-DiT (scripts/reference/sid_dit_torch.py) must run the very DiT sidc runs: its
// velocity on the shipped teacher agrees with sidc's on every caption and the null one, and the students
// it writes load back into sidc. Skips when no python has torch (Debian's python3-torch) and numpy;
// fails instead under CI=true (test/helpers/python.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadDitFile } from '../../../../runtime/tfjs/loop/dit-net.js';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';
import { repoPath } from '../../../helpers/paths.js';
import { scratchDir } from '../../formats/tmp.js';
import { pythonWith } from '../../../helpers/python.js';
import { useWasm } from '../nn/setup.js';

const torchPy = pythonWith('torch', 'numpy');
const skip = torchPy.skip;
const reference = repoPath('scripts', 'reference', 'sid_dit_torch.py');

before(() => useWasm());

function run(exe: string, args: string[]): string {
  const r = spawnSync(exe, args, { cwd: repoPath(), encoding: 'utf8' });
  assert.equal(r.status, 0, `${exe} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

test('the PyTorch reference DiT gives sidc velocity on the shipped teacher', { skip }, () => {
  const dir = scratchDir('dit-torch');
  run(process.execPath, [repoPath('scripts', 'reference', 'dit-velocity.mjs'), dir]);
  const out = JSON.parse(run(torchPy.exe, [reference, '--check', dir]).trim()) as { max_rel_error: number; n: number };
  assert.equal(out.n, 12);
  assert.ok(out.max_rel_error < 1e-4, `max relative error ${out.max_rel_error}`);
});

test('a student written by the PyTorch reference loads into sidc with the teacher layout', { skip }, () => {
  const dir = scratchDir('sid-torch');
  run(torchPy.exe, [reference, '--out', dir, '--batch', '2', '--images', '2', '--threads', '1', '--device', 'cpu', '--dtype', 'F16']);
  const file = join(dir, 'student-2.safetensors');
  const student = loadDitFile(file, { trainable: false });
  const teacher = readSafetensors(repoPath('examples', 'teachers', 'dit-mnist.safetensors')).tensors;
  const written = student.exportTensors();
  assert.deepEqual(Object.keys(written).sort(), Object.keys(teacher).sort());
  // one Adam step at lr 1e-5 moves every trained weight by at most ~lr; the caption encoder is not trained
  const diff = (name: string): number => {
    const a = written[name]!.dataSync() as Float32Array;
    const b = teacher[name]!.data;
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
    return m;
  };
  assert.ok(diff('text_encoder.token_embedding.weight') < 1e-3);
  assert.ok(diff('proj_out.weight') < 1e-3);
  student.dispose();
});
