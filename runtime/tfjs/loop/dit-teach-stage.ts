// The teach stage of a dit recipe: rectified-flow training of the DiT teacher (docs/algorithm.md §1) by
// runtime/tfjs/nets/dit-teach.ts - the same startTeach / teachStep / state files as its command line, so a
// recipe reproduces the shipped teacher bit for bit. This file turns the lowered teach stage (graph
// lower/stages.ts lowerTeach) into that code's TeachOptions and wraps its files for the run directory.
// The generic teach phase nodes (sample_data, drop_condition, sample_t, diffuse, velocity, fm_loss) are
// read for their settings only; dit-teach.ts computes exactly that loss.
import { renameSync } from 'node:fs';
import type { ExecutionGraph, StageGraph } from '../../../compiler/graph/types.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { DIT_CONFIGS, ditConfig } from '../nets/dit.js';
import { TEACH_DEFAULTS, loadTeachState, saveTeacher, startTeach, type TeachOptions, type TeachState } from '../nets/dit-teach.js';
import { InitError } from './build-nets.js';
import { configValue, num } from './config.js';
import { datasetCaptions, realImages } from './dit-stage.js';
import { type DitNet, loadDitFile } from './dit-net.js';

interface DitTeachPlan {
  opts: TeachOptions;
  /** optimizer steps: ceil(length_images / batch) */
  steps: number;
  lengthImages: number;
  weights: 'ema' | 'raw';
}

const nodeAttr = (stage: StageGraph, op: string, attr: string): JsonValue | undefined => stage.phases[0]?.nodes.find((n) => n.op === op)?.attrs[attr];

/** TeachOptions from the lowered stage: teach.{length,batch,lr,warmup,ema_decay,caption_dropout,time,weights}, train.seed. */
export function ditTeachPlan(graph: ExecutionGraph, stage: StageGraph): DitTeachPlan {
  const name = String(configValue(graph, 'teacher.config') ?? 'dit_mnist_s');
  if (!DIT_CONFIGS[name]) throw new InitError(`teacher.config = "${name}": not a DiT size the runtime knows (${Object.keys(DIT_CONFIGS).join(', ')})`);
  const policy = stage.precision?.policy ?? 'fp32';
  if (policy !== 'fp32')
    throw new InitError(
      `stage ${stage.name}: the DiT teacher trains in fp32 (runtime/tfjs/nets/dit-teach.ts), but the recipe's precision is ${policy}; write \`precision fp32 {}\``,
    );
  const source = nodeAttr(stage, 'sample_data', 'source');
  if (source !== 'mnist')
    throw new InitError(
      `stage ${stage.name}: data.dataset = "${String(source)}": the DiT teach stage trains on "mnist" (the only image set available offline)`,
    );
  const dist = nodeAttr(stage, 'sample_t', 'distribution') as { kind?: string; mean?: number; std?: number; interval?: unknown } | undefined;
  if (dist?.kind !== 'logit_normal' || dist.interval) {
    throw new InitError(
      `stage ${stage.name}: teach.time must be logit_normal(mean, std) without \`on (lo, hi)\` for the DiT teacher (SD3's choice, runtime/tfjs/nets/dit-teach.ts)`,
    );
  }
  const opt = stage.phases[0]?.optimizer;
  const a = stage.attrs;
  const batch = num(a.batch, 256);
  const lengthImages = num(a.length_images, 100000);
  const weights = a.weights === 'raw' ? 'raw' : 'ema';
  const opts: TeachOptions = {
    config: ditConfig(name),
    batch,
    lr: opt?.lr ?? TEACH_DEFAULTS.lr,
    warmupSteps: num(a.warmup_steps, TEACH_DEFAULTS.warmupSteps),
    emaDecay: num(a.ema_decay, TEACH_DEFAULTS.emaDecay),
    captionDrop: num(nodeAttr(stage, 'drop_condition', 'p'), TEACH_DEFAULTS.captionDrop),
    tMean: num(dist.mean, 0),
    tStd: num(dist.std, 1),
    seed: num(a.seed, 0),
  };
  return { opts, steps: Math.ceil(lengthImages / batch), lengthImages, weights };
}

/** A fresh training state on the dataset's training split (MNIST: 9,000 digits), or one restored from a state file. */
export function ditTeachState(plan: DitTeachPlan, stateFile: string | null): TeachState {
  const data = realImages();
  const c = plan.opts.config;
  if (data.channels !== c.channels || data.height !== c.height || data.width !== c.width) {
    throw new InitError(
      `teacher.config = "${c.name}" takes ${c.channels}x${c.height}x${c.width} images, ${data.name} has ${data.channels}x${data.height}x${data.width}`,
    );
  }
  if (!stateFile) return startTeach(data, plan.opts);
  const s = loadTeachState(stateFile, data);
  const key = (o: TeachOptions) => JSON.stringify([o.config.name, o.batch, o.lr, o.warmupSteps, o.emaDecay, o.captionDrop, o.tMean, o.tStd, o.seed]);
  const want = key(plan.opts);
  const have = key(s.opts);
  if (want !== have)
    throw new InitError(
      `${stateFile}: a teach state of other settings ([config, batch, lr, warmup, ema_decay, caption_dropout, t mean, t std, seed] = ${have}); the recipe says ${want}. Remove it to start over`,
    );
  return s;
}

/** Writes the teacher file (what teacher.checkpoint points at; F16, saveTeacher) and returns it as the
 * stage's product net, read back from that file so a later sid stage sees exactly what the file holds. */
export function ditTeachProduct(graph: ExecutionGraph, s: TeachState, path: string, weights: 'ema' | 'raw', note: string): DitNet {
  saveTeacher(`${path}.tmp`, s, note, weights);
  renameSync(`${path}.tmp`, path); // atomic: a reader sees no teacher file or the whole one
  const net = loadDitFile(path, {
    captions: datasetCaptions(graph),
    inputScale: s.opts.config.timeScale / num(configValue(graph, 'teacher.time_scale'), 1),
    trainable: false,
  });
  return net;
}
