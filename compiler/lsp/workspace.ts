// What the server knows about files: the open documents (their in-memory text wins over disk, and is
// handed to the compiler as its overlay) and the import graph between open and on-disk files, so that
// editing a base recipe re-lints every open recipe that imports it, directly or not.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { scan } from './scan.js';
import { decodeRecipe } from '../util/text-file.js';
import { isDataFile } from '../load/program.js';

export function uriToPath(uri: string): string {
  return uri.startsWith('file:') ? resolve(fileURLToPath(uri)) : uri;
}

export function pathToUri(path: string): string {
  return path.includes(':') && !path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path) ? path : pathToFileURL(path).href;
}

interface ImportRef {
  path: string; // resolved absolute path
  start: number; // offsets of the import string in the importing file
  end: number;
}

/** YAML and JSON recipes (`r.sid.yaml`, `r.sid.json`): the compiler reads them; the schema covers their shape. */
/** The imports of a text: `import "..."` in .sid, the `imports:` list of a YAML/JSON recipe. */
export function importsOf(text: string, file: string): ImportRef[] {
  if (isDataFile(file)) return dataImports(text, file);
  if (!file.endsWith('.sid')) return [];
  const tokens = scan(text).filter((t) => t.kind !== 'comment');
  const out: ImportRef[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    const s = tokens[i + 1]!;
    if (t.kind !== 'ident' || t.text !== 'import' || s.kind !== 'string') continue;
    let value: string;
    try {
      value = JSON.parse(s.text) as string;
    } catch {
      value = s.text.replace(/^"|"$/g, '');
    }
    out.push({ path: resolve(dirname(file), value), start: s.start, end: s.end });
  }
  return out;
}

function dataImports(text: string, file: string): ImportRef[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // JSON is YAML
  } catch {
    return [];
  }
  const list = doc && typeof doc === 'object' ? (doc as { imports?: unknown }).imports : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map((x) => {
      const start = Math.max(0, text.indexOf(x));
      return { path: resolve(dirname(file), x), start, end: start + x.length };
    });
}

export class Workspace {
  /** path -> text of open documents */
  readonly open = new Map<string, string>();
  private readonly disk = new Map<string, { stamp: string; text: string | undefined }>();
  private readonly imports = new Map<string, { text: string; refs: ImportRef[] }>();

  /** importsOf, cached per file while its text is unchanged. */
  importsOf(path: string): ImportRef[] {
    const text = this.read(path);
    if (text === undefined) return [];
    const c = this.imports.get(path);
    if (c && c.text === text) return c.refs;
    const refs = importsOf(text, path);
    this.imports.set(path, { text, refs });
    return refs;
  }

  /** The text of a file: the open document's, else the disk's (cached by mtime and size); undefined if unreadable. */
  read(path: string): string | undefined {
    const o = this.open.get(path);
    if (o !== undefined) return o;
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined;
    }
    const c = this.disk.get(path);
    if (c && c.stamp === stamp) return c.text;
    let text: string | undefined;
    try {
      const r = decodeRecipe(readFileSync(path)); // a binary file is no recipe: nothing to scan
      text = 'text' in r ? r.text : undefined;
    } catch {
      text = undefined;
    }
    this.disk.set(path, { stamp, text });
    return text;
  }

  /** Every file `path` imports, transitively (cycles are fine: each file once). */
  closure(path: string): Set<string> {
    const seen = new Set<string>();
    const todo = [path];
    while (todo.length) {
      const p = todo.pop()!;
      for (const imp of this.importsOf(p)) {
        if (imp.path === path || seen.has(imp.path)) continue;
        seen.add(imp.path);
        todo.push(imp.path);
      }
    }
    return seen;
  }

  /** Open documents whose result depends on `path` (they import it, directly or not), `path` itself first. */
  dependents(path: string): string[] {
    const out = this.open.has(path) ? [path] : [];
    for (const p of this.open.keys()) if (p !== path && this.closure(p).has(path)) out.push(p);
    return out;
  }
}
