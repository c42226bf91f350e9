// The compiler stages the server reuses - never a second checker: diagnostics come from compileSource,
// formatting from the grammar's formatter, symbols from the grammar's parser.
// compileSource is loaded lazily so the server answers its first requests while the compiler loads.
import { formatSid, parseSid } from '../../grammar/index.js';
import type { ParseResult, SyntaxProblem } from '../../grammar/ast.js';
import type { CompileOptions, CompileResult } from '../api.js';

export interface Stages {
  parseSid(text: string, file: string): ParseResult;
  formatSid(text: string, file: string): { text: string; problems: SyntaxProblem[] };
  compileSource(text: string, path: string, options: CompileOptions): CompileResult | Promise<CompileResult>;
}

let loaded: Promise<Partial<Stages>> | undefined;

export function loadStages(): Promise<Partial<Stages>> {
  loaded ??= (async () => {
    const api = (await import(new URL('../api.js', import.meta.url).href).catch(() => ({}))) as Partial<Stages>;
    return { parseSid, formatSid, compileSource: api.compileSource };
  })();
  return loaded;
}
