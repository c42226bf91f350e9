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

/** True when `python3 -c "import numpy"` works: cross-check tests skip otherwise. */
export const hasNumpy: boolean = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/** Runs a python3 script with args; throws with its stderr when it fails. */
export function python(script: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
