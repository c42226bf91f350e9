// Tests run from test/ (tsx) or from dist/test/ (npm test): find the repository root either way.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'grammar'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`repository root not found above ${start}`);
    dir = up;
  }
}

export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));
export const repoPath = (...parts: string[]): string => join(repoRoot, ...parts);

/** Every .sid file under a directory, recursively, in sorted order. */
export function sidFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sidFilesUnder(p, out);
    else if (name.endsWith('.sid')) out.push(p);
  }
  return out;
}
