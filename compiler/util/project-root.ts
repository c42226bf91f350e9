// The project root bounds what imports may read: `import "../../etc/passwd"` must not open a file outside
// the project. The root is `--root DIR` when given, else the nearest folder at or above the root recipe
// file that holds package.json or .git, else the root recipe's own folder (docs/language.md, Imports).
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const MARKERS = ['package.json', '.git'];

/** The help text of the commands' `--root DIR` option. */
export const ROOT_OPTION_HELP = 'the project root: imports may not read outside it (default: the nearest folder above the recipe with package.json or .git)';

/** The project root for a root recipe file (an absolute path). */
export function projectRoot(rootFile: string, explicit?: string): string {
  if (explicit !== undefined) return real(resolve(explicit));
  const start = dirname(resolve(rootFile));
  for (let dir = start; ; dir = dirname(dir)) {
    if (MARKERS.some((m) => existsSync(join(dir, m)))) return real(dir);
    if (dirname(dir) === dir) return real(start);
  }
}

/** Is `file` (after following links, when it exists) inside `root`? */
export function insideRoot(file: string, root: string): boolean {
  const r = relative(root, real(resolve(file)));
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** The root as messages show it: relative to the current folder when inside it (stable in tests), else absolute. */
export function displayRoot(root: string): string {
  const r = relative(process.cwd(), root);
  return r === '' ? './' : r.startsWith('..') || isAbsolute(r) ? root : r;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // not on disk (an editor overlay): the nearest existing parent's real path, then the rest
    const parent = dirname(p);
    return parent === p ? p : join(real(parent), p.slice(parent.length + (parent.endsWith('/') ? 0 : 1)));
  }
}
