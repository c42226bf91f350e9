// The op catalogue of compiler/graph/types.ts (OPS), implemented for vector data. Each op reads its
// inputs from the environment (edge refs "node.output"), its attrs from the node, and returns its outputs.
// Runs inside the phase's tf.variableGrads, so what is differentiated is exactly what the graph says:
// `generate` keeps only its last step (attr grad), `velocity` with grad 'none' is detached, frozen nets'
// parameters are never in the phase's variable list but gradients flow through them into x_t.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode, OpName } from '../../../compiler/graph/types.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { sampleGmm } from '../../data/gaussian-mixture.js';
import { restriction, sampleTimes, timeDist } from '../../schedule/time-dist.js';
import { weightingOfT } from '../../schedule/weighting.js';
import { detach, generateK, guidanceOf, guidedVelocity, type NoiseMode } from './sampling.js';
import type { StageState, Value } from './state.js';
import { configValue, num } from './config.js';
import { discLogits, discLoss, ganLoss, hasFeatures, sampleRealImages } from './adversarial-ops.js';

export type Env = Map<string, Value>;

class OpError extends Error {
  constructor(node: GraphNode, msg: string) {
    super(`node ${node.id} (${node.op}): ${msg}`);
  }
}

function input(env: Env, node: GraphNode, name: string): Value {
  const ref = node.inputs[name];
  if (!ref) throw new OpError(node, `missing input '${name}'`);
  const v = env.get(ref);
  if (v === undefined) throw new OpError(node, `input '${name}' refers to ${ref}, which has not been computed`);
  return v;
}
const tensor = (env: Env, node: GraphNode, name: string) => input(env, node, name) as tf.Tensor;
const optional = (env: Env, node: GraphNode, name: string): tf.Tensor | null => (node.inputs[name] ? tensor(env, node, name) : null);

function netOf(st: StageState, node: GraphNode) {
  const name = node.attrs.net as string;
  const slot = st.nets.get(name);
  if (!slot) throw new OpError(node, `net '${name}' is not declared by stage ${st.stage.name}`);
  return slot.net;
}

/** B_local of docs/algorithm.md §4: global batch / world size = micro-batch x accumulation rounds. */
export function bLocal(st: StageState, node: GraphNode, accumulate: number): number {
  return num(node.attrs.b_local as JsonValue, num(st.graph.bindings.B_local, st.batch * accumulate));
}

type OpImpl = (node: GraphNode, env: Env, st: StageState, accumulate: number) => Value | Record<string, Value>;

const noiseLike = (st: StageState) => tf.tensor2d(st.rng.normals(st.batch * st.dim), [st.batch, st.dim]);

