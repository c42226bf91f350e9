// Faster Slice / Unpack / SplitV kernels for the tfjs wasm backend (docs/design.md, "wasm: fast only on plain 2-D matMul").
// The stock wasm Slice calls backend.readSync(x), which copies the WHOLE input out of the heap for every
// slice, so unstack/split of n pieces costs O(n * size). These kernels read through a typed-array view of
// the heap instead and copy only the requested region: O(size of output), bit-identical results.
// (A truly zero-copy alias is not safe: the backend frees every dataId's memoryOffset on dispose.)
// registerWasmFastKernels() is called by runtime/tfjs/backend/select.ts (initBackend) after the wasm backend is initialised.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
const saved = new Map<string, tf.KernelConfig>();

/** Copies x[begin : begin + size] into a fresh heap tensor, run by run along the innermost axis. */
function sliceInto(backend: BackendWasm, x: Info, begin: number[], size: number[]): Info {
  const out = backend.makeOutput(size, x.dtype);
  const n = size.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  // Views are taken AFTER makeOutput: a malloc may grow (and detach) the heap buffer.
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0) {
    ov[0] = xv[0]!;
    return out;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * x.shape[d + 1]!;
  // Merge trailing axes that are taken whole, so a contiguous slice becomes one run.
  let inner = rank - 1;
  let run = size[inner]!;
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) {
    inner--;
    run *= size[inner]!;
  }
  const idx = new Array<number>(inner).fill(0);
  let o = 0;
  for (;;) {
    let off = begin[inner]! * strides[inner]!;
    for (let d = 0; d < inner; d++) off += (begin[d]! + idx[d]!) * strides[d]!;
    ov.set(xv.subarray(off, off + run), o);
    o += run;
    let d = inner - 1;
    while (d >= 0 && ++idx[d]! === size[d]!) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

function sliceKernel(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }): Info {
  const x = args.inputs['x']!;
  if (x.dtype === 'string') return saved.get(tf.Slice)!.kernelFunc(args as never) as Info;
  const xt = { shape: x.shape } as tf.Tensor;
  const [begin, size] = tf.slice_util.parseSliceParams(xt, args.attrs['begin'] as number[], args.attrs['size'] as number[]);
  return sliceInto(args.backend as BackendWasm, x, begin, size);
}

function unpackKernel(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }): Info[] {
  const x = args.inputs['value']!;
  if (x.dtype === 'string') return saved.get(tf.Unpack)!.kernelFunc(args as never) as Info[];
  let axis = args.attrs['axis'] as number;
  if (axis < 0) axis += x.shape.length;
  const outShape = x.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  const size = x.shape.slice();
  size[axis] = 1;
  const outs: Info[] = [];
  for (let i = 0; i < x.shape[axis]!; i++) {
    begin[axis] = i;
    const o = sliceInto(args.backend as BackendWasm, x, begin, size);
    outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
  }
  return outs;
}

function splitVKernel(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }): Info[] {
  const x = args.inputs['x']!;
  if (x.dtype === 'string') return saved.get(tf.SplitV)!.kernelFunc(args as never) as Info[];
  const axis = tf.util.parseAxisParam(args.attrs['axis'] as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs['numOrSizeSplits'] as number[] | number, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const o = sliceInto(args.backend as BackendWasm, x, begin, size);
    begin[axis] += s;
    return o;
  });
}

const fast: Array<[string, tf.KernelFunc]> = [
  [tf.Slice, sliceKernel as unknown as tf.KernelFunc],
  [tf.Unpack, unpackKernel as unknown as tf.KernelFunc],
  [tf.SplitV, splitVKernel as unknown as tf.KernelFunc],
];

/** Replace the stock wasm kernels by the linear-cost ones. Idempotent. */
export function registerWasmFastKernels(): void {
  for (const [name, kernelFunc] of fast) {
    if (saved.has(name)) continue;
    const old = tf.getKernel(name, 'wasm');
    if (!old) throw new Error(`wasm kernel ${name} not registered: import '@tensorflow/tfjs-backend-wasm' first`);
    saved.set(name, old);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
}

/** Put the stock kernels back (tests compare both). */
export function unregisterWasmFastKernels(): void {
  for (const [name, old] of saved) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(old);
  }
  saved.clear();
}
