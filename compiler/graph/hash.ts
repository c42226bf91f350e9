// The run identity: sha256 of the graph's canonical JSON without `hash`, `recipe.file`, `recipe.launcher`
// and node `provenance` (where a setting was written, or which partition runs it, does not change what
// runs; moving a line or changing the queue must not change it).
import { canonicalJson, sha256 } from '../util/canonical.js';
import type { ExecutionGraph } from './types.js';

const OMIT = new Set(['provenance']);

function identityJson(g: Omit<ExecutionGraph, 'hash'> | ExecutionGraph): string {
  const { hash: _h, recipe, ...rest } = g as ExecutionGraph;
  const { file: _f, launcher: _l, ...rec } = recipe;
  return canonicalJson({ ...rest, recipe: rec }, OMIT);
}

export function graphHash(g: Omit<ExecutionGraph, 'hash'> | ExecutionGraph): string {
  return sha256(identityJson(g));
}
