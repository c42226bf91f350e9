// Sets up one stage for execution (nets, PRNG, batch) and reads its schedule in images.
import type { ExecutionGraph, StageGraph } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import { makePrecision } from '../precision/policy.js';
import { roundBf16InPlace } from '../precision/bf16.js';
import { Rng } from '../../rng/prng.js';
import * as tf from '@tensorflow/tfjs-core';
import { buildNets } from './build-nets.js';
import { configValue, num, stageSetting } from './config.js';
import { gmmOf, isVectorFamily, teacherFamily } from './teacher-spec.js';
import type { StageState } from './state.js';
import { prepareDitStage } from './dit-stage.js';
import { isTextFamily, prepareFamilyStage } from './family-stage.js';
import type { NetSlot } from './state.js';

interface StageSchedule {
  lengthImages: number;
  checkpointEvery: number;
  sampleEvery: number;
  logEvery: number;
  /** images per iteration (micro-batch x accumulation rounds) */
  imagesPerIteration: number;
  iterations: number;
}

class StageError extends Error {}

export function stageSeed(graph: ExecutionGraph, stage: StageGraph): number {
  return num(stageSetting(graph, stage, ['seed'], 'train.seed', 0), 0);
}

export function stageBatch(graph: ExecutionGraph, stage: StageGraph): number {
  if (stage.kind === 'teach') return num(stageSetting(graph, stage, ['batch'], 'teach.batch', 256), 256);
  return num(stageSetting(graph, stage, ['batch_per_device'], null, graph.bindings.B ?? num(configValue(graph, 'batch.per_device'), 1)), 1);
}

export function scheduleOf(graph: ExecutionGraph, stage: StageGraph, batch: number): StageSchedule {
  const acc = Math.max(1, ...stage.phases.map((p) => p.accumulate));
  const imagesPerIteration = batch * acc;
  const lengthImages = num(stageSetting(graph, stage, ['length_images', 'length'], stage.kind === 'teach' ? 'teach.length' : 'train.length', 1000), 1000);
  const every = (names: string[], path: string, d: number) => num(stageSetting(graph, stage, names, path, d), d);
  return {
    lengthImages,
    checkpointEvery: every(['checkpoint_every_images', 'checkpoint_every'], 'train.checkpoint_every', 10000),
    sampleEvery: every(['sample_every_images', 'sample_every'], 'train.sample_every', 2000),
    logEvery: every(['log_every_images', 'log_every'], 'train.log_every', 1000),
    imagesPerIteration,
    iterations: Math.ceil(lengthImages / imagesPerIteration),
  };
}

export function prepareStage(graph: ExecutionGraph, stage: StageGraph, products: Map<string, VelocityNet>): StageState {
  const family = teacherFamily(graph);
  if (family === 'dit' || isTextFamily(family)) {
    const st = family === 'dit' ? prepareDitStage(graph, stage, products) : prepareFamilyStage(graph, stage, products);
    if (st.precision.bf16Storage) storeTrainableInBf16(st.nets);
    return st;
  }
  if (!isVectorFamily(family)) throw new StageError(`teacher family '${family}' is not executable by the runtime (gmm, mlp, dit, sana, sd3, flux)`);
  const gmm = gmmOf(graph);
  const seed = stageSeed(graph, stage);
  const precision = makePrecision(stage.precision?.policy ?? 'fp32');
  const nets = buildNets(graph, stage, gmm, products, seed);
  if (precision.bf16Storage) storeTrainableInBf16(nets);
  return {
    graph,
    stage,
    precision,
    nets,
    gmm,
    rng: Rng.derive(seed, `stage:${stage.name}`),
    adam: new Map(),
    batch: stageBatch(graph, stage),
    dim: gmm.dim,
    iteration: 0,
    images: 0,
    stats: { dropped: 0, nonfinite: 0 },
  };
}

/** BF16 policy: trainable weights are stored in bf16 from the start (docs/algorithm.md §5). */
function storeTrainableInBf16(nets: Map<string, NetSlot>): void {
  for (const { decl, net } of nets.values()) {
    if (!decl.trainable) continue;
    for (const v of net.params.values()) {
      const t = tf.tensor(roundBf16InPlace(Float32Array.from(v.dataSync() as Float32Array)), v.shape);
      v.assign(t);
      t.dispose();
    }
  }
}

/** The stage's final product: the generator when it has one, else the net its phases train. */
export function productOf(st: StageState): VelocityNet | null {
  const g = [...st.nets.values()].find((s) => s.decl.role === 'generator' || s.decl.name === 'G');
  if (g) return g.net;
  const trained = st.stage.phases[0]?.updates;
  return trained ? (st.nets.get(trained)?.net ?? null) : null;
}

export function disposeStage(st: StageState): void {
  for (const { net, shared } of st.nets.values()) if (!shared) net.dispose();
}
