// Flow-matching (rectified-flow) training of the DiT teacher - the future `teach` stage.
// Loss (docs/algorithm.md §1): x_t = (1 - t) x0 + t eps, target v = eps - x0, L = mean (v_theta(x_t, t, c) - v)^2,
// t ~ logit-normal(m, s) (SD3's choice), captions replaced by "" with probability `captionDrop` so the same
// net learns the null condition used by CFG. Adam with linear warm-up, EMA of weights for sampling.
// State (params, EMA, Adam moments, step, PRNG, loader cursor) is saved to one safetensors file and
// restored exactly, so an interrupted run resumes where it stopped.
import * as tf from '@tensorflow/tfjs-core';
import { ParamsAdam } from '../optim/adam.js';
import { Ema } from '../optim/ema.js';
import { SplitMix32 } from '../../rng/splitmix32.js';
import { toVariables, type Params } from '../nn/params.js';
import { Loader, type LoaderState } from './loader.js';
import type { ImageSet } from '../../data/image-set.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../formats/safetensors.js';
import { DiT, type DiTConfig } from './dit.js';

export interface TeachOptions {
  config: DiTConfig;
  batch: number;
  lr: number;
  warmupSteps: number;
  emaDecay: number;
  captionDrop: number; // 0.1: probability of the empty caption (CFG's null condition)
  tMean: number; // logit-normal location
  tStd: number; // logit-normal scale
  seed: number;
}

export const TEACH_DEFAULTS: Omit<TeachOptions, 'config'> = {
  batch: 64,
  lr: 6e-4,
  warmupSteps: 100,
  emaDecay: 0.995,
  captionDrop: 0.1,
  tMean: 0,
  tStd: 1,
  seed: 0,
};

export interface TeachState {
  net: DiT;
  params: Params;
  ema: Ema;
  adam: ParamsAdam;
  rng: SplitMix32;
  loader: Loader;
  opts: TeachOptions;
  /** CPU seconds spent training so far (all resumed segments), for compute budgets. */
  cpuSeconds: number;
}

