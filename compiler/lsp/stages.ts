// The compiler stages the server reuses - never a second checker: diagnostics come from compileSource,
// formatting from the grammar's formatter, symbols from the grammar's parser.
// Loaded lazily so the server starts (and answers hover and completion) even before they are imported.
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
    const grammar = (await import(spec('../../grammar/index.js')).catch(() => ({}))) as Partial<Stages>;
    const api = (await import(spec('../api.js')).catch(() => ({}))) as Partial<Stages>;
    return { parseSid: grammar.parseSid, formatSid: grammar.formatSid, compileSource: api.compileSource };
  })();
  return loaded;
}

function spec(relative: string): string {
  return new URL(relative, import.meta.url).href;
}
