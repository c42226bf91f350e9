// Scratch directories for I/O tests, removed when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const made: string[] = [];
process.on('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

export function scratchDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `sidc-${tag}-`));
  made.push(d);
  return d;
}

/**
 * The first python interpreter that has all `modules` installed (PATH's python3, then Debian's), if any.
 * Probed with find_spec, which does not import: importing torch just to probe would cost seconds.
 */
export function pythonWith(...modules: string[]): string | undefined {
  const probe = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ${JSON.stringify(modules)}) else 1)`;
  for (const exe of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(exe, ['-c', probe], { stdio: 'ignore' });
    if (r.status === 0) return exe;
  }
  return undefined;
}

/** True when `python3 -c "import numpy"` works: cross-check tests skip otherwise. */
export const hasNumpy: boolean = pythonWith('numpy') !== undefined;

/** Runs a python script with args (with `exe`, default the numpy one); throws with its stderr when it fails. */
export function python(script: string, ...args: string[]): string {
  return pythonExe(pythonWith('numpy') ?? 'python3', script, ...args);
}

export function pythonExe(exe: string, script: string, ...args: string[]): string {
  const r = spawnSync(exe, ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
