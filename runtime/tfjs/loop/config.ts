// Reading the graph's resolved config and stage attrs. The config may be flat ({"teacher.dim": 2}) or
// nested ({"teacher": {"dim": 2}}); both are accepted.
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import type { ExecutionGraph, StageGraph } from '../../../compiler/graph/types.js';

export function configValue(graph: ExecutionGraph, path: string): JsonValue | undefined {
  const c = graph.config as Record<string, JsonValue>;
  if (path in c) return c[path];
  let cur: JsonValue | undefined = c;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, JsonValue>)[seg];
  }
  return cur;
}

/** A stage attr (by any of its names), else a config path, else the default. */
export function stageSetting<T extends JsonValue>(graph: ExecutionGraph, stage: StageGraph, attrNames: string[], configPath: string | null, dflt: T): T {
  for (const a of attrNames) if (stage.attrs[a] !== undefined && stage.attrs[a] !== null) return stage.attrs[a] as T;
  if (configPath) {
    const v = configValue(graph, configPath);
    if (v !== undefined && v !== null) return v as T;
  }
  return dflt;
}

export function num(v: JsonValue | undefined, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}
