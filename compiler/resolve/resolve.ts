// Resolves one recipe: follows its `extends` chain (unknown base with "did you mean", cycles), evaluates
// every assignment once, merges them base-first with provenance (each value knows the assignment that
// set it and those it overrode), applies extra assignments (`--set`, sweep points) last, and merges the
// stages declared along the chain (per-stage overrides, default ordering).
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { Evaluator } from './expressions.js';
import type { Assignment, NameRef, RecipeDecl, ResolvedRecipe, ResolvedStage, ResolvedValue, StageDecl, SweepDecl } from '../model.js';
import { SETTINGS_BY_PATH, type JsonValue } from '../recipe/settings.js';
import { validateValue } from '../check/values.js';
import { locString } from '../util/loc.js';
import { suggestion } from '../util/names.js';

/** Evaluates assignments to JSON once each (base recipes are shared by many targets). */
export class ValueCache {
  private readonly cache = new Map<Assignment, JsonValue | undefined>();
  constructor(readonly out: Diagnostic[]) {}

  get(a: Assignment): JsonValue | undefined {
    if (this.cache.has(a)) return this.cache.get(a);
    const v = this.compute(a);
    this.cache.set(a, v);
    return v;
  }

  private compute(a: Assignment): JsonValue | undefined {
    const setting = SETTINGS_BY_PATH.get(a.path);
    if (!setting || a.invalid) return undefined;
    const ev = new Evaluator(this.out);
    let v: JsonValue | undefined;
    if ('json' in a.value) v = a.value.json;
    else if ('func' in a.value) v = ev.weighting(a.value.func);
    else v = ev.value(a.value.expr, a.path, setting.type);
    if (v === undefined) return undefined;
    const problems = validateValue(a.path, setting.type, v);
    for (const p of problems) this.out.push(diag(p.code, a.valueLoc, p.args));
    return problems.length ? undefined : v;
  }
}

/** base first; reports unknown bases and cycles at the `extends` name. */
function extendsChain(decl: RecipeDecl, visible: Map<string, RecipeDecl>, sweeps: Map<string, SweepDecl>, out: Diagnostic[]): RecipeDecl[] {
  const chain: RecipeDecl[] = [decl];
  let cur = decl;
  while (cur.extends) {
    const ref = cur.extends;
    const base = visible.get(ref.name);
    if (!base) {
      if (sweeps.has(ref.name)) out.push(diag('SID2026', ref.loc, { name: ref.name }));
      else
        out.push(
          diag('SID2013', ref.loc, {
            name: ref.name,
            hint: suggestion(
              ref.name,
              [...visible.keys()].filter((n) => n !== cur.name),
            ),
            known: [...visible.keys()].join(', ') || '(none)',
          }),
        );
      break;
    }
    if (chain.includes(base)) {
      out.push(diag('SID3014', ref.loc, { name: cur.name, cycle: [...chain.map((r) => r.name).reverse(), base.name].join(' -> ') }));
      break;
    }
    chain.unshift(base);
    cur = base;
  }
  return chain;
}

function merge(into: Map<string, ResolvedValue>, as: Assignment[], values: ValueCache, failed: Set<string>): void {
  for (const a of as) {
    const v = values.get(a);
    if (v === undefined) {
      failed.add(a.path);
      continue;
    }
    failed.delete(a.path);
    const prev = into.get(a.path);
    const overrode = prev?.from ? [...(prev.overrode ?? []), prev.from] : prev?.overrode;
    into.set(a.path, { value: v, from: a, ...(overrode ? { overrode } : {}) });
  }
}

/** Default `after` when a stage declares none: teach -> sid -> adversarial -> evaluate -> export. */
const ORDER = ['teach', 'sid', 'adversarial', 'evaluate', 'export'];

function mergeStages(chain: RecipeDecl[], values: ValueCache, out: Diagnostic[], failed: Set<string>): ResolvedStage[] {
  const byName = new Map<string, ResolvedStage>();
  for (const r of chain) {
    const seenHere = new Map<string, StageDecl>();
    for (const s of r.stages) {
      const dup = seenHere.get(s.name);
      if (dup) {
        out.push(diag('SID3016', s.nameLoc, { name: s.name }, { related: [{ loc: dup.nameLoc, message: `first declared at ${locString(dup.nameLoc)}` }] }));
        continue;
      }
      seenHere.set(s.name, s);
      const st = byName.get(s.name) ?? { name: s.name, after: [], overrides: new Map<string, ResolvedValue>() };
      st.decl = s;
      if (s.after.length) st.after = s.after;
      merge(st.overrides, s.assignments, values, failed);
      byName.set(s.name, st);
    }
  }
  // every recipe distils (an implicit `stage sid {}`), except one that only trains a teacher
  const onlyTeach = byName.size > 0 && [...byName.keys()].every((n) => n === 'teach');
  if (!byName.has('sid') && !onlyTeach) byName.set('sid', { name: 'sid', after: [], overrides: new Map() });
  const stages = [...byName.values()];
  for (const st of stages) {
    if (st.after.length || !ORDER.includes(st.name)) continue;
    const earlier = ORDER.slice(0, ORDER.indexOf(st.name)).filter((n) => byName.has(n));
    const prev = earlier[earlier.length - 1];
    if (prev) st.after = [{ name: prev, loc: st.decl?.nameLoc ?? chain[chain.length - 1]!.nameLoc }];
  }
  return stages.sort((a, b) => rank(a.name) - rank(b.name));
}

const rank = (n: string): number => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);

interface ResolveInput {
  decl: RecipeDecl;
  visible: Map<string, RecipeDecl>;
  sweeps: Map<string, SweepDecl>;
  values: ValueCache;
  /** `--set` and sweep-point assignments, applied after the chain and over every stage block. */
  extra?: Assignment[];
}

export function resolveRecipe(inp: ResolveInput, out: Diagnostic[]): ResolvedRecipe & { failed: Set<string> } {
  const chain = extendsChain(inp.decl, inp.visible, inp.sweeps, out);
  const values = new Map<string, ResolvedValue>();
  const failed = new Set<string>();
  for (const r of chain) merge(values, r.assignments, inp.values, failed);
  merge(values, inp.extra ?? [], inp.values, failed);
  const stages = mergeStages(chain, inp.values, out, failed);
  // `--set` and sweep points win over stage blocks too: a stage that sets the same key would otherwise
  // silently keep its own value for that stage
  for (const a of inp.extra ?? []) for (const st of stages) st.overrides.delete(a.path);
  return { name: inp.decl.name, decl: inp.decl, chain, values, stages, failed };
}

export type { NameRef };
