// The canonical .sid format (`sidc fmt`, the language server's formatting). docs/language.md states the
// rules; in short: 2-space indentation, one entry per line, sections always multi-line (`{}` when empty),
// no `;`, spaces around `=` and binary operators (except `^` and number/number fractions like 1/3),
// `, ` separators, numbers as written, strings re-escaped, parentheses kept, one blank line between
// top-level items, blank lines inside blocks kept (at most one), and every comment kept in its place.
// The printer recurses per tree level; parser.ts bounds the depth (MAX_NESTING), also for partial trees.
//
// Comments are not in the tree: the printer walks the tree in source order with a cursor into the
// file's comment list and emits each comment when it reaches the comment's offset - on its own line
// between items, at the end of the line when it followed something on the same line, inline (block
// comments) or moved to the end of the line (line comments) inside an expression.
import type * as A from './ast.js';
import { quoteString } from './literals.js';
import { parseSid } from './parse.js';

const INDENT = '  ';

class Writer {
  private readonly lines: string[] = [];
  private cur = '';
  private started = false;
  private pending: string[] = []; // comments waiting for the end of the current line
  indent = 0;

  write(s: string): void {
    if (!this.started) {
      this.cur = INDENT.repeat(this.indent);
      this.started = true;
    }
    this.cur += s;
  }

  /** A comment that goes at the end of the current line (or on its own line when none is open). */
  endOfLine(text: string): void {
    if (this.started) this.pending.push(text);
    else {
      this.write(text);
      this.newline();
    }
  }

  /** True when a `//` comment waits for the end of the line: nothing may be written after it on this line. */
  lineCommentPending(): boolean {
    return this.pending.some((p) => p.startsWith('//'));
  }

  newline(): void {
    // Pending comments go at the end of the line up to the first `//` one; the rest get their own lines.
    let i = 0;
    while (i < this.pending.length) {
      const p = this.pending[i++]!;
      this.cur += this.started ? ` ${p}` : p;
      this.started = true;
      if (p.startsWith('//')) break;
    }
    this.overflow.push(...this.pending.slice(i));
    this.pending = [];
    this.lines.push(this.started ? this.cur.trimEnd() : '');
    this.cur = '';
    this.started = false;
  }

  /** Comments that could not stay on their line (after a `//`): the printer puts them before the next item. */
  private overflow: string[] = [];
  takeOverflow(): string[] {
    const o = this.overflow;
    this.overflow = [];
    return o;
  }

