// Collects a parsed .sid file into declarations: every assignment gets its canonical setting path
// (section prefix + dotted key; section labels become their labelKey; `w(t) = ...` is loss.weighting),
// unknown sections/settings get "did you mean", and a key set twice in one recipe scope is reported
// with the earlier place as related.
import type { Assign, Block, Entry, Expr, FuncDef, Ident, Loc, Recipe, SidFile, Stage, Sweep } from '../../grammar/ast.js';
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Assignment, AxisDecl, FileDecls, RecipeDecl, StageDecl, SweepDecl } from '../model.js';
import { SECTIONS, SECTIONS_BY_NAME, SETTINGS, SETTINGS_BY_PATH, STAGE_KINDS } from '../recipe/settings.js';
import { locString, spanLoc } from '../util/loc.js';
import { didYouMean, suggestion } from '../util/names.js';

const SETTING_PATHS = SETTINGS.map((s) => s.path);
const SECTION_NAMES = SECTIONS.map((s) => s.name);

/** Suggest a setting for an unknown path: same last segment first, then edit distance. */
/** Names people bring from other tools. */
const ALIASES: Record<string, string> = {
  learning_rate: 'lr',
  epsilon: 'eps',
  adam_eps: 'eps',
  betas: 'beta2',
  steps: 'steps',
  grad_clip: 'clip',
  max_grad_norm: 'clip',
  batch_size: 'global',
  gradient_accumulation_steps: 'accumulate',
  guidance_scale: 'teacher',
  cfg: 'teacher',
};

export function settingHint(path: string): string {
  const last = path.split('.').pop()!;
  const sameLeaf = SETTING_PATHS.filter((p) => p.endsWith('.' + last));
  const [sec0] = path.split('.');
  const local = sameLeaf.filter((p) => p.startsWith(sec0 + '.'));
  if (sameLeaf.length === 1) return `; did you mean \`${sameLeaf[0]}\`?`;
  if (local.length === 1 && path.includes('.')) return `; did you mean \`${local[0]}\`?`;
  if (sameLeaf.length > 1) return `; did you mean ${sameLeaf.map((p) => `\`${p}\``).join(' or ')}?`;
  const alias = ALIASES[last.toLowerCase()];
  if (alias) {
    const hits = SETTING_PATHS.filter((p) => p.endsWith('.' + alias) && (!path.includes('.') || p.startsWith(sec0 + '.')));
    if (hits.length >= 1) return `; did you mean \`${hits[0]}\`?`;
  }
  const s = didYouMean(path, SETTING_PATHS);
  if (s) return `; did you mean \`${s}\`?`;
  const [sec] = path.split('.');
  const inSection = SETTING_PATHS.filter((p) => p.startsWith(sec + '.')).map((p) => p.slice(sec!.length + 1));
  const leaf = didYouMean(path.slice(sec!.length + 1), inSection);
  return leaf ? `; did you mean \`${sec}.${leaf}\`?` : '';
}

export function knownInSection(path: string): string {
  const [sec] = path.split('.');
  const inSection = SETTING_PATHS.filter((p) => p.startsWith(sec + '.'));
  return inSection.length
    ? `settings of \`${sec}\`: ${inSection.map((p) => p.slice(sec!.length + 1)).join(', ')}`
    : `sections are: ${SECTION_NAMES.join(', ')}`;
}

/** Checks a dotted path names a setting; reports SID2001/SID2002 at `loc`. */
export function checkPath(path: string, loc: Loc, out: Diagnostic[]): boolean {
  if (SETTINGS_BY_PATH.has(path)) return true;
  const [sec] = path.split('.');
  if (!SECTIONS_BY_NAME.has(sec!) && path.includes('.')) {
    out.push(diag('SID2001', loc, { name: sec, hint: suggestion(sec!, SECTION_NAMES), known: SECTION_NAMES.join(', ') }));
  } else {
    out.push(diag('SID2002', loc, { path, hint: settingHint(path), known: knownInSection(path) }));
  }
  return false;
}

class Collector {
  constructor(
    readonly file: string,
    readonly out: Diagnostic[],
  ) {}

  private identExpr(id: Ident): Expr {
    return { kind: 'IdentExpr', name: id.name, loc: id.loc };
  }

  /** Walk a block with a path prefix; `stageKind` makes bare keys inside `stage adversarial {}` relative to that section. */
  block(b: Block, prefix: string[], origin: string, into: Assignment[], stageKind?: string): void {
    for (const e of b.entries) this.entry(e, prefix, origin, into, stageKind);
  }

  private absolute(segments: string[], prefix: string[], stageKind?: string): string[] {
    if (prefix.length === 0 && stageKind && SECTIONS_BY_NAME.has(stageKind) && !SECTIONS_BY_NAME.has(segments[0]!)) return [stageKind, ...segments];
    return [...prefix, ...segments];
  }

