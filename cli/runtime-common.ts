// Shared pieces of the runtime's commands: compiling a recipe through the compiler's public API and
// printing its diagnostics, initialising the backend.
import { readFileSync } from 'node:fs';
import { compileFile } from '../compiler/api.js';
import { decodeRecipe } from '../compiler/util/text-file.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { describeBackend, initBackend, type BackendInfo, type BackendName } from '../runtime/tfjs/backend/select.js';
import { missingInputs, requireRecipeFile } from './preflight.js';

/** A finite number flag value, or a usage error naming the flag. */
export function numberFlag(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError(`--${name} must be a number, got '${v}'`);
  return n;
}

/** An integer flag value >= min, or a usage error naming the flag. */
export function intFlag(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

/**
 * Compiles `file`; prints diagnostics; returns the graphs or null when the recipe has errors (exit 1).
 * `files`: also check the checkpoint, text table and VAE the recipe names (sidc run; CompileOptions.files),
 * and stop when one of them does not exist, before the caller creates anything.
 */
export function compileRecipe(io: CliIO, file: string, flags: { set?: string[]; recipe?: string; root?: string }, files = false): ExecutionGraph[] | null {
  requireRecipeFile(file); // a did-you-mean among the recipes beside it
  const res = compileFile(file, {
    set: flags.set ?? [],
    ...(flags.recipe ? { recipe: flags.recipe } : {}),
    ...(files ? { files } : {}),
    ...(flags.root ? { root: flags.root } : {}),
  });
  if (res.diagnostics.length) {
    io.stderr(
      renderDiagnostics(res.diagnostics, (f: string) => {
        try {
          const r = decodeRecipe(readFileSync(f)); // a refused (binary) file shows no source line
          return 'text' in r ? r.text : undefined;
        } catch {
          return undefined;
        }
      }),
    );
  }
  if (!res.ok) return null;
  // A run reads the files its recipe names: one that does not exist (SID3025, a warning for `check`, since
  // paper recipes name checkpoints downloaded later) would fail the run after its directory was made.
  // With --recipe only the graph being run counts (the file's other recipes may name files set later):
  // its missing inputs are what cli/preflight.ts finds; without it, every SID3025 of the file stops the run.
  const how = files ? [...new Set(res.graphs.flatMap((g) => missingInputs(g)))] : [];
  const named = files ? res.diagnostics.filter((d) => d.code === 'SID3025') : [];
  const missing = flags.recipe && how.length === 0 ? [] : named;
  if (missing.length) {
    io.stderr(
      `sidc: not started, nothing written: the recipe names ${missing.length === 1 ? 'a file that does' : `${missing.length} files that do`} not exist (above)\n`,
    );
    // what each missing input is and the command that makes it (cli/preflight.ts)
    if (how.length) io.stderr(`Missing:\n${how.map((m) => `  - ${m}`).join('\n')}\n`);
    return null;
  }
  if (!res.graphs.length) throw new UserError(`${file}: nothing to run (no non-abstract recipe or sweep)`);
  return res.graphs;
}

export async function startBackend(io: CliIO, flags: { backend?: string; threads?: string }): Promise<BackendInfo> {
  const prefer = flags.backend as BackendName | undefined;
  if (prefer && !['tensorflow', 'wasm', 'cpu'].includes(prefer)) throw new UserError(`unknown --backend '${prefer}': use tensorflow, wasm or cpu`);
  const threads = flags.threads ? Number(flags.threads) : undefined;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new UserError(`--threads must be a positive integer, got '${flags.threads}'`);
  // tfjs-wasm starts its workers from blob: URLs, which Node cannot load; without a worker shim (not part
  // of this build) asking for threads would silently fall back to another backend
  if (threads !== undefined && threads > 1)
    throw new UserError(`--threads ${threads}: wasm threads need a worker shim in Node that this build does not include; use --threads 1`);
  try {
    const b = await initBackend({ ...(prefer ? { prefer } : {}), ...(threads ? { threads } : {}) });
    io.stderr(`sidc: backend ${describeBackend(b)}\n`);
    return b;
  } catch (e) {
    throw new UserError(`backend ${prefer ?? ''} is not available here: ${(e as Error).message}`);
  }
}
