// Go to definition: `extends base` and `sweep s over r` jump to the recipe (in this file or any file it
// imports, transitively), `after sid` to the stage, and an import string to the imported file.
import type { Role } from './walk.js';
import { walk } from './walk.js';
import { scan } from './scan.js';
import type { Workspace } from './workspace.js';
import { importsOf } from './workspace.js';

export interface Target {
  path: string;
  start: number; // offsets in that file's text
  end: number;
}

/** Declarations of one text: recipe and sweep names with their offsets. */
export function declarations(text: string): { name: string; kind: 'recipe' | 'sweep' | 'stage'; start: number; end: number }[] {
  const tokens = scan(text);
  const out: { name: string; kind: 'recipe' | 'sweep' | 'stage'; start: number; end: number }[] = [];
  for (const [i, role] of walk(tokens).roles) {
    const kind = role.kind === 'recipe-decl' ? 'recipe' : role.kind === 'sweep-decl' ? 'sweep' : role.kind === 'stage' ? 'stage' : undefined;
    if (kind && 'name' in role) out.push({ name: role.name, kind, start: tokens[i]!.start, end: tokens[i]!.end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Recipes visible from `path`: its own, then those of its imports. */
export function visibleRecipes(ws: Workspace, path: string, text: string): { name: string; path: string; start: number; end: number }[] {
  const out = declarations(text)
    .filter((d) => d.kind === 'recipe')
    .map((d) => ({ ...d, path }));
  for (const p of ws.closure(path)) {
    const t = ws.read(p);
    if (t !== undefined)
      out.push(
        ...declarations(t)
          .filter((d) => d.kind === 'recipe')
          .map((d) => ({ ...d, path: p })),
      );
  }
  return out;
}

export function definitionAt(ws: Workspace, path: string, text: string, offset: number): Target | undefined {
  const tokens = scan(text);
  const index = tokens.findIndex((t) => t.start <= offset && offset <= t.end && t.kind !== 'comment' && t.kind !== 'punct');
  if (index < 0) return undefined;
  const tok = tokens[index]!;
  if (tok.kind === 'string') {
    const imp = importsOf(text, path).find((r) => r.start === tok.start);
    return imp ? { path: imp.path, start: 0, end: 0 } : undefined;
  }
  const role: Role | undefined = walk(tokens).roles.get(index);
  if (role?.kind === 'recipe-ref') {
    const hit = visibleRecipes(ws, path, text).find((r) => r.name === role.name);
    return hit && { path: hit.path, start: hit.start, end: hit.end };
  }
  if (role?.kind === 'stage-ref') {
    const decls = declarations(text).filter((d) => d.kind === 'stage' && d.name === role.name && d.start < tok.start);
    const hit = decls[decls.length - 1] ?? declarations(text).find((d) => d.kind === 'stage' && d.name === role.name);
    return hit && { path, start: hit.start, end: hit.end };
  }
  return undefined;
}
