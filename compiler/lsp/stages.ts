// The compiler stages the server reuses - never a second checker: diagnostics come from compileSource,
// formatting from the grammar's formatter, symbols from the grammar's parser.
import { formatSid, parseSid } from '../../grammar/index.js';
import type { ParseResult, SyntaxProblem } from '../../grammar/ast.js';
import { compileSource } from '../api.js';
import type { CompileOptions, CompileResult } from '../api.js';

export interface Stages {
  parseSid(text: string, file: string): ParseResult;
  formatSid(text: string, file: string): { text: string; problems: SyntaxProblem[] };
  compileSource(text: string, path: string, options: CompileOptions): CompileResult | Promise<CompileResult>;
}

const stages: Stages = { parseSid, formatSid, compileSource };

/** Kept async so a server could load the compiler in a worker later without touching the features. */
export function loadStages(): Promise<Partial<Stages>> {
  return Promise.resolve(stages);
}
