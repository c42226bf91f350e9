// Text -> tokens, comments and lexical problems. The chevrotain lexer is built once (module singleton).
// Every lexical mistake becomes a SyntaxProblem and still yields a token the parser can use
// (an unterminated string is a string, `3kk` is a number), so one typo gives one problem.
import { createTokenInstance, Lexer, type IToken, type TokenType } from 'chevrotain';
import type { Comment, Range, SyntaxProblem } from './ast.js';
import { LineIndex } from './positions.js';
import { numberValue, unescapeString } from './literals.js';
import * as T from './tokens.js';

const lexer = new Lexer(T.ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: true });

interface LexResult {
  tokens: IToken[]; // payload: the value of strings (string) and numbers (number, NaN when invalid)
  comments: Comment[];
  problems: SyntaxProblem[];
  index: LineIndex;
  /** Offsets and lengths of invalid characters (for the language server's token stream). */
  invalid: { offset: number; length: number }[];
}

function numberAdvice(image: string): string {
  if (/[eE][+-]?$/.test(image)) return 'an exponent needs digits, as in 1e-5';
  if (/\.$|\.\.|\.\d*\./.test(image)) return 'write a decimal number as 0.5 or 2.5k';
  let valid = image.length - 1;
  while (valid > 0 && !T.VALID_NUMBER.test(image.slice(0, valid))) valid--;
  const tail = image.slice(valid);
  if (valid > 0 && /^[A-Za-z_]/.test(tail)) {
    return `'${tail}' cannot follow the number ${image.slice(0, valid)}: the only suffixes are k (thousand) and M (million), as in 10k or 1M; put a space before a unit`;
  }
  return 'a number is digits, an optional fraction and exponent, and an optional k or M suffix: 10k, 2.5k, 1M, 1e-5';
}

const GLUED: Map<string, TokenType> = new Map([...T.UNIT_TOKENS, T.X].map((t) => [t.name.slice('Kw_'.length), t]));

/** `512px` -> [512, px] when the run is a valid number glued to a unit or to `x`. */
function splitGlued(tok: IToken): [IToken, IToken] | undefined {
  const m = /^(.*?)(px|GB|GiB|MB|images|steps|TFLOPS|x)$/.exec(tok.image);
  if (m === null || !T.VALID_NUMBER.test(m[1]!)) return undefined;
  const digits = m[1]!;
  const num = createTokenInstance(T.NumberTok, digits, tok.startOffset, tok.startOffset + digits.length - 1, NaN, NaN, NaN, NaN);
  num.payload = numberValue(digits);
  const word = createTokenInstance(GLUED.get(m[2]!)!, m[2]!, tok.startOffset + digits.length, tok.startOffset + tok.image.length - 1, NaN, NaN, NaN, NaN);
  return [num, word];
}