  blank(): void {
    if (this.started) this.newline();
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  text(): string {
    if (this.started || this.pending.length > 0) this.newline();
    for (const o of this.takeOverflow()) this.lines.push(o);
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}

const startOf = (n: { loc: A.Loc }): A.Position => n.loc.range.start;
const endOf = (n: { loc: A.Loc }): A.Position => n.loc.range.end;

interface ListOptions<T> {
  /** Line of the opening `{`/`[` (its trailing comments stay there); -1 for the file. */
  openLine: number;
  /** Offset of the closing `}`/`]` (or the end of the file): comments before it belong to the list. */
  closeOffset: number;
  print: (item: T) => void;
  /** Blank line between two items: 'always' (top level, but consecutive imports keep the source's choice) or 'source'. */
  blankLines: 'top' | 'source';
  separator?: string;
}

class Printer {
  private readonly w = new Writer();
  private ci = 0; // next comment not yet printed

  private readonly commentEnds = new Map<number, number>();

  /** `source` (the parsed text) lets comments between a keyword or operator and its neighbours stay on their side of it. */
  constructor(
    private readonly comments: readonly A.Comment[],
    private readonly source = '',
  ) {
    for (const c of comments) this.commentEnds.set(c.loc.range.start.offset, c.loc.range.end.offset);
  }

  /** Offset of `word` as the next token at or after `from` (skipping blanks and comments), if the source says so. */
  private find(from: number, word: string): number | undefined {
    const src = this.source;
    let pos = from;
    while (pos < src.length) {
      const ch = src.charCodeAt(pos);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13) pos++;
      else {
        const end = this.commentEnds.get(pos);
        if (end === undefined) break;
        pos = end;
      }
    }
    return pos < src.length && src.startsWith(word, pos) ? pos : undefined;
  }

  /** Prints the comments that come before the token `word` (found after `from`). */
  private before(word: string, from: number, closer = false): void {
    const at = this.find(from, word);
    if (at !== undefined) this.inline(at, closer);
  }

  /** One expression in canonical form, on one line (multi-line lists aside). */
  expression(e: A.Expr): string {
    this.expr(e);
    return this.w.text().replace(/\n$/, '');
  }

  run(file: A.SidFile): string {
    this.w.indent = 0;
    this.list(file.items, {
      openLine: -1,
      closeOffset: Number.POSITIVE_INFINITY,
      print: (item) => this.topLevel(item),
      blankLines: 'top',
    });
    return this.w.text();
  }

  // ---- comments ----
  private next(before: number): A.Comment | undefined {
    const c = this.comments[this.ci];
    return c !== undefined && c.loc.range.start.offset < before ? c : undefined;
  }

  /** Comments before `offset` inside a line: block comments in place, line comments to the end of the line. */
  private inline(offset: number, beforeCloser = false): void {
    for (let c = this.next(offset); c !== undefined; c = this.next(offset)) {
      this.ci++;
      if (!c.block || this.w.lineCommentPending()) this.w.endOfLine(c.text);
      else if (beforeCloser) this.w.write(` ${c.text}`);
      else this.w.write(`${c.text} `);
    }
  }

  /** Will `inline(offset)` write a block comment in place (rather than move everything to the line's end)? */
  private blockCommentInline(offset: number): boolean {
    if (this.w.lineCommentPending()) return false;
    const c = this.next(offset);
    return c?.block === true;
  }

  /** Comments on `line` before `limit`: they stay at the end of that line. */
  private trailing(line: number, limit: number): number {
    let last = line;
    for (let c = this.next(limit); c !== undefined && c.loc.range.start.line === line; c = this.next(limit)) {
      this.ci++;
      this.w.endOfLine(c.text);
      last = c.loc.range.end.line;
    }
    return last;
  }

  // ---- lists of items: the file, blocks, sweeps, grid/zip groups, multi-line lists ----
  private list<T extends { loc: A.Loc; kind: string }>(items: readonly T[], o: ListOptions<T>): void {
    let prevEnd = o.openLine;
    let prevKind: string | undefined;
    const firstLimit = items[0] !== undefined ? startOf(items[0]).offset : o.closeOffset;
    if (o.openLine >= 0) {
      prevEnd = this.trailing(o.openLine, firstLimit);
      this.w.newline();
    }
    const own = (c: A.Comment, needBlank: boolean): void => {
      if (needBlank) this.w.blank();
      this.w.write(c.text);
      this.w.newline();
      prevEnd = endOf(c).line;
    };
    /** Comments that overflowed the previous line are printed as if they led the next item (as they will when re-read). */
    const overflow = (blankFirst: boolean): boolean => {
      const texts = this.w.takeOverflow();
      texts.forEach((text, k) => {
        if (k === 0 && blankFirst) this.w.blank();
        this.w.write(text);
        this.w.newline();
      });
      return texts.length > 0;
    };
    items.forEach((item, i) => {
      const start = startOf(item);
      let firstOfItem = true;
      if (overflow(o.blankLines === 'top' && i > 0 && !(prevKind === 'Import' && item.kind === 'Import'))) firstOfItem = false;
      const separated = (line: number): boolean => {
        const gap = line > prevEnd + 1;
        if (i === 0 && prevKind === undefined) return gap && prevEnd >= 0 && !firstOfItem; // nothing before: no blank at the top
        if (!firstOfItem) return gap;
        if (o.blankLines === 'top') return !(prevKind === 'Import' && item.kind === 'Import') || gap;
        return gap;
      };
      for (let c = this.next(start.offset); c !== undefined; c = this.next(start.offset)) {
        this.ci++;
        own(c, separated(startOf(c).line));
        firstOfItem = false;
      }
      if (separated(start.line)) this.w.blank();
      o.print(item);
      this.inline(endOf(item).offset); // anything left inside the item (defensive)
      if (o.separator !== undefined) this.w.write(o.separator);
      const nextLimit = items[i + 1] !== undefined ? startOf(items[i + 1]!).offset : o.closeOffset;
      prevEnd = Math.max(endOf(item).line, this.trailing(endOf(item).line, nextLimit));
      this.w.newline();
      prevKind = item.kind;
    });
    overflow(false);
    for (let c = this.next(o.closeOffset); c !== undefined; c = this.next(o.closeOffset)) {
      this.ci++;
      own(c, prevKind !== undefined || o.openLine < 0 ? startOf(c).line > prevEnd + 1 && prevEnd >= 0 : false);
    }
  }

  private tok(text: string, offset: number): void {
    this.inline(offset);
    this.w.write(text);
  }

  private ident(id: A.Ident): void {
    this.tok(id.name, startOf(id).offset);
  }

  // ---- top level ----
  private topLevel(item: A.TopLevel): void {
    switch (item.kind) {
      case 'Import':
        this.w.write('import ');
        this.expr(item.path);
        return;
      case 'Recipe':
        if (item.abstract) {
          this.w.write('abstract ');
          this.before('recipe', startOf(item).offset + 'abstract'.length);
        }
        this.w.write('recipe ');
        this.ident(item.name);
        if (item.extends !== undefined) {
          this.w.write(' ');
          this.before('extends', endOf(item.name).offset);
          this.w.write('extends ');
          this.ident(item.extends);
        }
        this.block(item.body);
        return;
      case 'Sweep':
        this.w.write('sweep ');
        this.ident(item.name);
        this.w.write(' ');
        this.before('over', endOf(item.name).offset);
        this.w.write('over ');
        this.ident(item.over);
        this.before('{', endOf(item.over).offset, true);
        this.braced(item.loc, item.items, (s) => this.sweepItem(s), endOf(item.over));
        return;
    }
  }

  /** ` { items }`: `open` is where the `{` is (or, for sweeps and groups, the end of the header before it). */
  private braced<T extends { loc: A.Loc; kind: string }>(loc: A.Loc, items: readonly T[], print: (item: T) => void, open: A.Position): void {
    const closeOffset = loc.range.end.offset - 1;
    this.inline(open.offset);
    if (items.length === 0 && this.next(closeOffset) === undefined) {
      this.w.write(' {}');
      return;
    }
    this.w.write(' {');
    this.w.indent++;
    this.list(items, { openLine: open.line, closeOffset, print, blankLines: 'source' });
    this.w.indent--;
    this.inline(closeOffset);
    this.w.write('}');
  }

  private block(b: A.Block): void {
    this.braced(b.loc, b.entries, (e) => this.entry(e), startOf(b));
  }

  // ---- entries ----
  private entry(e: A.Entry): void {
    switch (e.kind) {
      case 'Assign':
        this.path(e.path);
        this.w.write(' ');
        this.before('=', endOf(e.path).offset);
        this.w.write('= ');
        this.expr(e.value);
        return;
      case 'FuncDef': {
        this.ident(e.name);
        this.before('(', endOf(e.name).offset, true);
        this.w.write('(');
        this.ident(e.param);
        const rp = this.find(endOf(e.param).offset, ')');
        if (rp !== undefined) this.inline(rp, true);
        this.w.write(') ');
        if (rp !== undefined) this.before('=', rp + 1);
        this.w.write('= ');
        this.expr(e.body);
        return;
      }
      case 'Section':
        this.ident(e.name);
        if (e.label !== undefined) {
          this.w.write(' ');
          this.ident(e.label);
        }
        this.block(e.body);
        return;
      case 'Stage':
        this.w.write('stage ');
        this.ident(e.name);
        e.after.forEach((a, i) => {
          if (i === 0) {
            this.w.write(' ');
            this.before('after', endOf(e.name).offset);
            this.w.write('after ');
          } else {
            this.before(',', endOf(e.after[i - 1]!).offset, true);
            this.w.write(', ');
          }
          this.ident(a);
        });
        this.block(e.body);
        return;
    }
  }

  private path(p: A.Path): void {
    p.segments.forEach((s, i) => {
      if (i > 0) this.w.write('.');
      this.ident(s);
    });
  }

  private sweepItem(s: A.SweepItem): void {
    if (s.kind === 'Axis') {
      this.path(s.path);
      this.w.write(' ');
      this.before('in', endOf(s.path).offset);
      this.w.write('in ');
      this.expr(s.values);
      return;
    }
    this.tok(s.mode, startOf(s).offset);
    this.before('{', startOf(s).offset + s.mode.length, true);
    this.braced(s.loc, s.axes, (a) => this.sweepItem(a), this.groupOpen(s));
  }

  /** The `{` of `grid {` is not in the tree: the keyword's end stands for it. */
  private groupOpen(g: A.AxisGroup): A.Position {
    const start = startOf(g);
    return { line: start.line, column: start.column + g.mode.length, offset: start.offset + g.mode.length };
  }

  // ---- expressions ----
  private expr(e: A.Expr): void {
    this.inline(startOf(e).offset);
    switch (e.kind) {
      case 'Number':
        this.w.write(e.text);
        return;
      case 'String':
        this.w.write(quoteString(e.value));
        return;
      case 'Bool':
        this.w.write(e.value ? 'true' : 'false');
        return;
      case 'IdentExpr':
        this.w.write(e.name);
        return;
      case 'Call':
        this.w.write(e.callee.name);
        this.before('(', endOf(e.callee).offset, true);
        this.w.write('(');
        this.commaList(e.args);
        this.inline(endOf(e).offset - 1, true);
        this.w.write(')');
        return;
      case 'Tuple':
        this.w.write('(');
        this.commaList(e.elements);
        this.inline(endOf(e).offset - 1, true);
        this.w.write(')');
        return;
      case 'Paren':
        this.w.write('(');
        this.expr(e.inner);
        this.inline(endOf(e).offset - 1, true);
        this.w.write(')');
        return;
      case 'List':
        this.listExpr(e);
        return;
      case 'Binary': {
        this.expr(e.left);
        // `t^2` and `1/3` are written tight - unless a comment sits there (and never `1//* c */3`).
        const fraction = e.op === '/' && e.left.kind === 'Number' && e.right.kind === 'Number';
        const tight = (e.op === '^' || fraction) && !this.blockCommentInline(startOf(e.right).offset);
        const op = this.find(endOf(e.left).offset, e.op);
        if (!tight) this.w.write(' ');
        if (op !== undefined) this.inline(op);
        this.w.write(tight ? e.op : `${e.op} `);
        this.expr(e.right);
        return;
      }
      case 'Unary':
        this.w.write('-');
        this.expr(e.operand);
        return;
      case 'UnitExpr':
        this.expr(e.value);
        this.w.write(' ');
        this.tok(e.unit, e.unitLoc.range.start.offset);
        return;
      case 'Restrict':
        this.expr(e.value);
        this.w.write(' ');
        this.before('on', endOf(e.value).offset);
        this.w.write('on ');
        this.expr(e.interval);
        return;
    }
  }

  private commaList(xs: readonly A.Expr[]): void {
    xs.forEach((x, i) => {
      if (i > 0) {
        this.before(',', endOf(xs[i - 1]!).offset, true);
        this.w.write(', ');
      }
      this.expr(x);
    });
  }

  /** Whether a list prints one element per line: its first element is on a later line, or a list inside does so. */
  private multiLine(e: A.Expr): boolean {
    switch (e.kind) {
      case 'List':
        return (e.elements[0] !== undefined && startOf(e.elements[0]).line > startOf(e).line) || e.elements.some((x) => this.multiLine(x));
      case 'Call':
        return e.args.some((x) => this.multiLine(x));
      case 'Tuple':
        return e.elements.some((x) => this.multiLine(x));
      case 'Binary':
        return this.multiLine(e.left) || this.multiLine(e.right);
      case 'Unary':
        return this.multiLine(e.operand);
      case 'Paren':
        return this.multiLine(e.inner);
      case 'UnitExpr':
        return this.multiLine(e.value);
      case 'Restrict':
        return this.multiLine(e.value) || this.multiLine(e.interval);
      default:
        return false;
    }
  }

  /** One line, unless the source put the first element on a new line or a comment is inside: then one element per line. */
  private listExpr(l: A.ListExpr): void {
    const close = endOf(l).offset - 1;
    const first = l.elements[0];
    const multi = first !== undefined && (this.next(close) !== undefined || this.multiLine(l));
    this.w.write('[');
    if (!multi) {
      this.commaList(l.elements);
      this.inline(close, true);
      this.w.write(']');
      return;
    }
    this.w.indent++;
    this.list(l.elements, { openLine: startOf(l).line, closeOffset: close, print: (x) => this.expr(x), blankLines: 'source', separator: ',' });
    this.w.indent--;
    this.w.write(']');
  }
}

/** The canonical text of a parsed file; `source` is the text it was parsed from (for the exact place of comments). */
export function printSid(file: A.SidFile, source: string): string {
  return new Printer(file.comments, source).run(file);
}

/** An expression in canonical form (`8 x gpu(80 GB)`, `(0, 1/3)`), e.g. for fixes and messages. Comments are not kept. */
export function printExpression(e: A.Expr): string {
  return new Printer([]).expression(e);
}

/** Parse and print. With syntax errors the text comes back unchanged, with the problems. */
export function formatSid(text: string, file: string): { text: string; problems: A.SyntaxProblem[] } {
  const r = parseSid(text, file);
  return { text: r.problems.length > 0 ? text : printSid(r.file, text), problems: r.problems };
}
