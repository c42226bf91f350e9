// Lowers a checked, resolved recipe to the execution graph (compiler/graph/types.ts): nested config,
// family shape bindings, the stage DAG with per-stage nets and phases, node provenance, content hash.
import type { CheckContext } from '../check/context.js';
import { graphHash } from '../graph/hash.js';
import { familyShapes } from '../graph/shapes.js';
import { GRAPH_FORMAT, GRAPH_VERSION, type ExecutionGraph, type StageGraph } from '../graph/types.js';
import { effective, flatConfig, launcherConfig, nested } from './config.js';
import { lowerAdversarial, lowerPassive, lowerSid, lowerTeach, precisionSpec, type StageContext } from './stages.js';
import type { JsonValue } from '../recipe/settings.js';
import { locString } from '../util/loc.js';

export function lowerRecipe(c: CheckContext, file: string): ExecutionGraph {
  const r = c.recipe;
  const flat = flatConfig(c);
  const provenanceOf = (paths: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const p of paths) {
      const v = r.values.get(p);
      out[p] = v?.from ? locString(v.from.valueLoc) : 'default';
    }
    return out;
  };
  const stages: StageGraph[] = r.stages.map((st) => {
    const cfg = effective(flat, st);
    const precision = precisionSpec(String(cfg.get('precision.policy')));
    const shapes = familyShapes(cfg, precision.compute);
    const sc: StageContext = {
      stage: st,
      cfg,
      shapes,
      precision,
      provenanceOf: (paths) => {
        const out = provenanceOf(paths);
        for (const p of paths) {
          const o = st.overrides.get(p);
          if (o?.from) out[p] = locString(o.from.valueLoc);
        }
        return out;
      },
    };
    switch (st.name) {
      case 'adversarial':
        return lowerAdversarial(sc);
      case 'teach':
        return lowerTeach(sc);
      case 'evaluate':
        return lowerPassive(sc, 'evaluate');
      case 'export':
        return lowerPassive(sc, 'export');
      default:
        return lowerSid(sc);
    }
  });
  const precision = precisionSpec(String(flat.get('precision.policy')));
  const bindings = familyShapes(flat, precision.compute).bindings;
  const recipe: ExecutionGraph['recipe'] = { name: r.name, file };
  if (r.sweepPoint) recipe.sweepPoint = r.sweepPoint.values as Record<string, JsonValue>;
  const launcher = launcherConfig(c, (p) => provenanceOf([p])[p]!);
  if (launcher) recipe.launcher = launcher;
  const g: Omit<ExecutionGraph, 'hash'> = { format: GRAPH_FORMAT, version: GRAPH_VERSION, recipe, config: nested(flat), bindings, stages };
  return { ...g, hash: graphHash(g) };
}
