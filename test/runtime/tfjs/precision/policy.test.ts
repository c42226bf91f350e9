// AMP/BF16 compute: matmul operands are rounded to bf16, the gradient passes straight through (rounded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { makePrecision } from '../../../../runtime/tfjs/precision/policy.js';
import { roundBf16 } from '../../../../runtime/tfjs/precision/bf16.js';

await initBackend({ prefer: 'cpu' });

test('amp compute rounds values to bf16 and passes gradients through; fp32 is the identity', () => {
  const amp = makePrecision('amp');
  const fp32 = makePrecision('fp32');
  const vals = [1 + 2 ** -9, 3.14159265, -1e-3, 65537];
  const x = tf.tensor1d(vals);
  assert.deepEqual(Array.from(amp.compute(x).dataSync()), vals.map(roundBf16));
  assert.deepEqual(Array.from(fp32.compute(x).dataSync()), Array.from(new Float32Array(vals)));
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(amp.compute(v), tf.tensor1d([1, 2, 3, 0.5]))))(x);
  assert.deepEqual(Array.from(g.dataSync()), [1, 2, 3, 0.5]);
  assert.equal(amp.bf16Storage, false);
  assert.equal(makePrecision('bf16').bf16Storage, true);
});
