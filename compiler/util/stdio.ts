// Process-level helpers for the CLI: a closed pipe (`sidc --help | head`) ends the program quietly, as
// other command-line tools do, instead of an unhandled 'error' event with a stack trace; and the
// package's own version for `sidc --version`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let installed = false;

/** On EPIPE on stdout or stderr, exit at once with status 0 (the reader has all it wanted). */
export function exitQuietlyOnBrokenPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

/** The `version` of the sidc package.json above this module (source or dist/ layout). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'sidc' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}
