// Shared pieces of the compiler's commands: reading a recipe file (I/O problems become UserErrors,
// exit 2), compiling with --set/--recipe, printing diagnostics as text or JSON. Atomic writes are
// runtime/formats/atomic.ts's (no tfjs there).
import { readFileSync } from 'node:fs';
import { decodeRecipe } from '../compiler/util/text-file.js';
import { compileText, type CompileOutput } from '../compiler/compile.js';
import { diagnosticsJson, renderDiagnostics } from '../compiler/diagnostics/render.js';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';

export function readSource(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new UserError(`cannot read '${path}': ${why}`);
  }
  const r = decodeRecipe(bytes); // a binary file never reaches a message
  if ('error' in r) throw new UserError(`cannot read '${path}': ${r.error}`);
  return r.text;
}

interface CompileFlags {
  set?: string[];
  recipe?: string;
  format?: string;
  root?: string;
}

/** `files`: also check the files the recipe points at (sidc check, compile, plan; CompileOptions.files). */
export function compilePath(path: string, flags: CompileFlags, files = false): CompileOutput {
  return compileText(readSource(path), path, {
    set: flags.set ?? [],
    ...(flags.recipe ? { recipe: flags.recipe } : {}),
    ...(files ? { files } : {}),
    ...(flags.root ? { root: flags.root } : {}),
  });
}

export function checkFormat(format: string | undefined): 'text' | 'json' {
  if (format === undefined || format === 'text') return 'text';
  if (format === 'json') return 'json';
  throw new UserError(`unknown --format '${format}': use text or json`);
}

/** Print diagnostics to stderr (text) or stdout (json). */
export function report(io: CliIO, out: CompileOutput, format: 'text' | 'json'): void {
  if (format === 'json') io.stdout(diagnosticsJson(out.diagnostics));
  else if (out.diagnostics.length) io.stderr(renderDiagnostics(out.diagnostics, (f) => out.sources.get(f)));
}
