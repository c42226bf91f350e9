// What every check sees: the resolved recipe, values with defaults, and where each value came from,
// so a diagnostic about an inherited value points at the recipe being compiled and notes the base.
import type { Loc } from '../../grammar/ast.js';
import type { Related } from '../diagnostics/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ResolvedRecipe, ResolvedValue } from '../model.js';
import { SETTINGS_BY_PATH, type JsonValue } from '../recipe/settings.js';
import { locString } from '../util/loc.js';

export interface Place {
  loc: Loc;
  related: Related[];
  /** true when the value was written in the recipe being compiled (or --set / a sweep point): fixes apply there. */
  local: boolean;
  /** true when no assignment set it (the default). */
  isDefault: boolean;
}

export class CheckContext {
  constructor(
    readonly recipe: ResolvedRecipe & { failed: Set<string> },
    readonly out: Diagnostic[],
  ) {}

  /** The value of a setting (recipe value, else the default); undefined when unset without default or when it failed to evaluate. */
  get(path: string): JsonValue | undefined {
    if (this.recipe.failed.has(path)) return undefined;
    const v = this.recipe.values.get(path);
    if (v) return v.value;
    return SETTINGS_BY_PATH.get(path)?.default;
  }

  num(path: string): number | undefined {
    const v = this.get(path);
    return typeof v === 'number' ? v : undefined;
  }

  str(path: string): string | undefined {
    const v = this.get(path);
    return typeof v === 'string' ? v : undefined;
  }

  obj(path: string): Record<string, JsonValue> | undefined {
    const v = this.get(path);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  }

  isSet(path: string): boolean {
    return this.recipe.values.has(path);
  }

  failed(path: string): boolean {
    return this.recipe.failed.has(path);
  }

  resolved(path: string): ResolvedValue | undefined {
    return this.recipe.values.get(path);
  }

  /** The recipe's own name location (for problems with defaults). */
  get anchor(): Loc {
    return this.recipe.decl.nameLoc;
  }

  isLocal(origin: string): boolean {
    return origin === this.recipe.name || origin.startsWith(this.recipe.name + ' stage ') || origin === '--set' || origin.startsWith('sweep ');
  }

  /** Where to report a problem with `path`'s value: its own value if written here, else the `extends` with a note. */
  place(path: string, fallback: Loc = this.anchor): Place {
    const r = this.recipe.values.get(path);
    if (!r?.from) return { loc: fallback, related: [], local: false, isDefault: true };
    const a = r.from;
    if (this.isLocal(a.origin)) return { loc: a.valueLoc, related: [], local: true, isDefault: false };
    return {
      loc: this.recipe.decl.extends?.loc ?? this.anchor,
      related: [{ loc: a.valueLoc, message: `${path} inherited from ${locString(a.valueLoc)} (recipe ${a.origin})` }],
      local: false,
      isDefault: false,
    };
  }
}
