// Builds a stage's nets from its NetDecls (graph types.ts): init "teacher" | "stage:<name>" | "scratch".
// `products` holds the final net of every finished stage (what "stage:<name>" and "teacher" refer to).
import type { ExecutionGraph, NetDecl, StageGraph } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import { MlpNet } from '../nets/mlp.js';
import { GmmTeacher } from '../nets/analytic-mixture.js';
import type { Gmm } from '../../data/gaussian-mixture.js';
import { Rng } from '../../rng/prng.js';
import { mlpConfigOf, teacherFamily } from './teacher-spec.js';
import type { NetSlot } from './state.js';
import { IMPLICIT_TEACH } from './implicit-teach.js';

export class InitError extends Error {}

/** The stage whose product is "the teacher network" (the teach stage), if any. */
export function teachStageOf(graph: ExecutionGraph): StageGraph | undefined {
  return graph.stages.find((s) => s.kind === 'teach');
}

/** A copy of the network an earlier stage produced (what init "stage:<name>" means, for every family). */
export function fromProduct(products: Map<string, VelocityNet>, stage: string, decl: NetDecl): VelocityNet {
  const p = products.get(stage);
  if (!p) throw new InitError(`net ${decl.name}: stage '${stage}' has not produced a network (is it listed in \`after\`?)`);
  return p.clone(decl.trainable);
}

function buildNet(graph: ExecutionGraph, decl: NetDecl, gmm: Gmm, products: Map<string, VelocityNet>, seed: number): VelocityNet {
  const family = teacherFamily(graph);
  if (decl.init === 'scratch') return new MlpNet(mlpConfigOf(graph, gmm), Rng.derive(seed, `init:${decl.name}`), decl.trainable);
  if (decl.init.startsWith('stage:')) return fromProduct(products, decl.init.slice(6), decl);
  if (decl.init === 'teacher') {
    if (family === 'gmm' && decl.role === 'teacher') return new GmmTeacher(gmm, 1);
    const teach = teachStageOf(graph);
    if (!teach && family === 'gmm' && products.has(IMPLICIT_TEACH)) return fromProduct(products, IMPLICIT_TEACH, decl);
    if (!teach) {
      throw new InitError(
        family === 'gmm'
          ? `net ${decl.name}: a gmm teacher is analytic, so psi and G need the network of a teach stage; add \`stage teach { ... }\` to the recipe`
          : `net ${decl.name}: an mlp teacher comes from a teach stage; add \`stage teach { ... }\` to the recipe`,
      );
    }
    return fromProduct(products, teach.name, decl);
  }
  throw new InitError(`net ${decl.name}: unknown init '${decl.init}' (teacher | stage:<name> | scratch)`);
}

export function buildNets(graph: ExecutionGraph, stage: StageGraph, gmm: Gmm, products: Map<string, VelocityNet>, seed: number): Map<string, NetSlot> {
  const nets = new Map<string, NetSlot>();
  for (const decl of stage.nets) nets.set(decl.name, { decl, net: buildNet(graph, decl, gmm, products, seed) });
  return nets;
}
