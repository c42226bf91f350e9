// Small helpers for source locations: positions from offsets, pseudo locations for things that have
// no file (CLI arguments, defaults), and "file:line:col" strings (1-based, as printed to people).
import type { Loc, Position, Range } from '../../grammar/ast.js';

/** Maps offsets of one text to zero-based line/column positions. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: o - this.starts[lo]!, offset: o };
  }
  /** The offset of a zero-based line/column, clamped to that line (its end when the column is past it). */
  offset(line: number, column: number): number {
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, line)]!;
    const next = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return Math.min(start + column, next);
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  lineText(line: number): string {
    const s = this.starts[line] ?? this.text.length;
    const e = this.starts[line + 1] ?? this.text.length + 1;
    return this.text.slice(s, e - 1).replace(/\r$/, '');
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

export function pointLoc(file: string, offset = 0, line = 0, column = 0): Loc {
  const p = { line, column, offset };
  return { file, range: { start: p, end: { ...p } } };
}

/** `file:line:col` with 1-based line and column. */
export function locString(loc: Loc): string {
  return `${loc.file}:${loc.range.start.line + 1}:${loc.range.start.column + 1}`;
}

/** A loc spanning from the start of `a` to the end of `b` (same file). */
export function spanLoc(a: Loc, b: Loc): Loc {
  return { file: a.file, range: { start: a.range.start, end: b.range.end } };
}

/** Shift every `loc` in an AST subtree by `delta` characters on the first line (values of `--set k=v`). */
export function shiftLocs<T>(node: T, delta: number, file: string): T {
  const seen = new Set<unknown>();
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    const o = x as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'loc' || k === 'unitLoc') && v && typeof v === 'object' && 'range' in v) {
        const l = v as Loc;
        const sh = (p: Position): Position => ({ line: p.line, column: p.line === 0 ? p.column + delta : p.column, offset: p.offset + delta });
        o[k] = { file, range: { start: sh(l.range.start), end: sh(l.range.end) } };
      } else visit(v);
    }
  };
  visit(node);
  return node;
}
