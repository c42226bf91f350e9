// The fast Slice / Unpack / SplitV kernels must give bit-identical results to the stock wasm kernels.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from './setup.js';
import { registerWasmFastKernels, unregisterWasmFastKernels } from '../../../../runtime/tfjs/backend/wasm-kernels.js';

before(() => useWasm(false));

type Case = () => tf.Tensor[];
const x = () => tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 1);
const cases: Record<string, Case> = {
  'slice contiguous': () => [tf.slice(x(), [1, 0, 0, 0], [2, 4, 5, 6])],
  'slice inner': () => [tf.slice(x(), [0, 1, 2, 3], [3, 2, 3, 2])],
  'slice rank 1': () => [tf.slice(tf.range(0, 10), [3], [4])],
  'slice rank 5': () => [tf.slice(tf.reshape(x(), [3, 2, 2, 5, 6]), [1, 0, 1, 2, 1], [2, 2, 1, 3, 4])],
  'slice int32': () => [tf.slice(tf.reshape(tf.range(0, 24, 1, 'int32'), [4, 6]), [1, 2], [2, 3])],
  'unstack axis 0': () => tf.unstack(x()),
  'unstack axis 2': () => tf.unstack(x(), 2),
  'split last axis': () => tf.split(x(), [1, 2, 3], -1),
  'split axis 1 even': () => tf.split(x(), 2, 1),
  'slice gradient': () => [tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.slice(a, [0, 1, 1, 0], [2, 2, 3, 6]))))(x())],
};

test("fast kernels give exactly the stock kernels' results", () => {
  const stock: Record<string, Float32Array[]> = {};
  const shapes: Record<string, number[][]> = {};
  for (const [n, f] of Object.entries(cases)) {
    const r = f();
    stock[n] = r.map((t) => Float32Array.from(t.dataSync()));
    shapes[n] = r.map((t) => t.shape);
  }
  registerWasmFastKernels();
  try {
    for (const [n, f] of Object.entries(cases)) {
      const r = f();
      assert.deepEqual(
        r.map((t) => t.shape),
        shapes[n],
        n,
      );
      r.forEach((t, i) => assert.deepEqual(Float32Array.from(t.dataSync()), stock[n]![i], `${n} #${i}`));
    }
  } finally {
    unregisterWasmFastKernels();
  }
});

test("fast unstack/split never copy the whole input out of the heap (the stock kernels' quadratic cost)", () => {
  registerWasmFastKernels();
  const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
  const orig = backend.readSync;
  let reads = 0;
  backend.readSync = function (this: unknown, ...a: unknown[]) {
    reads++;
    return orig.apply(this, a);
  };
  try {
    const a = tf.ones([512, 8, 8]);
    const parts = tf.unstack(a);
    const halves = tf.split(a, 2, 2);
    const s = tf.slice(a, [3, 0, 0], [4, 8, 8]);
    assert.equal(reads, 0);
    assert.equal(parts.length, 512);
    backend.readSync = orig;
    assert.equal(parts[511]!.dataSync()[63], 1);
    assert.deepEqual(halves[1]!.shape, [512, 8, 4]);
    assert.equal(s.dataSync()[0], 1);
  } finally {
    backend.readSync = orig;
    unregisterWasmFastKernels();
  }
});
