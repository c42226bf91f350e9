// The pipeline behind compileFile/compileSource: load (parse + imports) -> collect -> resolve (extends,
// --set) -> check -> expand sweeps (each point checked on its own) -> lower. All independent errors are
// reported, sorted in source order and de-duplicated; a program with errors yields no graphs.
import { CheckContext } from './check/context.js';
import { checkFamilies, checkRequired } from './check/required.js';
import { RULES } from './check/rules.js';
import { checkStages } from './check/stages.js';
import { checkPlan } from './check/plan.js';
import { FileChecks } from './check/files.js';
import { diag } from './diagnostics/make.js';
import { attachNameFixes } from './diagnostics/fixes.js';
import type { Diagnostic } from './diagnostics/types.js';
import { expandSweep } from './expand/expand.js';
import type { ExecutionGraph } from './graph/types.js';
import { lowerRecipe } from './lower/lower.js';
import { flatConfig } from './lower/config.js';
import type { Assignment, RecipeDecl, ResolvedRecipe, SweepDecl } from './model.js';
import { Program } from './load/program.js';
import { resolveRecipe, ValueCache } from './resolve/resolve.js';
import { parseSets } from './resolve/sets.js';
import { notTextReason } from './util/text-file.js';
import { canonicalJson } from './util/canonical.js';
import { locString, pointLoc } from './util/loc.js';
import { suggestion } from './util/names.js';
import type { CompileOptions } from './api.js';
import type { JsonValue } from './recipe/settings.js';

interface SweepPointInfo {
  sweep: string;
  index: number;
  values: Record<string, JsonValue>;
  ok: boolean;
  hash?: string;
  diagnostics: Diagnostic[];
}

export interface CompileOutput {
  ok: boolean;
  diagnostics: Diagnostic[];
  graphs: ExecutionGraph[];
  /** Every text read (files, imports, `<--set N>`), for rendering diagnostics. */
  sources: Map<string, string>;
  /** Sweep points with their own status (sidc sweep --list). */
  points: SweepPointInfo[];
  /** Graphs lowered even when other targets had errors (sidc sweep --list shows per-point hashes). */
  allGraphs: ExecutionGraph[];
}

const key = (d: Diagnostic): string => `${d.code}|${d.loc.file}|${d.loc.range.start.offset}|${d.loc.range.end.offset}|${d.message}`;

type Checked = { ctx: CheckContext; diags: Diagnostic[] };

/** resolve.ts's codes for an `extends` chain that broke: unknown base, a sweep as base, a cycle. */
const EXTENDS_FAILURES: ReadonlySet<string> = new Set(['SID2013', 'SID2026', 'SID3014']);

function checkOne(
  decl: RecipeDecl,
  program: Program,
  values: ValueCache,
  extra: Assignment[],
  sweepPoint?: ResolvedRecipe['sweepPoint'],
  files?: FileChecks,
): Checked {
  const diags: Diagnostic[] = [];
  const visible = program.visibleRecipes(decl.file);
  const r = resolveRecipe({ decl, visible, sweeps: program.visibleSweeps(decl.file), values, extra }, diags);
  if (sweepPoint) r.sweepPoint = sweepPoint;
  const ctx = new CheckContext(r, diags);
  // An `extends` that did not resolve leaves the recipe without its base's settings: every check below
  // would report a consequence ("does not set required teacher.family") of that one cause.
  const extendsFailed = diags.some((d) => EXTENDS_FAILURES.has(d.code));
  // ... and a base that is unknown because an import failed is that import's consequence, reported there.
  if (extendsFailed && program.visibleFiles(decl.file).some((f) => program.importFailed.has(f))) {
    const i = diags.findIndex((d) => d.code === 'SID2013');
    if (i >= 0) diags.splice(i, 1);
  }
  if (!decl.abstract && !extendsFailed) {
    checkRequired(ctx);
    checkFamilies(ctx);
    checkStages(ctx);
    for (const rule of RULES) rule(ctx);
    // Stage overrides are checked in the stage's own view (e.g. `stage sid { precision bf16 {} }`);
    // findings identical to the recipe-level ones are de-duplicated later.
    for (const st of r.stages) {
      if (st.overrides.size === 0) continue;
      const view = new CheckContext({ ...r, values: new Map([...r.values, ...st.overrides]) }, diags);
      for (const rule of RULES) rule(view);
    }
    // the files the recipe points at (opt-in: CompileOptions.files; never the LSP, check/files.ts)
    files?.check(ctx);
  }
  return { ctx, diags };
}

