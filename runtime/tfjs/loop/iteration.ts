// One training iteration of a stage (docs/algorithm.md §4): shared nodes once (k is drawn once per
// iteration), then each phase in order (fake network first), each for `accumulate` rounds, summing
// gradients of the phase's net; then nan_to_num + optional clip + Adam (adam.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { Phase } from '../../../compiler/graph/types.js';
import { adamStep, newAdamState, sanitizeGrad } from '../optim/adam.js';
import { num } from './config.js';
import { execNode, type Env } from './ops.js';
import type { StageState } from './state.js';

interface IterationResult {
  k: number | null;
  losses: Record<string, number>;
  /** unweighted loss terms of combine nodes (runtime/tfjs/loop/ops.ts), empty for plain SiD stages */
  terms: Record<string, number>;
}

function runPhase(st: StageState, phase: Phase, shared: Env): number {
  const slot = st.nets.get(phase.updates);
  if (!slot) throw new Error(`phase ${phase.name} updates net '${phase.updates}', which stage ${st.stage.name} does not declare`);
  const vars = [...slot.net.params.values()];
  if (vars.length === 0) throw new Error(`phase ${phase.name}: net '${phase.updates}' has no parameters to train`);
  const names = [...slot.net.params.keys()];
  const sums: Record<string, Float32Array> = {};
  let lossTotal = 0;
  const rounds = Math.max(1, phase.accumulate);
  for (let r = 0; r < rounds; r++) {
    const { value, grads } = tf.variableGrads(() => {
      const env: Env = new Map(shared);
      for (const node of phase.nodes) execNode(node, env, st, rounds);
      const loss = env.get(phase.loss);
      if (!(loss instanceof tf.Tensor)) throw new Error(`phase ${phase.name}: loss ${phase.loss} was not computed`);
      return loss as tf.Scalar;
    }, vars);
    lossTotal += value.dataSync()[0]!;
    value.dispose();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      const data = g ? (g.dataSync() as Float32Array) : new Float32Array(vars[i]!.size);
      const acc = sums[n];
      if (!acc) sums[n] = Float32Array.from(data);
      else for (let j = 0; j < acc.length; j++) acc[j]! += data[j]!;
    });
    for (const g of Object.values(grads)) g.dispose();
  }
  for (const g of Object.values(sums)) st.stats.nonfinite += sanitizeGrad(g, phase.optimizer.clip ?? null);
  const params: Record<string, Float32Array> = {};
  for (const [n, v] of slot.net.params) params[n] = Float32Array.from(v.dataSync() as Float32Array);
  const adam = st.adam.get(phase.updates) ?? newAdamState();
  st.adam.set(phase.updates, adam);
  adamStep(phase.optimizer, adam, params, sums, st.precision.bf16Storage);
  for (const [n, v] of slot.net.params) {
    const t = tf.tensor(params[n]!, v.shape);
    v.assign(t);
    t.dispose();
  }
  return lossTotal;
}

export function runIteration(st: StageState): IterationResult {
  const shared: Env = new Map();
  st.terms = {};
  let k: number | null = null;
  for (const node of st.stage.shared) {
    execNode(node, shared, st, 1);
    if (node.op === 'sample_k') k = shared.get(`${node.id}.${Object.keys(node.outputs)[0] ?? 'out'}`) as number;
  }
  const losses: Record<string, number> = {};
  // The adversarial stage's discriminator warm-up (docs/algorithm.md §6): G is frozen, so its phase is not run at
  // all - no wasted passes, and no zero-gradient Adam steps whose bias correction would make G's first real
  // updates after the warm-up many times lr. Such an iteration reports no generator loss.
  const frozenUntil = num(st.stage.attrs.generator_frozen_until_images, -Infinity);
  for (const phase of st.stage.phases) {
    if (phase.updates === 'G' && st.images < frozenUntil) continue;
    losses[phase.name] = runPhase(st, phase, shared);
  }
  for (const v of shared.values()) if (v instanceof tf.Tensor) v.dispose();
  st.iteration += 1;
  return { k, losses, terms: st.terms };
}
