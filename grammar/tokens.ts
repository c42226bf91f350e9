// The .sid token vocabulary (chevrotain token types). One place for every keyword, unit and operator,
// so the lexer, the parser and the language server's token kinds cannot drift apart.
//
// Keyword policy: newlines are not significant, so every keyword that could also be a key is
// contextual - it belongs to the `Name` category and may appear wherever a key or section name is
// expected (`data.images = "..."`, `after = 1`). Only the four top-level keywords (import, abstract,
// recipe, sweep) and true/false are reserved. In expressions, `x` is the count operator and units are
// suffixes, so neither can be a bare value there.
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { UNITS } from './ast.js';

// Categories (abstract: they match no text themselves).
/** Anything usable as a key, a section name or a label. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
/** Anything usable as a bare value in an expression (Name minus `x` and the units). */
export const ValueName = createToken({ name: 'ValueName', pattern: Lexer.NA, label: 'a name' });
export const NumberLit = createToken({ name: 'NumberLit', pattern: Lexer.NA, label: 'a number' });
export const StringLit = createToken({ name: 'StringLit', pattern: Lexer.NA, label: 'a string' });
export const UnitTok = createToken({ name: 'Unit', pattern: Lexer.NA, label: 'a unit' });

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true });
/** `/*` without its `*\/`: runs to the end of the file; the lexer reports it. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'comments', line_breaks: true });

export const StringTok = createToken({ name: 'String', pattern: /"(?:[^"\\\r\n]|\\.)*"/, categories: [StringLit], label: 'a string' });
/** A string missing its closing quote on the same line: still a string for the parser, plus a problem. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\.)*\\?/, categories: [StringLit], label: 'a string' });

// Numbers: the lexer takes the whole run of number-like characters (`3kk`, `1e`, `512px`) and splits it
// into a valid number or one invalid-number token, so a typo gives one precise problem, not a cascade.
const NUMBER_RUN = /\d(?:[A-Za-z0-9_.]|(?<=[eE])[+-])*/y;
export const VALID_NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[kM]?$/;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
function numberRun(text: string, offset: number, valid: boolean): RegExpExecArray | null {
  NUMBER_RUN.lastIndex = offset;
  const m = NUMBER_RUN.exec(text);
  if (m === null) return null;
  return VALID_NUMBER.test(m[0]) === valid ? m : null;
}
export const NumberTok = createToken({
  name: 'Number',
  pattern: { exec: (t: string, o: number) => numberRun(t, o, true) },
  start_chars_hint: DIGITS,
  line_breaks: false,
  categories: [NumberLit],
  label: 'a number',
});
export const InvalidNumber = createToken({
  name: 'InvalidNumber',
  pattern: { exec: (t: string, o: number) => numberRun(t, o, false) },
  start_chars_hint: DIGITS,
  line_breaks: false,
  categories: [NumberLit],
  label: 'a number',
});

export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name, ValueName], label: 'a name' });

function keyword(word: string, categories: TokenType[]): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: new RegExp(word), longer_alt: Ident, categories, label: `'${word}'` });
}
// Reserved.
export const Import = keyword('import', []);
export const Abstract = keyword('abstract', []);
export const Recipe = keyword('recipe', []);
export const Sweep = keyword('sweep', []);
export const True = keyword('true', []);
export const False = keyword('false', []);
// Contextual: keys and values too.
export const Extends = keyword('extends', [Name, ValueName]);
export const Over = keyword('over', [Name, ValueName]);
export const Stage = keyword('stage', [Name, ValueName]);
export const After = keyword('after', [Name, ValueName]);
export const In = keyword('in', [Name, ValueName]);
export const Grid = keyword('grid', [Name, ValueName]);
export const Zip = keyword('zip', [Name, ValueName]);
export const On = keyword('on', [Name, ValueName]);
// Keys, but not values: `x` is the count operator, units are suffixes.
export const X = keyword('x', [Name]);
export const UNIT_TOKENS: TokenType[] = UNITS.map((u) => keyword(u, [Name, UnitTok]));

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Semi = createToken({ name: 'Semi', pattern: ';', label: "';'" });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: "'='" });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: "'.'" });
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: '-', label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: '*', label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: '/', label: "'/'" });
export const Caret = createToken({ name: 'Caret', pattern: '^', label: "'^'" });

export const KEYWORDS: TokenType[] = [Import, Abstract, Recipe, Sweep, True, False, Extends, Over, Stage, After, In, Grid, Zip, On, X];

/** Lexer order matters: comments before `/`, keywords (with longer_alt) before Ident, valid before invalid. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringTok,
  UnterminatedString,
  NumberTok,
  InvalidNumber,
  ...KEYWORDS,
  ...UNIT_TOKENS,
  Ident,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semi,
  Equals,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  Caret,
  Name,
  ValueName,
  NumberLit,
  StringLit,
  UnitTok,
];
