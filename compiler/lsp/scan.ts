// The language server's view of the token stream: the grammar's own lexer (grammar/lexer.ts `tokenize`),
// folded into five kinds that the cursor questions ("what is under / before the cursor?") need. The lexer
// never throws on broken input (an unterminated string, half a number), so completion works mid-edit.
import { tokenize } from '../../grammar/index.js';
import { LineMap } from '../util/loc.js';

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'comment';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number; // offset of the first character
  end: number; // offset after the last character
}

export function scan(text: string): Token[] {
  return tokenize(text).map((t) => ({
    // `x` (8 x gpu) is an operator to the lexer but a word to the reader: hover explains it like a keyword
    kind:
      /^[A-Za-z_]/.test(t.image) && t.kind !== 'comment' && t.kind !== 'string'
        ? 'ident'
        : (KINDS[t.kind] ?? (t.type === 'InvalidNumber' ? 'number' : 'punct')),
    text: t.image,
    start: t.range.start.offset,
    end: t.range.end.offset,
  }));
}

const KINDS: Record<string, TokenKind | undefined> = {
  keyword: 'ident',
  name: 'ident',
  unit: 'ident',
  number: 'number',
  string: 'string',
  comment: 'comment',
  operator: 'punct',
  punctuation: 'punct',
};

/** Offset <-> zero-based line/character (UTF-16 units, as LSP and JavaScript strings count them): the
 * compiler's LineMap under LSP's names. */
export class LineIndex extends LineMap {
  offsetAt(line: number, character: number): number {
    return this.offset(line, character);
  }
  positionAt(offset: number): { line: number; character: number } {
    const p = this.position(offset);
    return { line: p.line, character: p.column };
  }
}
