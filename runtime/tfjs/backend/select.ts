// Backend choice at start (docs/design.md "The backend"): `tensorflow` when @tensorflow/tfjs-node(-gpu) is
// installed (optional, never a dependency: it downloads libtensorflow at install time), else `wasm`
// (SIMD; threads off in Node), else `cpu`. The choice is printed and recorded in the run directory.
import * as tf from '@tensorflow/tfjs-core';
import { registerAllGradients } from './gradients.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** tfjs's own name of the active backend ('tensorflow', 'wasm', 'cpu') */
  tfjsBackend: string;
  threads: number;
  simd: boolean | null;
  tfjsVersion: string;
  fastKernels: boolean;
}

interface BackendOptions {
  /** Force one backend (`--backend`); default: the first that works in the order above. */
  prefer?: BackendName;
  /** wasm threads (needs the worker shim; 1 = off, the default in Node). */
  threads?: number;
}

let current: BackendInfo | null = null;

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return true;
    } catch {
      // not installed here: fall through to wasm
    }
  }
  return false;
}

async function tryWasm(threads: number): Promise<{ simd: boolean | null; fast: boolean } | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (threads > 1) wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
    let simd: boolean | null = null;
    try {
      simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    } catch {
      simd = null;
    }
    // Hook for the fast wasm kernels (runtime/tfjs/backend/wasm-kernels.ts), when that module provides them.
    let fast = false;
    try {
      const spec = './wasm-kernels.js';
      const mod = (await import(spec)) as { registerWasmFastKernels?: () => unknown };
      if (typeof mod.registerWasmFastKernels === 'function') {
        await mod.registerWasmFastKernels();
        fast = true;
      }
    } catch {
      fast = false;
    }
    return { simd, fast };
  } catch {
    return null;
  }
}

/** Initialises tfjs once per process and returns what was chosen. */
export async function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  if (current && (!opts.prefer || opts.prefer === current.name)) return current;
  await registerAllGradients();
  const order: BackendName[] = opts.prefer ? [opts.prefer] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && (await tryTensorflow())) {
      current = { name, tfjsBackend: tf.getBackend(), threads: 0, simd: null, tfjsVersion: tf.version_core, fastKernels: false };
      return current;
    }
    if (name === 'wasm') {
      const threads = opts.threads ?? 1;
      const w = await tryWasm(threads);
      if (w) {
        current = { name, tfjsBackend: 'wasm', threads, simd: w.simd, tfjsVersion: tf.version_core, fastKernels: w.fast };
        return current;
      }
    }
    if (name === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
      tf.env().set('PROD', true); // silences the cpu backend's "install tfjs-node" banner; we chose cpu knowingly
      if (await tf.setBackend('cpu')) {
        await tf.ready();
        current = { name, tfjsBackend: 'cpu', threads: 1, simd: null, tfjsVersion: tf.version_core, fastKernels: false };
        return current;
      }
    }
  }
  throw new Error(`backend ${opts.prefer ?? '(any)'} could not be initialised`);
}

export function describeBackend(b: BackendInfo): string {
  const simd = b.simd === null ? '' : b.simd ? ', SIMD' : ', no SIMD';
  return `${b.name} (tfjs ${b.tfjsVersion}, ${b.threads} thread${b.threads === 1 ? '' : 's'}${simd}${b.fastKernels ? ', fast kernels' : ''})`;
}
