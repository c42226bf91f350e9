// The FID and prompt alignment `sidc eval` reports, recomputed by an independent implementation:
// scripts/reference/fid_from_npy.py reads the classifier safetensors and the .npy files with numpy and uses
// scipy.linalg.sqrtm (sidc: Jacobi eigendecomposition, symmetric form). Samples here are training digits
// (a real-ish set) and the same digits with noise (a poor one), written in the layout `sidc eval --npy`
// writes. Skips when no python3 with numpy and scipy is found (fails instead under CI=true).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { pythonWith } from '../../helpers/python.js';
import { loadClassifier } from '../../../runtime/scoring/classifier.js';
import { loadMnist } from '../../../runtime/data/mnist.js';
import { writeNpy } from '../../../runtime/formats/npy.js';
import { imageScorer, scoreImages } from '../../../runtime/tfjs/evaluation/image.js';
import { Rng } from '../../../runtime/rng/prng.js';

before(() => useWasm());

const py = pythonWith('numpy', 'scipy');

test('FID and alignment from the .npy files agree with scipy', { skip: py.skip }, () => {
  const classifierPath = repoPath('examples', 'eval', 'mnist-classifier.safetensors');
  const held = loadMnist({ split: 'heldout' });
  const train = loadMnist({ split: 'train' });
  const n = 400;
  const dim = 784;
  // every k-th training digit: the split is ordered by class, so a stride keeps all ten
  const k = Math.floor(train.labels.length / n);
  const labels = Int32Array.from({ length: n }, (_, i) => train.labels[i * k]!);
  const clean = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) clean.set(train.images.subarray(i * k * dim, (i * k + 1) * dim), i * dim);
  const rng = new Rng(3);
  const noisy = clean.map((v) => Math.max(-1, Math.min(1, v + 0.8 * rng.normal())));
  const dir = mkdtempSync(join(tmpdir(), 'sidc-fid-'));
  try {
    writeNpy(join(dir, 'labels.npy'), { dtype: 'i4', shape: [n], data: labels });
    writeNpy(join(dir, 'real-heldout.npy'), { dtype: 'f4', shape: [held.labels.length, 1, 28, 28], data: held.images });
    writeNpy(join(dir, 'clean.npy'), { dtype: 'f4', shape: [n, 1, 28, 28], data: clean });
    writeNpy(join(dir, 'noisy.npy'), { dtype: 'f4', shape: [n, 1, 28, 28], data: Float32Array.from(noisy) });
    const r = spawnSync(py.exe, [repoPath('scripts', 'reference', 'fid_from_npy.py'), dir, '--classifier', classifierPath], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { sampler: string; fid: number; alignment: number })
        .map((o) => [o.sampler, o]),
    );
    const scorer = imageScorer(loadClassifier(classifierPath), held, 10);
    for (const [name, x] of [
      ['clean', clean],
      ['noisy', Float32Array.from(noisy)],
    ] as const) {
      const ours = scoreImages(scorer, x, labels);
      const ref = theirs.get(name)!;
      assert.ok(Math.abs(ours.fid - ref.fid) <= 0.01 * ref.fid + 0.05, `${name}: FID ${ours.fid} (sidc) vs ${ref.fid} (scipy)`);
      assert.ok(Math.abs(ours.alignment - ref.alignment) <= 0.0051, `${name}: alignment ${ours.alignment} vs ${ref.alignment}`);
    }
    assert.ok(theirs.get('noisy')!.fid > 2 * theirs.get('clean')!.fid, `noise must cost FID: ${r.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
