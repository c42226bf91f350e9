// The evaluation classifier for 28x28 digits: an MLP 784 -> 512 -> 128 -> 10 (ReLU), trained here on the
// MNIST training split (runtime/data/mnist.ts) with random-shift augmentation. Its 128-d penultimate
// activations are the feature space of our FID (fid.ts); its predictions give prompt alignment (align.ts).
// Parameters use torch Linear layout ([out, in]) under `fc1`, `fc2`, `head`.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../tfjs/nn/linear.js';
import { ParamsAdam } from '../tfjs/optim/adam.js';
import { ParamBuilder, param, toVariables, type Params, type ParamValues } from '../tfjs/nn/params.js';
import { SplitMix32 } from '../rng/splitmix32.js';
import type { ImageSet } from '../data/image-set.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../formats/safetensors.js';

/** The eval classifier shipped with sidc (examples/eval/), found upward from this file (source or dist/). */
export function shippedClassifierPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = resolve(dir, '..')) {
    const p = join(dir, 'examples', 'eval', 'mnist-classifier.safetensors');
    if (existsSync(p)) return p;
  }
  throw new Error('the eval classifier examples/eval/mnist-classifier.safetensors is not found beside sidc');
}

const CLASSIFIER_DIMS = { input: 784, hidden: 512, features: 128, classes: 10 };

function initClassifier(seed: number): Params {
  const d = CLASSIFIER_DIMS;
  const pb = new ParamBuilder(new SplitMix32(seed));
  pb.linear('fc1', d.input, d.hidden);
  pb.linear('fc2', d.hidden, d.features);
  pb.linear('head', d.features, d.classes);
  return pb.build();
}

/** Penultimate features [B, 128] of images [B, 1, 28, 28] (or [B, 784]) in [-1, 1]. */
export function classifierFeatures(p: Params | ParamValues, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.relu(linear(tf.reshape(x, [-1, CLASSIFIER_DIMS.input]), param(p, 'fc1.weight'), param(p, 'fc1.bias')));
    return tf.relu(linear(h, param(p, 'fc2.weight'), param(p, 'fc2.bias'))) as tf.Tensor2D;
  });
}

function classifierLogits(p: Params | ParamValues, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => linear(classifierFeatures(p, x), param(p, 'head.weight'), param(p, 'head.bias')) as tf.Tensor2D);
}

/** Images shifted by up to +-maxShift px (background -1 fills in): the augmentation. */
function shifted(set: ImageSet, idx: ArrayLike<number>, rng: SplitMix32, maxShift: number): Float32Array {
  const { height: h, width: w } = set;
  const out = new Float32Array(idx.length * h * w).fill(-1);
  for (let j = 0; j < idx.length; j++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const src = idx[j]! * h * w;
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++)
      for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) out[j * h * w + y * w + x] = set.images[src + (y - dy) * w + (x - dx)]!;
  }
  return out;
}

interface ClassifierTraining {
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  maxShift: number;
}

/** Trains on `train` (cross-entropy, Adam, lr decayed linearly to 0); returns the parameters. */
export function trainClassifier(train: ImageSet, o: ClassifierTraining, log?: (msg: string) => void): Params {
  if (train.height * train.width !== CLASSIFIER_DIMS.input) throw new Error(`classifier expects 28x28 images, got ${train.height}x${train.width}`);
  const p = initClassifier(o.seed);
  const rng = new SplitMix32(o.seed ^ 0xc1a55);
  const adam = new ParamsAdam({ lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const n = train.labels.length;
  const stepsPerEpoch = Math.floor(n / o.batch);
  const total = o.epochs * stepsPerEpoch;
  for (let e = 0; e < o.epochs; e++) {
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    let sum = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * o.batch, (s + 1) * o.batch);
      const x = tf.tensor2d(shifted(train, idx, rng, o.maxShift), [o.batch, CLASSIFIER_DIMS.input]);
      const y = tf.oneHot(
        tf.tensor1d(
          idx.map((i) => train.labels[i]!),
          'int32',
        ),
        CLASSIFIER_DIMS.classes,
      );
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, classifierLogits(p, x)) as tf.Scalar, Object.values(p));
      const byName: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(p)) byName[k] = grads[v.name]!;
      adam.apply(p, byName, 1 - (e * stepsPerEpoch + s) / total);
      sum += value.dataSync()[0]!;
      tf.dispose([x, y, value, ...Object.values(grads)]);
    }
    log?.(`epoch ${e + 1}/${o.epochs} loss ${(sum / stepsPerEpoch).toFixed(4)}`);
  }
  return p;
}

/** Predicted class per image. */
export function classify(p: Params | ParamValues, images: Float32Array, count: number, batch = 500): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i += batch) {
    const m = Math.min(batch, count - i);
    const pred = tf.tidy(() => tf.argMax(classifierLogits(p, tf.tensor2d(images.subarray(i * 784, (i + m) * 784), [m, 784])), 1));
    out.set(pred.dataSync() as Int32Array, i);
    pred.dispose();
  }
  return out;
}

/** Penultimate features of many images as a float64 matrix [count][128] for FID. */
export function featuresOf(p: Params | ParamValues, images: Float32Array, count: number, batch = 500): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let i = 0; i < count; i += batch) {
    const m = Math.min(batch, count - i);
    const f = classifierFeatures(p, tf.tensor2d(images.subarray(i * 784, (i + m) * 784), [m, 784]));
    const d = f.dataSync();
    for (let r = 0; r < m; r++) rows.push(Float64Array.from(d.subarray(r * f.shape[1], (r + 1) * f.shape[1])));
    f.dispose();
  }
  return rows;
}

/** Features and predicted classes of many images in one pass per batch (the features feed both FID and
 * the head): feature rows are views into one float64 buffer [count * 128], no per-row allocation. */
export function scoreFeatures(p: Params | ParamValues, images: Float32Array, count: number, batch = 500): { features: Float64Array[]; classes: Int32Array } {
  const d = CLASSIFIER_DIMS.features;
  const buf = new Float64Array(count * d);
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i += batch) {
    const m = Math.min(batch, count - i);
    const [f, pred] = tf.tidy(() => {
      const feats = classifierFeatures(p, tf.tensor2d(images.subarray(i * 784, (i + m) * 784), [m, 784]));
      return [feats, tf.argMax(linear(feats, param(p, 'head.weight'), param(p, 'head.bias')), 1)];
    });
    buf.set(f.dataSync() as Float32Array, i * d);
    classes.set(pred.dataSync() as Int32Array, i);
    tf.dispose([f, pred]);
  }
  return { features: Array.from({ length: count }, (_, r) => buf.subarray(r * d, (r + 1) * d)), classes };
}

export function saveClassifier(path: string, p: Params, metadata: Record<string, string>): void {
  const t: Record<string, TensorToWrite> = {};
  for (const [n, v] of Object.entries(p)) t[n] = { dtype: 'F16', shape: v.shape.slice(), data: v.dataSync() as Float32Array };
  writeSafetensors(path, t, { format: 'sidc-mnist-classifier', ...metadata });
}

export function loadClassifier(path: string): Params {
  const { tensors } = readSafetensors(path);
  const v: Record<string, tf.Tensor> = {};
  for (const n of ['fc1', 'fc2', 'head'])
    for (const k of ['weight', 'bias']) {
      const t = tensors[`${n}.${k}`];
      if (!t) throw new Error(`${path}: missing tensor ${n}.${k} (not an MNIST classifier file?)`);
      v[`${n}.${k}`] = tf.tensor(t.data, t.shape);
    }
  return toVariables(v, false);
}