  private entry(e: Entry, prefix: string[], origin: string, into: Assignment[], stageKind?: string): void {
    switch (e.kind) {
      case 'Assign': {
        const path = this.absolute(
          e.path.segments.map((s) => s.name),
          prefix,
          stageKind,
        ).join('.');
        if (e.path.segments.length === 0) return;
        if (checkPath(path, e.path.loc, this.out)) into.push({ path, keyLoc: e.path.loc, value: { expr: e.value }, valueLoc: e.value.loc, origin });
        return;
      }
      case 'FuncDef':
        return this.funcDef(e, prefix, origin, into);
      case 'Section': {
        const full = this.absolute([e.name.name], prefix, stageKind);
        const info = full.length === 1 ? SECTIONS_BY_NAME.get(full[0]!) : undefined;
        if (full.length === 1 && !info) {
          this.out.push(diag('SID2001', e.name.loc, { name: e.name.name, hint: suggestion(e.name.name, SECTION_NAMES), known: SECTION_NAMES.join(', ') }));
          return;
        }
        if (e.label) {
          if (!info?.labelKey) {
            this.out.push(diag('SID2023', e.label.loc, { name: full.join('.'), expected: 'no label', example: `write \`${full.join('.')} { ... }\`` }));
          } else {
            into.push({ path: info.labelKey, keyLoc: e.name.loc, value: { expr: this.identExpr(e.label) }, valueLoc: e.label.loc, origin });
          }
        }
        this.block(e.body, full, origin, into);
        return;
      }
      case 'Stage':
        // Stages inside sections or stages are not meaningful; report as an unknown section.
        this.out.push(
          diag(
            'SID2001',
            e.name.loc,
            { name: `stage ${e.name.name}`, hint: '', known: 'stages are declared directly in a recipe' },
            { help: 'move the stage to the top level of the recipe' },
          ),
        );
        return;
    }
  }

  private funcDef(f: FuncDef, prefix: string[], origin: string, into: Assignment[]): void {
    const inLoss = prefix.length === 0 || (prefix.length === 1 && prefix[0] === 'loss');
    if (f.name.name !== 'w' || !inLoss) {
      this.out.push(diag('SID2024', f.name.loc, { name: f.name.name, param: f.param.name }));
      return;
    }
    into.push({ path: 'loss.weighting', keyLoc: spanLoc(f.name.loc, f.param.loc), value: { func: f }, valueLoc: f.body.loc, origin });
  }

  stage(s: Stage, origin: string): StageDecl {
    if (!(STAGE_KINDS as readonly string[]).includes(s.name.name)) {
      this.out.push(diag('SID2017', s.name.loc, { name: s.name.name, hint: suggestion(s.name.name, STAGE_KINDS), known: STAGE_KINDS.join(', ') }));
    }
    const assignments: Assignment[] = [];
    this.block(s.body, [], `${origin} stage ${s.name.name}`, assignments, s.name.name);
    this.duplicates(assignments);
    return { name: s.name.name, nameLoc: s.name.loc, loc: s.loc, after: s.after.map((a) => ({ name: a.name, loc: a.loc })), assignments };
  }

  recipe(r: Recipe): RecipeDecl {
    const assignments: Assignment[] = [];
    const stages: StageDecl[] = [];
    for (const e of r.body.entries) {
      if (e.kind === 'Stage') stages.push(this.stage(e, r.name.name));
      else this.entry(e, [], r.name.name, assignments);
    }
    this.duplicates(assignments);
    return {
      name: r.name.name,
      nameLoc: r.name.loc,
      loc: r.loc,
      abstract: r.abstract,
      ...(r.extends ? { extends: { name: r.extends.name, loc: r.extends.loc } } : {}),
      file: this.file,
      assignments,
      stages,
    };
  }

  /** SID3010: the same path twice in one recipe (or one stage) body. */
  duplicates(as: Assignment[]): void {
    const seen = new Map<string, Assignment>();
    for (const a of as) {
      const prev = seen.get(a.path);
      if (prev)
        this.out.push(diag('SID3010', a.keyLoc, { path: a.path }, { related: [{ loc: prev.keyLoc, message: `first set at ${locString(prev.keyLoc)}` }] }));
      seen.set(a.path, a);
    }
  }

  sweep(s: Sweep): SweepDecl {
    const origin = `sweep ${s.name.name}`;
    const axis = (a: import('../../grammar/ast.js').Axis): AxisDecl => {
      const path = a.path.segments.map((x) => x.name).join('.');
      checkPath(path, a.path.loc, this.out);
      return {
        path,
        pathLoc: a.path.loc,
        loc: a.loc,
        values: a.values.elements.map((v) => ({ path, keyLoc: a.path.loc, value: { expr: v }, valueLoc: v.loc, origin })),
      };
    };
    return {
      name: s.name.name,
      nameLoc: s.name.loc,
      loc: s.loc,
      over: { name: s.over.name, loc: s.over.loc },
      file: this.file,
      groups: s.items.map((it) =>
        it.kind === 'Axis' ? { mode: 'grid' as const, axes: [axis(it)], loc: it.loc } : { mode: it.mode, axes: it.axes.map(axis), loc: it.loc },
      ),
    };
  }
}

export function collectFile(ast: SidFile, out: Diagnostic[]): FileDecls {
  const c = new Collector(ast.loc.file, out);
  const decls: FileDecls = { file: ast.loc.file, imports: [], recipes: [], sweeps: [] };
  for (const item of ast.items) {
    if (item.kind === 'Import') decls.imports.push({ path: item.path.value, loc: item.path.loc });
    else if (item.kind === 'Recipe') decls.recipes.push(c.recipe(item));
    else decls.sweeps.push(c.sweep(item));
  }
  return decls;
}

export type { Assign };
