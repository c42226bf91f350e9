import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadMnist, mnistCaption } from '../../../runtime/data/mnist.js';
import { Loader } from '../../../runtime/tfjs/nets/loader.js';

test('MNIST split: 9,000 train / 1,000 held-out, disjoint, balanced, values in [-1, 1], captions name the digit', () => {
  const tr = loadMnist({ split: 'train' });
  const ho = loadMnist({ split: 'heldout' });
  assert.equal(tr.labels.length + ho.labels.length, 10000);
  assert.equal(ho.labels.length, 1000);
  for (let d = 0; d < 10; d++) assert.equal(ho.labels.filter((l) => l === d).length, 100);
  assert.ok(tr.images.every((v) => v >= -1 && v <= 1));
  assert.ok(tr.images.some((v) => v > 0.9) && tr.images.some((v) => v === -1));
  assert.equal(tr.captions[0], mnistCaption(tr.labels[0]!));
  assert.equal(mnistCaption(7), 'a handwritten digit seven');
  // no held-out image appears in the training set
  const key = (a: Float32Array, i: number) => a.subarray(i * 784, (i + 1) * 784).join();
  const seen = new Set(Array.from({ length: 500 }, (_, i) => key(tr.images, i * 18)));
  for (let i = 0; i < 1000; i += 50) assert.ok(!seen.has(key(ho.images, i)));
});

test('padding to 32x32 keeps the digit centred on a -1 background', () => {
  const a = loadMnist({ split: 'heldout' });
  const b = loadMnist({ split: 'heldout', size: 32 });
  assert.equal(b.height, 32);
  for (const [y, x] of [
    [10, 12],
    [14, 14],
    [20, 5],
  ])
    assert.equal(b.images[(y + 2) * 32 + x + 2], a.images[y * 28 + x]);
  assert.equal(b.images[0], -1);
});

test('loader: deterministic per seed, every image once per epoch, resumable from its state', async () => {
  await tf.setBackend('cpu');
  const set = loadMnist({ split: 'heldout' });
  const run = (seed: number, n: number) => {
    const l = new Loader(set, 100, seed);
    return Array.from({ length: n }, () => Array.from(l.nextIndices()));
  };
  assert.deepEqual(run(1, 3), run(1, 3));
  assert.notDeepEqual(run(1, 1), run(2, 1));
  const epoch = run(1, 10)
    .flat()
    .sort((a, b) => a - b);
  assert.deepEqual(
    epoch,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const full = run(1, 13);
  const l = new Loader(set, 100, 1);
  for (let i = 0; i < 7; i++) l.nextIndices();
  const resumed = new Loader(set, 100, 1, { ...l.state });
  assert.deepEqual(
    Array.from({ length: 6 }, () => Array.from(resumed.nextIndices())),
    full.slice(7),
  );
  const b = new Loader(set, 4, 3).next();
  assert.deepEqual(b.x.shape, [4, 1, 28, 28]);
  assert.equal(b.captions.length, 4);
});
