// The language server's view of the token stream: the grammar's own lexer (grammar/lexer.ts `tokenize`),
// folded into five kinds that the cursor questions ("what is under / before the cursor?") need. The lexer
// never throws on broken input (an unterminated string, half a number), so completion works mid-edit.
import { tokenize } from '../../grammar/index.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'comment';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number; // offset of the first character
  end: number; // offset after the last character
}

export function scan(text: string): Token[] {
  return tokenize(text).map((t) => ({
    // `x` (8 x gpu) is an operator to the lexer but a word to the reader: hover explains it like a keyword
    kind: /^[A-Za-z_]/.test(t.image) && t.kind !== 'comment' && t.kind !== 'string' ? 'ident' : (KINDS[t.kind] ?? (t.type === 'InvalidNumber' ? 'number' : 'punct')),
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

/** Offset <-> zero-based line/character (UTF-16 units, as LSP and JavaScript strings count them). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  offsetAt(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, line)]!;
    const next = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return Math.min(start + character, next);
  }
  positionAt(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }
}
