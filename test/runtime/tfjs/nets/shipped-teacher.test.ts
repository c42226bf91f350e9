import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { repoPath } from '../../../helpers/paths.js';
import { loadTeacher } from '../../../../runtime/tfjs/nets/dit-teach.js';
import { loadMnist } from '../../../../runtime/data/mnist.js';
import { gatherBatch } from '../../../../runtime/tfjs/nets/loader.js';

before(() => useWasm());

test('the shipped MNIST teacher loads frozen and predicts velocity on held-out digits far better than zero', () => {
  const { net, params } = loadTeacher(repoPath('examples', 'teachers', 'dit-mnist.safetensors'));
  assert.equal(net.config.name, 'dit_mnist_s');
  assert.ok(Object.values(params).every((v) => !v.trainable));
  const held = loadMnist({ split: 'heldout' });
  const b = gatherBatch(
    held,
    Array.from({ length: 40 }, (_, i) => i * 25),
  );
  const t = 0.5;
  const eps = tf.randomNormal(b.x.shape, 0, 1, 'float32', 1);
  const xt = tf.add(tf.mul(1 - t, b.x), tf.mul(t, eps));
  const target = tf.sub(eps, b.x);
  const v = net.velocity(params, xt, tf.fill([40], t * net.config.timeScale), net.encodeText(params, b.captions));
  const loss = tf.mean(tf.square(tf.sub(v, target))).dataSync()[0]!;
  const zero = tf.mean(tf.square(target)).dataSync()[0]!; // the loss of an untrained (adaLN-Zero) net
  assert.ok(loss < 0.25 * zero, `flow-matching loss ${loss} vs ${zero} for v = 0`);
});
