// Vector-teacher settings from the graph config (teacher.* of compiler/recipe/settings.ts) and the
// nets they define. Decision (documented in docs/runtime.md): for the `gmm` family phi is the analytic
// mixture, and psi and G - which must be networks - start as copies of the MLP trained by the recipe's
// teach stage; a gmm recipe with a sid stage therefore needs a teach stage. For the `mlp` family phi
// itself is that MLP.
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { makeGmm, type Gmm } from '../../data/gaussian-mixture.js';
import type { MlpConfig } from '../nets/mlp.js';
import { configValue, num } from './config.js';

export function teacherFamily(graph: ExecutionGraph): string {
  return String(configValue(graph, 'teacher.family') ?? 'gmm');
}

export function isVectorFamily(family: string): boolean {
  return family === 'gmm' || family === 'mlp';
}

/** The mixture behind gmm and mlp recipes (the truth metrics compare against). */
export function gmmOf(graph: ExecutionGraph): Gmm {
  return makeGmm({
    dim: num(configValue(graph, 'teacher.dim'), 2),
    classes: num(configValue(graph, 'teacher.classes'), 4),
    modesPerClass: num(configValue(graph, 'teacher.modes_per_class'), 4),
    modeStd: num(configValue(graph, 'teacher.mode_std'), 0.1),
    radius: num(configValue(graph, 'teacher.radius'), 4),
    seed: num(configValue(graph, 'teacher.seed'), 0),
    symmetric: configValue(graph, 'teacher.symmetric') === true,
  });
}

export function mlpConfigOf(graph: ExecutionGraph, gmm: Gmm): MlpConfig {
  return {
    dim: gmm.dim,
    classes: gmm.classes,
    width: num(configValue(graph, 'teacher.width'), 128),
    depth: num(configValue(graph, 'teacher.depth'), 3),
    freqs: 8,
  };
}