export const OP_IMPLS: Record<OpName, OpImpl> = {
  sample_k: (node, _env, st) => 1 + st.rng.int(num(node.attrs.steps, 4)),
  sample_condition: (node, _env, st) => {
    const src = node.attrs.source ?? 'labels';
    if (src === 'prompts') {
      // a prompt row of the text-encodings table, uniformly; the empty prompt is only CFG's null condition
      if (!st.prompts) throw new OpError(node, `condition source 'prompts' needs a text teacher (sana, sd3, flux) with precomputed encodings`);
      const rows = st.prompts.rows;
      return tf.tensor1d(
        Int32Array.from({ length: st.batch }, () => rows[st.rng.int(rows.length)]!),
        'int32',
      );
    }
    if (src !== 'labels') throw new OpError(node, `condition source '${String(src)}' needs a text teacher; vector teachers use class labels`);
    const K = st.gmm?.classes ?? st.classes ?? num(st.graph.bindings.K, 1);
    return tf.tensor1d(
      Int32Array.from({ length: st.batch }, () => st.rng.int(K)),
      'int32',
    );
  },
  sample_t: (node, _env, st) => {
    const dist = timeDist(node.attrs.distribution ?? { kind: 'logit_normal', mean: Math.LN2, std: 1.6 });
    const iv = restriction(node.attrs.distribution ?? null, node.attrs.interval ?? undefined);
    return tf.tensor1d(sampleTimes(dist, iv, st.batch, st.rng, (node.attrs.sampling as string) ?? 'inverse_cdf'));
  },
  sample_noise: (_node, _env, st) => noiseLike(st),
  sample_data: (node, _env, st) => {
    if (st.realData) return sampleRealImages(st);
    if (!st.gmm) throw new OpError(node, `data source '${String(node.attrs.source)}' is not available: vector stages sample the teacher's mixture`);
    const cls = Int32Array.from({ length: st.batch }, () => st.rng.int(st.gmm!.classes));
    const x0 = tf.tensor2d(sampleGmm(st.gmm, cls, st.rng), [st.batch, st.dim]);
    return { x0, c: tf.tensor1d(cls, 'int32') };
  },
  drop_condition: (node, env, st) => {
    const c = tensor(env, node, 'c').dataSync();
    const p = num(node.attrs.p, 0);
    const nul = st.prompts?.nullRow ?? st.gmm?.classes ?? st.classes ?? num(st.graph.bindings.K, 0);
    return tf.tensor1d(
      Int32Array.from(c, (v) => (st.rng.uniform() < p ? nul : v)),
      'int32',
    );
  },
  generate: (node, env, st) => {
    const G = netOf(st, node);
    const k = input(env, node, 'k') as number;
    const c = tensor(env, node, 'c') as tf.Tensor1D;
    const z = noiseLike(st);
    const grad = node.attrs.grad === true;
    const out = generateK(
      G,
      z,
      c,
      k,
      num(node.attrs.steps, 4),
      ((node.attrs.noise as string) ?? 'fresh') as NoiseMode,
      st.rng,
      num(node.attrs.time_scale, num(configValue(st.graph, 'teacher.time_scale'), 1)),
      st.precision,
      grad,
    );
    return grad ? out : detach(out);
  },
  diffuse: (node, env) => {
    const x0 = tensor(env, node, 'x0');
    const t = tf.reshape(tensor(env, node, 't'), [-1, 1]);
    return tf.add(tf.mul(tf.sub(1, t), x0), tf.mul(t, tensor(env, node, 'eps')));
  },
  velocity: (node, env, st) => {
    const v = guidedVelocity(
      netOf(st, node),
      tensor(env, node, 'x') as tf.Tensor2D,
      tensor(env, node, 't') as tf.Tensor1D,
      tensor(env, node, 'c') as tf.Tensor1D,
      guidanceOf(node.attrs.guidance),
      num(node.attrs.time_scale, 1),
      st.precision,
    );
    return node.attrs.grad === 'none' ? detach(v) : v;
  },
  x0_from_v: (node, env) => tf.sub(tensor(env, node, 'x'), tf.mul(tf.reshape(tensor(env, node, 't'), [-1, 1]), tensor(env, node, 'v'))),
  weighting: (node, env) => {
    const t = tensor(env, node, 't').dataSync();
    const w = weightingOfT(node.attrs.weighting ?? { name: 'one_minus_t' });
    if (w === 'sid_norm') {
      // original SiD normaliser: 1 / mean |x_g - y_real| per sample, no gradient
      const xg = optional(env, node, 'x_g');
      const yr = optional(env, node, 'y_real');
      if (!xg || !yr) throw new OpError(node, `weighting sid_norm needs inputs x_g and y_real`);
      const m = tf.tidy(() => tf.mean(tf.abs(tf.sub(xg, yr)), -1).dataSync());
      return tf.tensor1d(Float32Array.from(m, (a) => 1 / Math.max(a, 1e-12)));
    }
    return tf.tensor1d(Float32Array.from(t, (ti) => w(ti)));
  },
  sid_loss: (node, env, st, accumulate) => {
    // eq. 18 with alpha (docs/algorithm.md §4 step 5): per sample, summed over elements; NaN samples dropped.
    const yr = tensor(env, node, 'y_real');
    const yf = tensor(env, node, 'y_fake');
    const xg = tensor(env, node, 'x_g');
    const w = tf.reshape(tensor(env, node, 'w'), [-1, 1]);
    const lam = num(node.attrs.lambda_sid, 100);
    const alpha = num(node.attrs.alpha, 1);
    const d = tf.sub(yr, yf);
    const per = tf.sum(tf.mul(w, tf.mul(d, tf.sub(tf.sub(yr, xg), tf.mul(alpha, d)))), -1); // [B]
    const vals = per.dataSync();
    let dropped = 0;
    const keep = Float32Array.from(vals, (v) => (Number.isNaN(v) ? (dropped++, 0) : 1));
    st.stats.dropped += dropped;
    const kept = dropped ? tf.where(tf.cast(tf.tensor1d(keep), 'bool'), per, tf.zerosLike(per)) : per;
    return tf.mul(lam / bLocal(st, node, accumulate), tf.sum(kept));
  },
  fm_loss: (node, env, st, accumulate) => {
    const target = tf.sub(tensor(env, node, 'eps'), tensor(env, node, 'x0'));
    return tf.div(tf.sum(tf.square(tf.sub(tensor(env, node, 'v'), target))), bLocal(st, node, accumulate));
  },
  combine: (node, env, st) => {
    const terms = (node.attrs.terms ?? []) as Record<string, JsonValue>[];
    let total: tf.Tensor = tf.scalar(0);
    const seen = new Set<string>();
    for (const term of terms) {
      const from = num(term.from, -Infinity);
      const until = num(term.until, Infinity);
      const ref = term.input as string;
      const v = env.get(ref);
      if (v === undefined) throw new OpError(node, `term ${ref} has not been computed`);
      // an inactive term is kept at weight 0 so the loss stays connected to the net (zero gradient, no
      // 'cannot compute gradient' when every term is off, e.g. the generator during the warm-up)
      const active = st.images >= from && st.images < until;
      if (st.terms && !seen.has(ref) && v instanceof tf.Tensor && v.size === 1) {
        // the unweighted value, for the metrics (is the discriminator learning? how big is L_gan next to L_G?)
        seen.add(ref);
        const key = ref.replace(/\.[^.]+$/, ''); // node id without its output name: generator.gan_loss
        st.terms[key] = (st.terms[key] ?? 0) + (v.dataSync()[0] ?? NaN);
      }
      total = tf.add(total, tf.mul(active ? num(term.weight, 1) : 0, v as tf.Tensor));
    }
    return total;
  },
  disc_logits: (node, env, st) => {
    const net = netOf(st, node);
    if (hasFeatures(net))
      return discLogits(net, node, tensor(env, node, 'x') as tf.Tensor2D, tensor(env, node, 't') as tf.Tensor1D, tensor(env, node, 'c') as tf.Tensor1D, st);
    throw new OpError(node, 'the adversarial stage needs a transformer backbone (dit, sana, sd3, flux); vector teachers have no token features');
  },
  disc_loss: (node, env, st, accumulate) =>
    discLoss(tensor(env, node, 'real'), tensor(env, node, 'fake'), num(node.attrs.numel, 1), bLocal(st, node, accumulate)),
  gan_loss: (node, env, st, accumulate) => ganLoss(tensor(env, node, 'fake'), tensor(env, node, 't'), num(node.attrs.numel, 1), bLocal(st, node, accumulate)),
};

/** Runs one node and stores its outputs under "id.output". */
export function execNode(node: GraphNode, env: Env, st: StageState, accumulate: number): void {
  const impl = OP_IMPLS[node.op];
  if (!impl) throw new OpError(node, `unknown op '${node.op}'`);
  const out = impl(node, env, st, accumulate);
  const names = Object.keys(node.outputs);
  if (typeof out === 'number' || out instanceof tf.Tensor) {
    const name = names[0] ?? 'out';
    env.set(`${node.id}.${name}`, out);
  } else {
    for (const [k, v] of Object.entries(out)) env.set(`${node.id}.${k}`, v);
  }
}
