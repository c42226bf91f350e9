// The compiler's middle representation: recipes after collection (AST or YAML -> declarations with
// canonical setting paths) and after resolution (extends merged, overrides applied, provenance kept).
import type { Expr, FuncDef, Loc } from '../grammar/ast.js';
import type { JsonValue } from './recipe/settings.js';

/** One setting assignment with a canonical dotted path (settings.ts) and where it was written. */
export interface Assignment {
  path: string;
  keyLoc: Loc;
  value: { expr: Expr } | { json: JsonValue } | { func: FuncDef };
  valueLoc: Loc;
  /** Already reported as invalid (YAML schema errors): the setting counts as failed, nothing more is said. */
  invalid?: boolean;
  /** Who wrote it: a recipe name, `--set`, or `sweep <name>`. */
  origin: string;
}

export interface NameRef {
  name: string;
  loc: Loc;
}

export interface StageDecl {
  name: string;
  nameLoc: Loc;
  loc: Loc;
  after: NameRef[];
  assignments: Assignment[];
}

export interface RecipeDecl {
  name: string;
  nameLoc: Loc;
  loc: Loc;
  abstract: boolean;
  extends?: NameRef;
  file: string;
  assignments: Assignment[];
  stages: StageDecl[];
}

export interface AxisDecl {
  path: string;
  pathLoc: Loc;
  values: Assignment[]; // one per list element, origin `sweep <name>`
  loc: Loc;
}

export interface AxisGroupDecl {
  mode: 'grid' | 'zip';
  axes: AxisDecl[];
  loc: Loc;
}

export interface SweepDecl {
  name: string;
  nameLoc: Loc;
  loc: Loc;
  over: NameRef;
  file: string;
  /** Top-level axes are single-axis grid groups (several top-level axes combine as a grid). */
  groups: AxisGroupDecl[];
}

/** What one source file declares. */
export interface FileDecls {
  file: string;
  imports: { path: string; loc: Loc }[];
  recipes: RecipeDecl[];
  sweeps: SweepDecl[];
}

/** A resolved setting: its value and the assignment that decided it (absent = the default). */
export interface ResolvedValue {
  value: JsonValue;
  from?: Assignment;
  /** Earlier assignments it overrode (base recipes), for notes. */
  overrode?: Assignment[];
}

export interface ResolvedStage {
  name: string;
  decl?: StageDecl; // absent for the implicit sid stage
  after: NameRef[];
  /** Per-stage overrides on top of the recipe's values. */
  overrides: Map<string, ResolvedValue>;
}

export interface ResolvedRecipe {
  name: string;
  decl: RecipeDecl;
  /** base first, this recipe last */
  chain: RecipeDecl[];
  values: Map<string, ResolvedValue>;
  stages: ResolvedStage[];
  sweepPoint?: { sweep: SweepDecl; index: number; values: Record<string, JsonValue>; assignments: Assignment[] };
}
