// Everything one stage's execution holds: its nets, optimizer states, PRNG, batch sizes and counters.
import type * as tf from '@tensorflow/tfjs-core';
import type { ExecutionGraph, NetDecl, StageGraph } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import type { Precision } from '../precision/policy.js';
import type { Rng } from '../../rng/prng.js';
import type { Gmm } from '../../data/gaussian-mixture.js';
import type { AdamState } from '../optim/adam.js';
import type { ImageSet } from '../../data/image-set.js';

export type Value = tf.Tensor | number;

export interface NetSlot {
  decl: NetDecl;
  net: VelocityNet;
  /** owned by a process-wide cache (a frozen teacher shared by stages): disposeStage leaves it */
  shared?: boolean;
}

export interface StageState {
  graph: ExecutionGraph;
  stage: StageGraph;
  precision: Precision;
  rng: Rng;
  nets: Map<string, NetSlot>;
  adam: Map<string, AdamState>;
  /** micro-batch per accumulation round */
  batch: number;
  /** data dimension of vector teachers */
  dim: number;
  gmm: Gmm | null;
  /** number of conditions K of image teachers (the null condition is K); vector teachers use gmm.classes */
  classes?: number;
  /** text teachers: the rows of the text-encodings table `sample_condition` draws prompts from (every row
   * but the empty prompt's) and the empty prompt's row, the null condition (docs/text-encodings.md) */
  prompts?: { rows: number[]; nullRow: number };
  /** real image-caption data (the adversarial stage of image teachers) */
  realData?: ImageSet;
  /** iterations done and images seen by the trained net, in this stage */
  iteration: number;
  images: number;
  /** NaN samples dropped by sid_loss and non-finite gradient entries, since the last log line */
  stats: { dropped: number; nonfinite: number };
  /** this iteration's unweighted loss terms of `combine` nodes (e.g. generator.gan_loss), summed over
   * accumulation rounds; set by runIteration, logged in metrics.jsonl as `terms` */
  terms?: Record<string, number>;
}
