// Shared test setup: wasm backend with the fast kernels and tfjs gradients registered.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerAllGradients } from '../../../../runtime/tfjs/backend/gradients.js';
import { registerWasmFastKernels } from '../../../../runtime/tfjs/backend/wasm-kernels.js';

export async function useWasm(fast = true): Promise<void> {
  await registerAllGradients();
  await tf.setBackend('wasm');
  if (fast) registerWasmFastKernels();
}

/** Max |a - b| / (1 + max |b|). */
export function relErr(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) throw new Error(`length ${x.length} vs ${y.length}`);
  let m = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    m = Math.max(m, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return m / (1 + s);
}
