// The run identity: sha256 of the graph's canonical JSON without `hash`, `recipe.file` and node
// `provenance` (where a setting was written does not change what runs; moving a line must not change it).
import { canonicalJson, sha256 } from '../util/canonical.js';
import type { ExecutionGraph } from './types.js';

export function identityJson(g: Omit<ExecutionGraph, 'hash'> | ExecutionGraph): string {
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) if (k !== 'provenance') o[k] = strip(v);
      return o;
    }
    return x;
  };
  const { hash: _h, recipe, ...rest } = g as ExecutionGraph;
  const { file: _f, ...rec } = recipe;
  return canonicalJson(strip({ ...rest, recipe: rec }));
}

export function graphHash(g: Omit<ExecutionGraph, 'hash'> | ExecutionGraph): string {
  return sha256(identityJson(g));
}
