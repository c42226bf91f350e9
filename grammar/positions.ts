// Offsets -> zero-based line/column (LSP convention: columns count UTF-16 code units, as JS strings do).
import type { Loc, Position, Range } from './ast.js';

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1); // lone \r
    }
  }

  private lastLine = 0; // parsers ask in nearly increasing order: try the last line and its next first

  position(offset: number): Position {
    const starts = this.starts;
    const last = this.lastLine;
    if (starts[last]! <= offset) {
      if (last + 1 >= starts.length || offset < starts[last + 1]!) return { line: last, column: offset - starts[last]!, offset };
      if (last + 2 >= starts.length || offset < starts[last + 2]!) {
        this.lastLine = last + 1;
        return { line: last + 1, column: offset - starts[last + 1]!, offset };
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return { line: lo, column: offset - starts[lo]!, offset };
  }

  /** Half-open [start, end) from absolute offsets. */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  loc(start: number, end: number): Loc {
    return { file: this.file, range: this.range(start, end) };
  }
}
