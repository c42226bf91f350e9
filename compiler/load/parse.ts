// The compiler's one door to the grammar: parse a file or a lone expression (for `--set k=v`)
// and turn syntax problems into SID1xxx diagnostics.
import type { Expr, SidFile } from '../../grammar/ast.js';
import { parseExpression, parseSid } from '../../grammar/index.js';
import { syntaxDiagnostic } from '../diagnostics/syntax.js';
import type { Diagnostic } from '../diagnostics/types.js';

export function parseFile(text: string, file: string, out: Diagnostic[]): SidFile {
  const r = parseSid(text, file);
  for (const p of r.problems) out.push(syntaxDiagnostic(p));
  return r.file;
}

export function parseValue(text: string, file: string, out: Diagnostic[]): Expr | undefined {
  const r = parseExpression(text, file);
  for (const p of r.problems) out.push(syntaxDiagnostic(p));
  return r.problems.length ? undefined : r.expr;
}
