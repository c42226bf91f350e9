// gmm recipes: phi is the analytic mixture, but psi and G must be networks that start as a copy of "the
// teacher" (docs/algorithm.md §2). The compiler forbids a teach stage for gmm (SID3021: the teacher needs no
// training), so the runtime adds one itself: an MLP fit by flow matching to samples of the mixture, with
// the recipe's teach.* settings, run and checkpointed like any stage under the name `_init`. psi and G
// with init "teacher" copy it. (For the mlp family the recipe's own teach stage plays this role.)
import type { ExecutionGraph, GraphNode, StageGraph } from '../../../compiler/graph/types.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { configValue, num } from './config.js';
import { teacherFamily } from './teacher-spec.js';

export const IMPLICIT_TEACH = '_init';

export function needsImplicitTeach(graph: ExecutionGraph): boolean {
  if (teacherFamily(graph) !== 'gmm' || graph.stages.some((s) => s.kind === 'teach')) return false;
  return graph.stages.some((s) => s.nets.some((n) => n.init === 'teacher' && n.role !== 'teacher'));
}

export function implicitTeachStage(graph: ExecutionGraph): StageGraph {
  const c = (p: string, d: JsonValue): JsonValue => configValue(graph, p) ?? d;
  const f32 = (shape: (string | number)[]) => ({ dtype: 'float32' as const, shape });
  const i32 = { dtype: 'int32' as const, shape: ['B'] };
  const node = (
    id: string,
    op: GraphNode['op'],
    inputs: Record<string, string>,
    outputs: GraphNode['outputs'],
    attrs: Record<string, JsonValue> = {},
  ): GraphNode => ({ id, op, inputs, outputs, attrs });
  return {
    name: IMPLICIT_TEACH,
    kind: 'teach',
    after: [],
    nets: [{ name: 'phi', role: 'teacher', trainable: true, init: 'scratch', dtype: 'float32' }],
    precision: { policy: 'fp32', weights: 'float32', compute: 'float32', optimizer_state: 'float32', loss: 'float32' },
    shared: [],
    phases: [
      {
        name: 'teacher',
        updates: 'phi',
        accumulate: 1,
        loss: 'fm_loss.loss',
        optimizer: {
          kind: 'adam',
          lr: num(c('teach.lr', 1e-3), 1e-3),
          beta1: num(c('optimizer.beta1', 0), 0),
          beta2: num(c('optimizer.beta2', 0.999), 0.999),
          eps: 1e-8,
          weight_decay: 0,
          clip: null,
        },
        nodes: [
          node('data', 'sample_data', {}, { x0: f32(['B', 'X']), c: i32 }, { source: 'mixture' }),
          node('drop', 'drop_condition', { c: 'data.c' }, { c: i32 }, { p: c('teach.caption_dropout', 0.1) }),
          node(
            'sample_t',
            'sample_t',
            {},
            { t: f32(['B']) },
            { distribution: c('teach.time', { kind: 'logit_normal', mean: 0, std: 1 }), interval: [0, 1], sampling: 'inverse_cdf' },
          ),
          node('noise', 'sample_noise', {}, { eps: f32(['B', 'X']) }),
          node('diffuse', 'diffuse', { x0: 'data.x0', t: 'sample_t.t', eps: 'noise.eps' }, { x_t: f32(['B', 'X']) }),
          node(
            'v_phi',
            'velocity',
            { x: 'diffuse.x_t', t: 'sample_t.t', c: 'drop.c' },
            { v: f32(['B', 'X']) },
            { net: 'phi', guidance: { mode: 'none', scale: 1 }, time_scale: 1, grad: 'params' },
          ),
          node('fm_loss', 'fm_loss', { v: 'v_phi.v', eps: 'noise.eps', x0: 'data.x0' }, { loss: f32([]) }),
        ],
      },
    ],
    attrs: {
      length_images: num(c('teach.length', 100000), 100000),
      batch: num(c('teach.batch', 256), 256),
      seed: num(c('train.seed', 0), 0),
      checkpoint_every_images: num(c('train.checkpoint_every', 10000), 10000),
      log_every_images: num(c('train.log_every', 1000), 1000),
    },
  };
}
