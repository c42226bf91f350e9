// Scratch directories for I/O tests, removed when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

export function scratchDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `sidc-${tag}-`));
  made.push(d);
  return d;
}
