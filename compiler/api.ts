// The compiler's public surface, used by the CLI, the language server and the runtime.
// Contract (implemented by the compiler stages; signatures are stable):
//
//   compileFile(path, options)   -> CompileResult      parse, resolve, check, expand, lower (and plan)
//   compileSource(text, path, o) -> CompileResult      the same for an in-memory document (LSP)
//
// A file with errors yields diagnostics and no graphs. A sweep yields one graph per point, each checked
// on its own. `recipe` picks one recipe when a file has several non-abstract ones.
import { readFileSync } from 'node:fs';
import { compileText, refusedRoot } from './compile.js';
import { decodeRecipe } from './util/text-file.js';
import type { Diagnostic } from './diagnostics/types.js';
import type { ExecutionGraph } from './graph/types.js';
import type { CheckCache } from './incremental.js';

export interface CompileOptions {
  /** `--set key=value` overrides, applied to the selected recipe after `extends`. */
  set?: string[];
  /** Name of the recipe or sweep to compile (default: the file's only non-abstract recipe or sweep). */
  recipe?: string;
  /** Read other files (imports, bases) from here instead of disk when present (LSP open documents). */
  overlay?: ReadonlyMap<string, string>;
  /** false: check only - no graphs, hence no plan diagnostics (SID4xxx) either; faster for quick checks. */
  lower?: boolean;
  /**
   * Reuse per-recipe diagnostics from earlier compiles of this program (the language server; see
   * incremental.ts). Diagnostics are the same as without it; graphs come only from recipes re-checked.
   */
  cache?: CheckCache;
  /**
   * Also check the files the recipe points at - teacher.checkpoint, data.text = precomputed(...),
   * teacher.vae - against the teacher (config.json and safetensors headers only; check/files.ts). The CLI
   * sets it (check, compile, plan, run); the language server does not: its cache assumes checks read
   * nothing but recipes.
   */
  files?: boolean;
  /**
   * The project root: imports that resolve outside it are errors and are not read. Default: the nearest
   * folder at or above the root file with package.json or .git, else the root file's folder (`--root`).
   */
  root?: string;
}

export interface CompileResult {
  ok: boolean; // no error-severity diagnostics
  diagnostics: Diagnostic[];
  graphs: ExecutionGraph[];
}

/** Compile an in-memory document (the LSP's open buffer). */
export function compileSource(text: string, path: string, options: CompileOptions = {}): CompileResult {
  const { ok, diagnostics, graphs } = compileText(text, path, options);
  return { ok, diagnostics, graphs };
}

/**
 * Compile a file from the overlay or disk; throws (an I/O error) only when the root file cannot be read.
 * A file that is not UTF-8 text is one diagnostic (SID1009), its bytes never shown.
 */
export function compileFile(path: string, options: CompileOptions = {}): CompileResult {
  const overlaid = options.overlay?.get(path);
  const decoded = overlaid !== undefined ? { text: overlaid } : decodeRecipe(readFileSync(path));
  if ('error' in decoded) {
    const { ok, diagnostics, graphs } = refusedRoot(path, decoded.error);
    return { ok, diagnostics, graphs };
  }
  return compileSource(decoded.text, path, options);
}
