// Canonical formatting (placeholder until the printer lands: returns the source unchanged).
import type { SidFile, SyntaxProblem } from './ast.js';
import { parseSid } from './parse.js';

export function printSid(_file: SidFile, source: string): string {
  return source;
}

export function formatSid(text: string, file: string): { text: string; problems: SyntaxProblem[] } {
  const r = parseSid(text, file);
  return { text: r.problems.length > 0 ? text : printSid(r.file, text), problems: r.problems };
}