export function lex(text: string, file: string): LexResult {
  const index = new LineIndex(text, file);
  const out = lexer.tokenize(text);
  const problems: SyntaxProblem[] = [];
  const invalid: { offset: number; length: number }[] = [];
  const loc = (start: number, end: number) => index.loc(start, end);

  for (const e of out.errors) {
    const found = text.substr(e.offset, e.length);
    invalid.push({ offset: e.offset, length: e.length });
    const shown = found.length > 20 ? `${found.slice(0, 20)}...` : found;
    problems.push({
      reason: 'invalid_character',
      message: `invalid character${e.length > 1 ? 's' : ''} '${shown}'`,
      loc: loc(e.offset, e.offset + e.length),
      found: shown,
    });
  }

  const split = new Map<IToken, [IToken, IToken]>();
  for (const tok of out.tokens) {
    const t = tok.tokenType;
    const end = tok.startOffset + tok.image.length;
    if (t === T.NumberTok) {
      tok.payload = numberValue(tok.image);
    } else if (t === T.InvalidNumber) {
      tok.payload = Number.NaN;
      const glued = splitGlued(tok);
      if (glued !== undefined) {
        // `512px`, `80GB`, `8x`: one problem, and the tokens the user meant, so parsing goes on unharmed.
        split.set(tok, glued);
        problems.push({
          reason: 'invalid_number',
          message: `write a space between the number and '${glued[1].image}': ${glued[0].image} ${glued[1].image}`,
          loc: loc(tok.startOffset, end),
          found: tok.image,
          expected: [`${glued[0].image} ${glued[1].image}`],
        });
        continue;
      }
      problems.push({
        reason: 'invalid_number',
        message: `invalid number '${tok.image}': ${numberAdvice(tok.image)}`,
        loc: loc(tok.startOffset, end),
        found: tok.image,
        expected: ['a number'],
      });
    } else if (t === T.StringTok || t === T.UnterminatedString) {
      const closed = t === T.StringTok;
      const body = tok.image.slice(1, closed ? -1 : tok.image.length);
      tok.payload = unescapeString(body, (at, seq) => {
        const start = tok.startOffset + 1 + at;
        problems.push({
          reason: 'invalid_character',
          message: `unknown escape '${seq}' in a string: use \\n, \\t, \\r, \\0, \\", \\\\ or \\u{hex}`,
          loc: loc(start, start + seq.length),
          found: seq,
        });
      });
      if (!closed) {
        problems.push({
          reason: 'unterminated_string',
          message: 'unterminated string: add the closing " on the same line',
          loc: loc(tok.startOffset, end),
          expected: ['"'],
          found: 'end of line',
        });
      }
    }
  }

  const comments: Comment[] = [];
  for (const tok of out.groups.comments ?? []) {
    const end = tok.startOffset + tok.image.length;
    const unterminated = tok.tokenType === T.UnterminatedComment;
    if (unterminated) {
      problems.push({
        reason: 'unterminated_comment',
        message: "unterminated block comment: add the closing '*/'",
        loc: loc(tok.startOffset, tok.startOffset + 2),
        expected: ['*/'],
        found: 'end of file',
      });
    }
    const lineComment = tok.tokenType === T.LineComment;
    comments.push({
      kind: 'Comment',
      text: lineComment ? tok.image.trimEnd() : tok.image,
      block: !lineComment,
      loc: loc(tok.startOffset, end),
    });
  }

  problems.sort((a, b) => a.loc.range.start.offset - b.loc.range.start.offset);
  const tokens = split.size === 0 ? out.tokens : out.tokens.flatMap((tok) => split.get(tok) ?? [tok]);
  return { tokens, comments, problems, index, invalid };
}

// ---- The token stream for the language server (semantic highlighting, completion context). ----

export type SidTokenKind = 'keyword' | 'name' | 'number' | 'string' | 'unit' | 'operator' | 'punctuation' | 'comment' | 'invalid';

export interface SidToken {
  kind: SidTokenKind;
  /** The chevrotain token name: 'Ident', 'Kw_recipe', 'Kw_px', 'Number', 'LCurly', 'LineComment', ... */
  type: string;
  image: string;
  range: Range;
}

const OPERATORS = new Set<TokenType>([T.Plus, T.Minus, T.Star, T.Slash, T.Caret, T.Equals, T.X]);

function kindOf(t: TokenType): SidTokenKind {
  if (t === T.NumberTok) return 'number';
  if (t === T.InvalidNumber) return 'invalid';
  if (t === T.StringTok || t === T.UnterminatedString) return 'string';
  if (t === T.Ident) return 'name';
  if (OPERATORS.has(t)) return 'operator';
  if (T.UNIT_TOKENS.includes(t)) return 'unit';
  if (T.KEYWORDS.includes(t)) return 'keyword';
  return 'punctuation';
}

/**
 * Every token of `text` in source order, comments and invalid characters included. Contextual keywords
 * used as keys (`after = 1`) are reported as 'keyword' here; the parser's AST says how they were used.
 */
export function tokenize(text: string, file = '<input>'): SidToken[] {
  const r = lex(text, file);
  const all: SidToken[] = r.tokens.map((tok) => ({
    kind: kindOf(tok.tokenType),
    type: tok.tokenType.name,
    image: tok.image,
    range: r.index.range(tok.startOffset, tok.startOffset + tok.image.length),
  }));
  for (const c of r.comments) all.push({ kind: 'comment', type: c.block ? 'BlockComment' : 'LineComment', image: c.text, range: c.loc.range });
  for (const e of r.invalid) {
    all.push({ kind: 'invalid', type: 'Invalid', image: text.substr(e.offset, e.length), range: r.index.range(e.offset, e.offset + e.length) });
  }
  return all.sort((a, b) => a.range.start.offset - b.range.start.offset);
}