/** Lower, then let the plan model judge the declared hardware (its SID4xxx land in ctx.out). */
function lowerPlanned(ctx: CheckContext, file: string): ExecutionGraph {
  const g = lowerRecipe(ctx, file);
  checkPlan(ctx, g);
  return g;
}

/** A root document that is not text: one diagnostic, and its contents kept out of every message. */
export function refusedRoot(file: string, reason: string): CompileOutput {
  return { ok: false, diagnostics: [diag('SID1009', pointLoc(file), { reason })], graphs: [], allGraphs: [], sources: new Map([[file, '']]), points: [] };
}

export function compileText(text: string, file: string, options: CompileOptions = {}): CompileOutput {
  const notText = notTextReason(text);
  if (notText !== undefined) return refusedRoot(file, notText);
  const all: Diagnostic[] = [];
  const program = new Program(all, options.overlay, options.root);
  const decls = program.addRoot(file, text);
  // An empty (or comments-only) file would otherwise "check clean" having checked nothing.
  if (!decls.recipes.length && !decls.sweeps.length && !all.some((d) => d.severity === 'error')) all.push(diag('SID3032', pointLoc(file)));
  const sets = parseSets(options.set ?? [], program.sources, all);
  const values = new ValueCache(all);
  const visible = program.visibleRecipes(file);
  const sweeps = program.visibleSweeps(file);

  let targets: (RecipeDecl | SweepDecl)[];
  if (options.recipe !== undefined) {
    const t =
      decls.recipes.find((r) => r.name === options.recipe) ??
      decls.sweeps.find((s) => s.name === options.recipe) ??
      visible.get(options.recipe) ??
      sweeps.get(options.recipe);
    if (!t) {
      const known = [...decls.recipes.map((r) => r.name), ...decls.sweeps.map((s) => s.name)];
      all.push(diag('SID2015', pointLoc(file), { name: options.recipe, file, hint: suggestion(options.recipe, known), known: known.join(', ') || '(none)' }));
    }
    targets = t ? [t] : [];
  } else {
    targets = decls.sweeps.length ? [...decls.sweeps] : decls.recipes.filter((r) => !r.abstract);
  }

  const lower = options.lower !== false;
  const graphs: ExecutionGraph[] = [];
  const points: SweepPointInfo[] = [];
  // Lowering needs a program without errors: a recipe whose values failed would lower from defaults.
  const hasErrors = (ds: Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
  const lowerable = (ds: Diagnostic[]): boolean => !hasErrors(all) && !hasErrors(ds);
  const addAll = (ds: Diagnostic[], note?: string): void => {
    for (const d of ds)
      all.push(note && !d.related?.some((r) => r.message === note) ? { ...d, related: [...(d.related ?? []), { loc: d.loc, message: note }] } : d);
  };

  // Every recipe of the file is checked (abstract ones for names, types and units only). With a cache
  // (the LSP), a recipe whose extends chain is unchanged reuses its diagnostics and yields no graph.
  // File checks read the disk, which the cache's keys do not cover: with them on, every recipe is re-checked.
  const files = options.files ? new FileChecks(file) : undefined;
  const cache = options.cache && sets.length === 0 && !files ? options.cache : undefined;
  cache?.beginCompile();
  for (const r of decls.recipes) {
    const isTarget = targets.includes(r);
    const found = cache?.lookup(r, program.visibleRecipes(r.file), program.visibleSweeps(r.file), program.sources);
    if (found?.hit && !(isTarget && lower && lowerable(found.check) && !found.lowered)) {
      addAll(found.check);
      if (isTarget && lower && lowerable(found.check)) addAll(found.lowered!);
      continue;
    }
    const valuesBefore = all.length; // value errors first met in this recipe land in `all`
    const { ctx, diags } = checkOne(r, program, values, isTarget ? sets : [], undefined, files);
    const checked = diags.length;
    const ok = lowerable(diags);
    const lowered = isTarget && ok && lower;
    if (lowered) graphs.push(lowerPlanned(ctx, file));
    if (found) cache!.store(found, [...all.slice(valuesBefore), ...diags.slice(0, checked)], lowered ? diags.slice(checked) : undefined);
    addAll(diags);
  }
  for (const t of targets) {
    if (!('groups' in t)) {
      if (!decls.recipes.includes(t)) {
        const { ctx, diags } = checkOne(t, program, values, sets, undefined, files);
        const ok = lowerable(diags);
        if (ok && lower) graphs.push(lowerPlanned(ctx, file));
        addAll(diags);
      }
      continue;
    }
    const base = visible.get(t.over.name);
    if (!base) {
      all.push(
        diag('SID5001', t.over.loc, {
          sweep: t.name,
          name: t.over.name,
          hint: suggestion(t.over.name, visible.keys()),
          known: [...visible.keys()].join(', ') || '(none)',
        }),
      );
      continue;
    }
    const pts = expandSweep(t, all);
    if (!pts) continue;
    const seen = new Map<string, { index: number; as: Assignment[] }>();
    pts.forEach((as, index) => {
      const vals: Record<string, JsonValue> = {};
      for (const a of as) {
        const v = values.get(a);
        if (v !== undefined) vals[a.path] = v;
      }
      const desc = Object.entries(vals)
        .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
        .join(', ');
      const { ctx, diags } = checkOne(base, program, values, [...as, ...sets], { sweep: t, index, values: vals, assignments: as }, files);
      const info: SweepPointInfo = { sweep: t.name, index, values: vals, ok: !hasErrors(diags), diagnostics: diags };
      const pointLowerable =
        lowerable(diags) || (info.ok && !hasErrors(all.filter((d) => !d.related?.some((r) => r.message.startsWith(`in sweep ${t.name} point`)))));
      addAll(diags, `in sweep ${t.name} point ${index + 1}: ${desc}`);
      if (info.ok) {
        const identity = canonicalJson([...flatConfig(ctx).entries()]);
        const prev = seen.get(identity);
        if (prev) {
          const d = diag(
            'SID5003',
            as[0]!.valueLoc,
            { a: prev.index + 1, b: index + 1, values: desc },
            { related: [{ loc: prev.as[0]!.valueLoc, message: `point ${prev.index + 1} comes from ${locString(prev.as[0]!.valueLoc)}` }] },
          );
          all.push(d);
          info.ok = false;
          info.diagnostics.push(d);
        } else seen.set(identity, { index, as });
      }
      if (info.ok && pointLowerable && lower) {
        const before = diags.length;
        const g = lowerPlanned(ctx, file);
        addAll(diags.slice(before), `in sweep ${t.name} point ${index + 1}: ${desc}`);
        info.ok = !hasErrors(diags);
        if (info.ok) {
          info.hash = g.hash;
          graphs.push(g);
        }
      }
      points.push(info);
    });
  }

  const order = [...program.sources.keys()];
  const seenKeys = new Set<string>();
  const diagnostics = all
    .filter((d) => (seenKeys.has(key(d)) ? false : (seenKeys.add(key(d)), true)))
    .sort(
      (a, b) =>
        order.indexOf(a.loc.file) - order.indexOf(b.loc.file) ||
        a.loc.range.start.offset - b.loc.range.start.offset ||
        a.loc.range.end.offset - b.loc.range.end.offset ||
        a.code.localeCompare(b.code),
    );
  attachNameFixes(diagnostics, program.sources);
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return { ok, diagnostics, graphs: ok ? graphs : [], allGraphs: graphs, sources: program.sources, points };
}
