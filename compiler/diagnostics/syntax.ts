// Maps the parser's SyntaxProblem reasons (grammar/ast.ts) to SID1xxx codes of the catalogue.
import type { SyntaxProblem, SyntaxReason } from '../../grammar/ast.js';
import type { Code } from './catalogue.js';
import { diag } from './make.js';
import type { Diagnostic } from './types.js';

export const SYNTAX_CODES: Record<SyntaxReason, Code> = {
  invalid_character: 'SID1001',
  unterminated_string: 'SID1002',
  unterminated_comment: 'SID1003',
  invalid_number: 'SID1004',
  unexpected_token: 'SID1005',
  missing_token: 'SID1006',
  unexpected_eof: 'SID1007',
  too_deep: 'SID1008',
};

export function syntaxDiagnostic(p: SyntaxProblem): Diagnostic {
  const code = SYNTAX_CODES[p.reason] ?? 'SID1005';
  const found = p.found !== undefined ? `\`${p.found}\`` : '';
  const detail = code === 'SID1007' ? (p.expected?.length ? `; expected ${p.expected.join(' or ')}` : '') : p.message;
  const d = diag(code, p.loc, { found, detail });
  if ((code === 'SID1005' || code === 'SID1006') && p.expected?.length && !d.help) d.help = `expected ${p.expected.slice(0, 6).join(' or ')}`;
  return d;
}
