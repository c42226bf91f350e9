// Loads a program: the root file and everything it imports (relative to the importing file), from an
// overlay (open editor documents) or disk. Keeps every text it read so diagnostics can be rendered,
// reports missing files at the import string and import cycles. An import that resolves outside the
// project root (util/project-root.ts) is an error at the import and is never read; a binary file is
// refused before its text is kept (util/text-file.ts).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { collectFile } from '../collect/collect.js';
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { FileDecls, RecipeDecl, SweepDecl } from '../model.js';
import { parseFile } from './parse.js';
import { loadYamlRecipe } from '../yaml/load.js';
import { locString } from '../util/loc.js';
import { displayRoot, insideRoot, projectRoot } from '../util/project-root.js';
import { decodeRecipe, notTextReason } from '../util/text-file.js';

/** An import path relative to the importing file (absolute paths stay as they are). */
function importTarget(importer: string, spec: string): string {
  return isAbsolute(spec) ? normalize(spec) : normalize(join(dirname(importer), spec));
}

export function isDataFile(path: string): boolean {
  return /\.(ya?ml|json)$/i.test(path);
}

export class Program {
  readonly sources = new Map<string, string>();
  readonly files = new Map<string, FileDecls>();
  private readonly loading: string[] = [];
  /** Imports may not leave this folder (set by addRoot from the root file, or `--root`). */
  root = '';
  /** Files with an import that could not be loaded (missing, outside the root, not text). */
  readonly importFailed = new Set<string>();

  constructor(
    readonly diagnostics: Diagnostic[],
    readonly overlay?: ReadonlyMap<string, string>,
    readonly explicitRoot?: string,
  ) {}

  /** The text of a file, or an error reason. */
  read(file: string): { text: string } | { error: string } {
    const o = this.overlay?.get(file);
    if (o !== undefined) {
      const why = notTextReason(o);
      return why === undefined ? { text: o } : { error: why };
    }
    try {
      return decodeRecipe(readFileSync(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(e)) };
    }
  }

  /** Parse `file` from `text` (the root document) and load its imports. */
  addRoot(file: string, text: string): FileDecls {
    this.root = projectRoot(file, this.explicitRoot);
    this.sources.set(file, text);
    return this.loadText(file, text);
  }

  private loadText(file: string, text: string): FileDecls {
    let decls: FileDecls;
    if (isDataFile(file)) decls = loadYamlRecipe(text, file, this.diagnostics);
    else decls = collectFile(parseFile(text, file, this.diagnostics), this.diagnostics);
    this.files.set(file, decls);
    this.loading.push(file);
    for (const imp of decls.imports) {
      const target = importTarget(file, imp.path);
      const at = this.loading.indexOf(target);
      if (at >= 0) {
        const cycle = [...this.loading.slice(at), target].join(' -> ');
        this.diagnostics.push(diag('SID3015', imp.loc, { cycle }));
        continue;
      }
      if (this.files.has(target)) continue;
      if (!insideRoot(target, this.root)) {
        this.diagnostics.push(diag('SID2027', imp.loc, { spec: imp.path, root: displayRoot(this.root) }));
        this.importFailed.add(file);
        continue;
      }
      const r = this.read(target);
      if ('error' in r) {
        this.diagnostics.push(diag('SID2014', imp.loc, { path: target, reason: r.error }));
        this.importFailed.add(file);
        continue;
      }
      this.sources.set(target, r.text);
      this.loadText(target, r.text);
    }
    this.loading.pop();
    return decls;
  }

  /** Files visible from `file`: itself and its imports, transitively. */
  visibleFiles(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const d = this.files.get(file);
    if (!d) return [];
    const out = [file];
    for (const imp of d.imports) out.push(...this.visibleFiles(importTarget(file, imp.path), seen));
    return out;
  }

  private readonly recipeCache = new Map<string, Map<string, RecipeDecl>>();
  private readonly sweepCache = new Map<string, Map<string, SweepDecl>>();

  /** Recipes visible from `file` by name; a name defined twice is reported once per extra definition. */
  visibleRecipes(file: string): Map<string, RecipeDecl> {
    const cached = this.recipeCache.get(file);
    if (cached) return cached;
    const out = new Map<string, RecipeDecl>();
    this.recipeCache.set(file, out);
    for (const f of this.visibleFiles(file)) {
      for (const r of this.files.get(f)!.recipes) {
        const prev = out.get(r.name);
        if (prev && prev !== r) {
          const [first, second] = prev.file === file || f !== file ? [prev, r] : [r, prev];
          this.diagnostics.push(
            diag('SID2019', second.nameLoc, { name: r.name }, { related: [{ loc: first.nameLoc, message: `first defined at ${locString(first.nameLoc)}` }] }),
          );
          continue;
        }
        out.set(r.name, r);
      }
    }
    return out;
  }

  visibleSweeps(file: string): Map<string, SweepDecl> {
    const cached = this.sweepCache.get(file);
    if (cached) return cached;
    const out = new Map<string, SweepDecl>();
    this.sweepCache.set(file, out);
    for (const f of this.visibleFiles(file)) for (const s of this.files.get(f)!.sweeps) if (!out.has(s.name)) out.set(s.name, s);
    return out;
  }
}
