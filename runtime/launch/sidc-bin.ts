// How a launched process starts sidc: this Node and this checkout's bin/sidc.js, by absolute path, so a
// Slurm task or a child process runs the same build whatever its PATH.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** [node, bin/sidc.js] (this file is dist/runtime/launch/sidc-bin.js). */
export function sidcCommand(): string[] {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
  return [process.execPath, join(root, 'bin', 'sidc.js')];
}

/** The repository root (for the torch engine's PYTHONPATH=runtime/torch). */
export function repoRoot(): string {
  return join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
}
