// Shared pieces of the runtime's commands: compiling a recipe through the compiler's public API and
// printing its diagnostics, initialising the backend.
import { readFileSync } from 'node:fs';
import { compileFile } from '../../compiler/api.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { UserError, type CliIO } from '../../compiler/cli/command.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { describeBackend, initBackend, type BackendInfo, type BackendName } from '../backend/select.js';
import { requireRecipeFile } from './preflight.js';

export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** An integer flag value >= min, or a usage error naming the flag. */
export function intFlag(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

/**
 * Compiles `file`; prints diagnostics; returns the graphs or null when the recipe has errors (exit 1).
 * `files`: also check the checkpoint, text table and VAE the recipe names (sidc run; CompileOptions.files).
 */
export function compileRecipe(io: CliIO, file: string, flags: { set?: string[]; recipe?: string }, files = false): ExecutionGraph[] | null {
  requireRecipeFile(file); // a did-you-mean among the recipes beside it
  const res = compileFile(file, { set: flags.set ?? [], ...(flags.recipe ? { recipe: flags.recipe } : {}), ...(files ? { files } : {}) });
  if (res.diagnostics.length) {
    io.stderr(renderDiagnostics(res.diagnostics, (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    }));
  }
  if (!res.ok) return null;
  if (!res.graphs.length) throw new UserError(`${file}: nothing to run (no non-abstract recipe or sweep)`);
  return res.graphs;
}

export async function startBackend(io: CliIO, flags: { backend?: string; threads?: string }): Promise<BackendInfo> {
  const prefer = flags.backend as BackendName | undefined;
  if (prefer && !['tensorflow', 'wasm', 'cpu'].includes(prefer)) throw new UserError(`unknown --backend '${prefer}': use tensorflow, wasm or cpu`);
  const threads = flags.threads ? Number(flags.threads) : undefined;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new UserError(`--threads must be a positive integer, got '${flags.threads}'`);
  // tfjs-wasm starts its workers from blob: URLs, which Node cannot load; without a worker shim (not part
  // of this build) asking for threads would silently fall back to another backend
  if (threads !== undefined && threads > 1) throw new UserError(`--threads ${threads}: wasm threads need a worker shim in Node that this build does not include; use --threads 1`);
  try {
    const b = await initBackend({ ...(prefer ? { prefer } : {}), ...(threads ? { threads } : {}) });
    io.stderr(`sidc: backend ${describeBackend(b)}\n`);
    return b;
  } catch (e) {
    throw new UserError(`backend ${prefer ?? ''} is not available here: ${(e as Error).message}`);
  }
}
