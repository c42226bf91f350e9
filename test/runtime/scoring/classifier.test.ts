import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { classify, classifierFeatures, featuresOf, loadClassifier } from '../../../runtime/scoring/classifier.js';
import { loadMnist } from '../../../runtime/data/mnist.js';
import { fid } from '../../../runtime/scoring/fid.js';

before(() => useWasm());

test('the shipped MNIST classifier is > 97% accurate on the held-out split; features are 128-d', () => {
  const p = loadClassifier(repoPath('examples', 'eval', 'mnist-classifier.safetensors'));
  const held = loadMnist({ split: 'heldout' });
  const pred = classify(p, held.images, held.labels.length);
  const acc = pred.reduce((a, c, i) => a + (c === held.labels[i] ? 1 : 0), 0) / pred.length;
  assert.ok(acc > 0.97, `accuracy ${acc}`);
  assert.deepEqual(classifierFeatures(p, tf.zeros([2, 1, 28, 28])).shape, [2, 128]);
});

test('FID in classifier features: real vs real is far below real vs noise', () => {
  const p = loadClassifier(repoPath('examples', 'eval', 'mnist-classifier.safetensors'));
  const held = loadMnist({ split: 'heldout' });
  const train = loadMnist({ split: 'train' });
  // both sets class-balanced: the held-out split, and every 9th training image
  const a = featuresOf(p, held.images, 1000);
  const b = featuresOf(p, train.images, 9000).filter((_, i) => i % 9 === 0);
  const noise = featuresOf(p, tf.randomUniform([1000 * 784], -1, 1, 'float32', 3).dataSync() as Float32Array, 1000);
  const real = fid(a, b);
  const fake = fid(a, noise);
  assert.ok(real * 10 < fake, `real ${real}, noise ${fake}`);
});

test('scoreFeatures (one pass, features + classes) equals featuresOf and classify run separately', async () => {
  const { scoreFeatures } = await import('../../../runtime/scoring/classifier.js');
  const p = loadClassifier(repoPath('examples/eval/mnist-classifier.safetensors'));
  const held = loadMnist({ split: 'heldout' });
  const n = 997; // not a multiple of the batch: the last batch is partial
  const img = held.images.subarray(0, n * 784);
  const one = scoreFeatures(p, img, n, 250);
  const feats = featuresOf(p, img, n);
  assert.equal(one.features.length, n);
  for (let i = 0; i < n; i += 97) assert.deepEqual([...one.features[i]!], [...feats[i]!], `row ${i}`);
  assert.deepEqual([...one.classes], [...classify(p, img, n)]);
});
