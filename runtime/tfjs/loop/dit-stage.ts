// Stage setup for the image DiT teacher (family `dit`): phi is read from teacher.checkpoint (the shipped
// safetensors), psi and G start as copies of it (docs/algorithm.md §2) or of an earlier stage's product or a
// student file (generator.init); conditions are the dataset's captions (data.dataset, MNIST: ten digit
// captions, the empty caption is the null condition K); real images (adversarial stage) come from the
// dataset's training split.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ExecutionGraph, NetDecl, StageGraph } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import { makePrecision } from '../precision/policy.js';
import { Rng } from '../../rng/prng.js';
import { loadMnist, mnistCaption } from '../../data/mnist.js';
import type { ImageSet } from '../../data/image-set.js';
import { configValue, num } from './config.js';
import { DitNet, loadDitFile } from './dit-net.js';
import { fromProduct, InitError, teachStageOf } from './build-nets.js';
import type { NetSlot, StageState } from './state.js';
import { stageBatch, stageSeed } from './stage.js';

/** A path from the recipe: relative to the recipe's folder when it exists there, else to the cwd. */
export function recipePath(graph: ExecutionGraph, p: string): string {
  if (isAbsolute(p)) return p;
  const beside = graph.recipe?.file ? resolve(dirname(graph.recipe.file), p) : null;
  return beside && existsSync(beside) ? beside : resolve(p);
}

/** The caption set conditions index into (the dataset's classes; MNIST by default). */
export function datasetCaptions(graph: ExecutionGraph): string[] {
  const name = String(configValue(graph, 'data.dataset') ?? 'mnist');
  if (name !== 'mnist') throw new InitError(`data.dataset = "${name}": only "mnist" is available offline for the dit teacher`);
  return Array.from({ length: 10 }, (_, d) => mnistCaption(d));
}

let trainSet: ImageSet | null = null;
/** The real image-caption training split (adversarial stage), loaded once per process. */
export function realImages(): ImageSet {
  trainSet ??= loadMnist({ split: 'train' });
  return trainSet;
}

/** The graph's t -> the DiT's timestep: the DiT always sees t x its own timeScale (docs/algorithm.md §1). */
function inputScale(graph: ExecutionGraph, ditTimeScale: number): number {
  return ditTimeScale / num(configValue(graph, 'teacher.time_scale'), 1);
}

const teacherCache = new Map<string, DitNet>();
/** phi, read once per process (a sweep or a multi-stage run reuses it). */
export function ditTeacher(graph: ExecutionGraph): DitNet {
  const ck = configValue(graph, 'teacher.checkpoint');
  if (typeof ck !== 'string') throw new InitError('teacher dit: set `checkpoint = "teachers/dit-mnist.safetensors"` (the trained DiT teacher)');
  const path = recipePath(graph, ck);
  if (!existsSync(path))
    throw new InitError(`teacher.checkpoint: ${path} does not exist (train one with \`sidc run examples/mnist-teacher.sid\`, see docs/dit.md)`);
  const key = `${path}|${num(configValue(graph, 'teacher.time_scale'), 1)}`;
  let net = teacherCache.get(key);
  if (!net) {
    const probe = loadDitFile(path, { captions: datasetCaptions(graph), trainable: false });
    net = loadDitFile(path, { captions: datasetCaptions(graph), inputScale: inputScale(graph, probe.opts.config.timeScale), trainable: false });
    probe.dispose();
    teacherCache.set(key, net);
  }
  return net;
}

function buildDitNet(graph: ExecutionGraph, decl: NetDecl, products: Map<string, VelocityNet>): VelocityNet {
  const fromStage = (name: string): VelocityNet => fromProduct(products, name, decl);
  if (decl.init === 'teacher') {
    const teach = teachStageOf(graph);
    if (teach && products.has(teach.name)) return fromStage(teach.name);
    return ditTeacher(graph).clone(decl.trainable);
  }
  if (decl.init.startsWith('stage:')) return fromStage(decl.init.slice(6));
  const file = decl.init.startsWith('checkpoint:') ? decl.init.slice('checkpoint:'.length) : decl.init;
  if (file.endsWith('.safetensors')) {
    // generator.init = a student file (e.g. a finished data-free run's student.safetensors)
    const phi = stageTeacher(graph, products);
    const path = recipePath(graph, file);
    if (!existsSync(path)) throw new InitError(`net ${decl.name}: init file ${path} does not exist`);
    return loadDitFile(path, { captions: datasetCaptions(graph), inputScale: phi.opts.inputScale, trainable: decl.trainable });
  }
  throw new InitError(`net ${decl.name}: init '${decl.init}' is not available for the dit teacher (teacher | stage:<name> | a .safetensors student)`);
}

/** phi of a stage: the product of the recipe's teach stage when it has one, else teacher.checkpoint. */
function stageTeacher(graph: ExecutionGraph, products: Map<string, VelocityNet>): DitNet {
  const teach = teachStageOf(graph);
  const trained = teach ? products.get(teach.name) : undefined;
  return trained instanceof DitNet ? trained : ditTeacher(graph);
}

export function prepareDitStage(graph: ExecutionGraph, stage: StageGraph, products: Map<string, VelocityNet>): StageState {
  const seed = stageSeed(graph, stage);
  const nets = new Map<string, NetSlot>();
  for (const decl of stage.nets) nets.set(decl.name, { decl, net: buildDitNet(graph, decl, products) });
  const captions = datasetCaptions(graph);
  const phi = stageTeacher(graph, products);
  const real = stage.kind === 'adversarial' ? realImages() : null;
  if (real && real.channels * real.height * real.width !== phi.dim) {
    throw new InitError(
      `data.images: ${real.name} images are ${real.channels}x${real.height}x${real.width}, the teacher generates ${phi.opts.config.channels}x${phi.opts.config.height}x${phi.opts.config.width}`,
    );
  }
  return {
    graph,
    stage,
    precision: makePrecision(stage.precision?.policy ?? 'fp32'),
    nets,
    gmm: null,
    rng: Rng.derive(seed, `stage:${stage.name}`),
    adam: new Map(),
    batch: stageBatch(graph, stage),
    dim: phi.dim,
    classes: captions.length,
    ...(real ? { realData: real } : {}),
    iteration: 0,
    images: 0,
    stats: { dropped: 0, nonfinite: 0 },
  };
}
