// The wasm-friendly dense layers have the gradients of plain tfjs ops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { dense, matMul2d } from '../../../../runtime/tfjs/nn/linear.js';

await initBackend({ prefer: 'wasm' });

test('dense(x, W, b) and matMul2d match tf.matMul + add in value and gradient', () => {
  tf.tidy(() => {
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([3, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([4], 0, 1, 'float32', 3) as tf.Tensor1D;
    const up = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
    const ref = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(up, tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b)));
    const mine = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(up, dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D)));
    const mm = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(up, tf.add(matMul2d(x as tf.Tensor2D, w as tf.Tensor2D), b)));
    const gRef = tf.grads(ref)([x, w, b]);
    for (const f of [mine, mm]) {
      assert.ok(Math.abs(f(x, w, b).dataSync()[0]! - ref(x, w, b).dataSync()[0]!) < 1e-4);
      const g = tf.grads(f)([x, w, b]);
      g.forEach((gi, i) => assert.ok(tf.max(tf.abs(tf.sub(gi, gRef[i]!))).dataSync()[0]! < 1e-4, `gradient ${i}`));
    }
  });
});
