// parseSid / parseExpression: lex, parse, and merge the problems of both in source order.
import type { Expr, ParseResult, SyntaxProblem } from './ast.js';
import { lex } from './lexer.js';
import { parser } from './parser.js';

/** Lexer problems first at equal offsets; one parser problem per place (nested blocks hitting EOF agree). */
function merge(lexical: SyntaxProblem[], syntactic: SyntaxProblem[], unterminatedComment: boolean): SyntaxProblem[] {
  const seen = new Set<number>();
  const kept = syntactic.filter((p) => {
    // An unterminated /* swallows the rest of the file: the missing `}` that follows is its consequence.
    if (unterminatedComment && p.reason === 'unexpected_eof') return false;
    const at = p.loc.range.start.offset;
    if (seen.has(at)) return false;
    seen.add(at);
    return true;
  });
  return [...lexical, ...kept].sort((a, b) => a.loc.range.start.offset - b.loc.range.start.offset);
}

/** Parses a whole .sid file. Never throws: a partial tree plus every problem, in source order. */
export function parseSid(text: string, file: string): ParseResult {
  const r = lex(text, file);
  parser.begin(r.tokens, r.index);
  const items = parser.file();
  const problems = merge(
    r.problems,
    parser.problems,
    r.problems.some((p) => p.reason === 'unterminated_comment'),
  );
  return {
    file: { kind: 'File', items: items ?? [], comments: r.comments, loc: r.index.loc(0, text.length) },
    problems,
  };
}

/** Parses one expression (`--set key=value` values, YAML strings). `expr` is absent only when nothing parsed. */
export function parseExpression(text: string, file: string): { expr?: Expr; problems: SyntaxProblem[] } {
  const r = lex(text, file);
  parser.begin(r.tokens, r.index);
  const expr = parser.standalone();
  const problems = merge(r.problems, parser.problems, false);
  return expr === undefined ? { problems } : { expr, problems };
}