export function startTeach(data: ImageSet, opts: TeachOptions): TeachState {
  const net = new DiT(opts.config);
  const params = net.init(opts.seed);
  return {
    net,
    params,
    ema: new Ema(opts.emaDecay, params),
    adam: new ParamsAdam({ lr: opts.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
    rng: new SplitMix32(opts.seed ^ 0x5eed),
    loader: new Loader(data, opts.batch, opts.seed),
    opts,
    cpuSeconds: 0,
  };
}

/** One optimizer step; returns the loss. */
export function teachStep(s: TeachState): number {
  const { net, params, opts, rng } = s;
  const batch = s.loader.next();
  const captions = batch.captions.map((c) => (rng.uniform() < opts.captionDrop ? '' : c));
  const b = captions.length;
  const tArr = new Float32Array(b);
  for (let i = 0; i < b; i++) tArr[i] = 1 / (1 + Math.exp(-(opts.tMean + opts.tStd * rng.normal())));
  const noiseSeed = rng.seed();
  const { value, grads } = tf.tidy(() => {
    const x0 = batch.x;
    const t = tf.tensor1d(tArr);
    const eps = tf.randomNormal(x0.shape, 0, 1, 'float32', noiseSeed);
    const tb = tf.reshape(t, [b, 1, 1, 1]);
    const xt = tf.add(tf.mul(tf.sub(1, tb), x0), tf.mul(tb, eps));
    const target = tf.sub(eps, x0);
    return tf.variableGrads(() => {
      const cond = net.encodeText(params, captions);
      const v = net.velocity(params, xt, tf.mul(t, net.config.timeScale), cond);
      return tf.mean(tf.square(tf.sub(v, target))) as tf.Scalar;
    }, Object.values(params));
  });
  batch.x.dispose();
  const loss = value.dataSync()[0]!;
  // variableGrads keys by Variable name ("<param>#<serial>"): map back to parameter names.
  const byName: Record<string, tf.Tensor> = {};
  for (const [n, p] of Object.entries(params)) byName[n] = grads[p.name]!;
  s.adam.apply(params, byName, Math.min(1, (s.adam.step + 1) / Math.max(1, opts.warmupSteps)));
  s.ema.update(params, s.adam.step);
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

// ---- checkpoints ----

const f32 = (t: tf.Tensor): TensorToWrite => ({ dtype: 'F32', shape: t.shape.slice(), data: t.dataSync() as Float32Array });

/** Resumable state: params, EMA, Adam moments, step, PRNG state and loader cursor in one file. */
export function saveTeachState(path: string, s: TeachState): void {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [n, p] of Object.entries(s.params)) tensors[n] = f32(p);
  for (const [n, t] of Object.entries(s.ema.shadow)) tensors[`ema.${n}`] = f32(t);
  for (const [n, { m, v }] of Object.entries(s.adam.state.params)) {
    const shape = s.params[n]!.shape.slice();
    tensors[`adam.m.${n}`] = { dtype: 'F32', shape, data: m };
    tensors[`adam.v.${n}`] = { dtype: 'F32', shape, data: v };
  }
  writeSafetensors(path, tensors, {
    format: 'sidc-dit-teach-state',
    config: JSON.stringify(s.opts.config),
    options: JSON.stringify({ ...s.opts, config: undefined }),
    step: String(s.adam.step),
    rng: String(s.rng.state),
    loader: JSON.stringify(s.loader.state),
    cpu_seconds: String(s.cpuSeconds),
  });
}

export function loadTeachState(path: string, data: ImageSet): TeachState {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata['format'] !== 'sidc-dit-teach-state') throw new Error(`${path}: not a DiT teacher training state`);
  const config = JSON.parse(metadata['config']!) as DiTConfig;
  const opts = { ...(JSON.parse(metadata['options']!) as Omit<TeachOptions, 'config'>), config };
  const net = new DiT(config);
  const pick = (prefix: string) => {
    const out: Record<string, tf.Tensor> = {};
    for (const n of Object.keys(net.shapes())) {
      const t = tensors[prefix + n];
      if (t) out[n] = tf.tensor(t.data, t.shape);
    }
    return out;
  };
  const params = toVariables(pick(''));
  const ema = new Ema(opts.emaDecay, params);
  ema.dispose();
  ema.shadow = pick('ema.');
  const adam = new ParamsAdam({ lr: opts.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  adam.state.step = Number(metadata['step']);
  for (const n of Object.keys(net.shapes())) {
    const [m, v] = [tensors[`adam.m.${n}`], tensors[`adam.v.${n}`]];
    if (m && v) adam.state.params[n] = { m: Float32Array.from(m.data), v: Float32Array.from(v.data) };
  }
  const loader = new Loader(data, opts.batch, opts.seed, JSON.parse(metadata['loader']!) as LoaderState);
  return { net, params, ema, adam, rng: new SplitMix32(Number(metadata['rng'])), loader, opts, cpuSeconds: Number(metadata['cpu_seconds'] ?? 0) };
}

/** The shipped teacher: EMA (or raw) weights only, F16 storage, config (with vocabulary) in the metadata. */
export function saveTeacher(path: string, s: TeachState, note: string, weights: 'ema' | 'raw' = 'ema'): void {
  const tensors: Record<string, TensorToWrite> = {};
  const src: Record<string, tf.Tensor> = weights === 'ema' ? s.ema.shadow : s.params;
  for (const [n, t] of Object.entries(src)) tensors[n] = { ...f32(t), dtype: 'F16' };
  writeSafetensors(path, tensors, {
    format: 'sidc-dit-teacher',
    config: JSON.stringify(s.opts.config),
    objective: 'rectified_flow',
    steps: String(s.adam.step),
    weights,
    note,
  });
}

/** Loads a teacher saved by saveTeacher (or any file with the same names): net + params as Variables. */
export function loadTeacher(path: string, trainable = false): { net: DiT; params: Params } {
  const { tensors, metadata } = readSafetensors(path);
  if (!metadata['config']) throw new Error(`${path}: no DiT config in the safetensors metadata`);
  const net = new DiT(JSON.parse(metadata['config']) as DiTConfig);
  const values: Record<string, tf.Tensor> = {};
  for (const [n, shape] of Object.entries(net.shapes())) {
    const t = tensors[n];
    if (!t) throw new Error(`${path}: missing tensor "${n}"`);
    if (t.shape.join() !== shape.join()) throw new Error(`${path}: tensor "${n}" is [${t.shape}], expected [${shape}]`);
    values[n] = tf.tensor(t.data, t.shape);
  }
  return { net, params: toVariables(values, trainable) };
}
