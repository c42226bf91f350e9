// Tokens -> AST, with error recovery. One chevrotain EmbeddedActionsParser, built once (module singleton).
//
// Recovery (see README.md): chevrotain's own re-sync is off; instead every list of items (top-level
// items, block entries, sweep items, grid/zip axes) is parsed by `items()`, which catches a failed item,
// records one problem and skips to the next plausible item start: a `;`, the closing `}`, or a token that
// begins a line and looks like the start of an item (`key =`, `key.`, `key {`, `stage name`). Blocks never
// throw (a missing `}` is a problem, not an exception), so a broken entry loses only itself.
import { EmbeddedActionsParser, EOF, isRecognitionException, MismatchedTokenException, NoViableAltException, tokenMatcher } from 'chevrotain';
import type { IOrAlt, IParserErrorMessageProvider, IRecognitionException, IToken, OrMethodOpts, TokenType } from 'chevrotain';
import type * as A from './ast.js';
import type { LineIndex } from './positions.js';
import * as T from './tokens.js';

/** Set by the message provider right before chevrotain throws: what the failed rule wanted. */
const side = { expected: [] as string[] };

const label = (t: TokenType): string => t.LABEL ?? t.name;
export const describe = (tok: IToken): string => (tok.tokenType === EOF ? 'end of file' : `'${tok.image}'`);
const unique = (xs: string[]): string[] => [...new Set(xs)];

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    side.expected = [label(expected)];
    return `expected ${label(expected)}, found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    side.expected = ['end of file'];
    return `unexpected ${describe(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, customUserDescription }) {
    side.expected = unique(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => (path[0] ? label(path[0]) : ''))).filter((s) => s));
    return `expected ${customUserDescription ?? side.expected.join(' or ')}, found ${describe(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, customUserDescription }) {
    side.expected = unique(expectedIterationPaths.map((p) => (p[0] ? label(p[0]) : '')).filter((s) => s));
    return `expected ${customUserDescription ?? side.expected.join(' or ')}, found ${describe(actual[0]!)}`;
  },
};

/**
 * The deepest nesting the parser accepts: blocks, brackets, calls, unary minus, `^` and each operator of a
 * chain (`1+1+1`) count one level. The parser recurses per level, and every later stage (evaluator,
 * printer, language server) walks the tree recursively, so a bound here keeps all of them inside the
 * stack: chevrotain overflows a 1 MB stack at a few hundred levels; real recipes nest fewer than ten.
 */
export const MAX_NESTING = 100;

/** Thrown one level past MAX_NESTING; `items()` reports it (reason too_deep) and skips the item. */
class NestingTooDeep extends NoViableAltException {}

type Where = 'file' | 'block' | 'sweep';
const TOP_KEYWORDS = new Set<TokenType>([T.Import, T.Abstract, T.Recipe, T.Sweep]);
const is = (tok: IToken, t: TokenType): boolean => tokenMatcher(tok, t);
const endOf = (tok: IToken): number => tok.startOffset + tok.image.length;

class SidParser extends EmbeddedActionsParser {
  ix!: LineIndex;
  problems: A.SyntaxProblem[] = [];
  /** Current nesting level (see MAX_NESTING); restored where an item's exception is caught. */
  private depth = 0;

  constructor() {
    super(T.ALL_TOKENS, { maxLookahead: 3, recoveryEnabled: false, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  begin(tokens: IToken[], ix: LineIndex): void {
    this.ix = ix;
    this.problems = [];
    this.depth = 0;
    this.input = tokens;
  }

  /** One level deeper at `at` (the token that opens it); throws past MAX_NESTING. Pair with `this.depth--`. */
  private deeper(at: IToken): void {
    if (this.RECORDING_PHASE || ++this.depth <= MAX_NESTING) return;
    side.expected = [];
    throw new NestingTooDeep(
      `nested more than ${MAX_NESTING} levels deep (blocks, brackets, calls, unary minus, ^ and each operator of a chain count one level)`,
      at,
      this.LA(0),
    );
  }

  // ---- locations ----
  private tokLoc(tok: IToken): A.Loc {
    return this.ix.loc(tok.startOffset, endOf(tok));
  }
  private span(from: { loc: A.Loc } | IToken, to: { loc: A.Loc } | IToken): A.Loc {
    const start = 'loc' in from ? from.loc.range.start : this.ix.position(from.startOffset);
    const end = 'loc' in to ? to.loc.range.end : this.ix.position(endOf(to));
    return { file: this.ix.file, range: { start, end } };
  }
  private ident(tok: IToken): A.Ident {
    return { kind: 'Ident', name: tok.image, loc: this.tokLoc(tok) };
  }

  // ---- problems ----
  /**
   * A problem at `found`. When the parser wanted something between two tokens and the found token is on
   * a later line (or is the end of the file), point at the end of the previous token instead: that is
   * where the missing piece goes.
   */
  private problem(reason: A.SyntaxReason, message: string, found: IToken, expected?: string[], atFound = false): void {
    const prev = this.LA(0);
    let start = found.startOffset;
    let end = endOf(found);
    const eof = found.tokenType === EOF;
    if (!atFound && prev !== undefined && prev.tokenType !== EOF && !Number.isNaN(prev.startOffset)) {
      const sameLine = !eof && this.ix.position(endOf(prev)).line === this.ix.position(found.startOffset).line;
      if (!sameLine) start = end = endOf(prev);
    } else if (eof) {
      start = end = this.ix.text.length;
    }
    const p: A.SyntaxProblem = { reason: eof ? 'unexpected_eof' : reason, message, loc: this.ix.loc(start, end), found: eof ? 'end of file' : found.image };
    if (expected !== undefined) p.expected = expected;
    this.problems.push(p);
  }

  private fromException(e: IRecognitionException): void {
    const missing = e.name === 'MismatchedTokenException';
    if (e instanceof NestingTooDeep) this.problem('too_deep', e.message, e.token, undefined, true);
    else this.problem(missing ? 'missing_token' : 'unexpected_token', e.message, e.token, side.expected);
  }

  /** Is `tok` a plausible start of the next item, so that skipping can stop there? */
  private isItemStart(where: Where): boolean {
    const tok = this.LA(1);
    if (TOP_KEYWORDS.has(tok.tokenType)) return true;
    if (where === 'file' || !is(tok, T.Name)) return false;
    const prev = this.LA(0);
    if (prev !== undefined && prev.tokenType !== EOF && this.ix.position(endOf(prev)).line === this.ix.position(tok.startOffset).line) return false;
    const next = this.LA(2);
    if (where === 'sweep') return is(next, T.In) || is(next, T.Dot) || is(next, T.LCurly);
    return is(next, T.Equals) || is(next, T.Dot) || is(next, T.LCurly) || is(next, T.LParen) || is(next, T.Name);
  }

  /** Skips one token, keeping brackets balanced (a skipped `{` skips through its `}`). */
  private skipOne(): void {
    const open = this.LA(1).tokenType;
    this.SKIP_TOKEN();
    const close = open === T.LCurly ? T.RCurly : open === T.LParen ? T.RParen : open === T.LBracket ? T.RBracket : undefined;
    if (close === undefined) return;
    let depth = 1;
    while (depth > 0 && this.LA(1).tokenType !== EOF) {
      const t = this.LA(1).tokenType;
      if (t === open) depth++;
      else if (t === close) depth--;
      this.SKIP_TOKEN();
    }
  }

  /**
   * Runs `body` (a MANY over the items of a list) until the list's end: the closing `}` (blocks, sweeps)
   * or the end of the file. A failed item or a token that starts no item is reported once, then
   * skipped up to the next item start.
   */
  private items(where: Where, body: () => void): void {
    for (;;) {
      const before = this.RECORDING_PHASE ? undefined : this.LA(1);
      const depth = this.depth;
      let failed = false;
      try {
        body();
      } catch (e) {
        if (!isRecognitionException(e as Error)) throw e;
        this.depth = depth;
        this.fromException(e as IRecognitionException);
        failed = true;
      }
      if (this.RECORDING_PHASE) return;
      const tok = this.LA(1);
      if (tok.tokenType === EOF || (where !== 'file' && (tok.tokenType === T.RCurly || this.isItemStart('file')))) return;
      if (!failed) {
        const what =
          where === 'file'
            ? "'import', 'recipe' or 'sweep'"
            : where === 'sweep'
              ? "an axis ('key in [...]'), 'grid { ... }', 'zip { ... }' or '}'"
              : "an entry ('key = value', 'section { ... }', 'stage name { ... }') or '}'";
        this.problem('unexpected_token', `expected ${what}, found ${describe(tok)}`, tok, [what], true);
      }
      if (this.LA(1) === before || !failed) this.skipOne();
      while (this.LA(1).tokenType !== EOF && this.LA(1).tokenType !== T.Semi && this.LA(1).tokenType !== T.RCurly && !this.isItemStart(where)) this.skipOne();
    }
  }

  /** `}` closing a block opened by `open`; a missing one is a problem, never an exception. */
  private close(open: IToken): IToken | undefined {
    let close: IToken | undefined;
    this.OPTION9(() => {
      close = this.CONSUME9(T.RCurly);
    });
    this.ACTION(() => {
      if (close === undefined) {
        const line = this.ix.position(open.startOffset).line + 1;
        this.problem('missing_token', `expected '}' to close the '{' of line ${line}, found ${describe(this.LA(1))}`, this.LA(1), ["'}'"]);
      }
    });
    return close;
  }

  // ---- top level ----
  public file = this.RULE('file', (): A.TopLevel[] => {
    const items: A.TopLevel[] = [];
    this.items('file', () => {
      this.MANY(() => {
        const item = this.OR([
          { ALT: () => this.SUBRULE(this.importDecl) },
          { ALT: () => this.SUBRULE(this.recipe) },
          { ALT: () => this.SUBRULE(this.sweep) },
          { ALT: () => this.CONSUME(T.Semi) },
        ]);
        this.ACTION(() => {
          if (!('image' in item)) items.push(item);
        });
      });
    });
    return items;
  });

  public importDecl = this.RULE('importDecl', (): A.Import => {
    const kw = this.CONSUME(T.Import);
    const path = this.CONSUME(T.StringLit);
    return this.ACTION(() => ({ kind: 'Import', path: this.str(path), loc: this.span(kw, path) })) as A.Import;
  });

  // Header names are optional to the parser: a missing one is a problem and an Ident with name '' (zero
  // width, where the name goes), so the block after it - what the user is editing - is still parsed.
  private missingName(what: string): A.Ident {
    const next = this.LA(1);
    this.problem('missing_token', `expected ${what}, found ${describe(next)}`, next, ['a name']);
    const at = this.problems[this.problems.length - 1]!.loc.range.start;
    return { kind: 'Ident', name: '', loc: { file: this.ix.file, range: { start: at, end: at } } };
  }

  public recipe = this.RULE('recipe', (): A.Recipe => {
    let abs: IToken | undefined;
    this.OPTION(() => {
      abs = this.CONSUME(T.Abstract);
    });
    const kw = this.CONSUME(T.Recipe);
    let name: IToken | undefined;
    this.OPTION3(() => {
      name = this.CONSUME(T.Name);
    });
    const nameId = this.RECORDING_PHASE || name !== undefined ? undefined : this.missingName("the recipe's name (recipe NAME { ... })");
    let ext: IToken | undefined;
    let base: IToken | undefined;
    this.OPTION2(() => {
      ext = this.CONSUME(T.Extends);
      this.OPTION4(() => {
        base = this.CONSUME2(T.Name);
      });
    });
    const baseId = this.RECORDING_PHASE || ext === undefined || base !== undefined ? undefined : this.missingName("the base recipe's name after 'extends'");
    const body = this.SUBRULE(this.block);
    return this.ACTION(() => {
      const r: A.Recipe = { kind: 'Recipe', abstract: abs !== undefined, name: nameId ?? this.ident(name!), body, loc: this.span(abs ?? kw, body) };
      if (base !== undefined || baseId !== undefined) r.extends = baseId ?? this.ident(base!);
      return r;
    }) as A.Recipe;
  });

  // ---- blocks and entries ----
  public block = this.RULE('block', (): A.Block => {
    this.deeper(this.LA(1));
    const open = this.CONSUME(T.LCurly);
    const entries: A.Entry[] = [];
    this.items('block', () => {
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              const e = this.SUBRULE(this.entry);
              this.ACTION(() => entries.push(e));
            },
          },
          { ALT: () => this.CONSUME(T.Semi) },
        ]);
      });
    });
    const close = this.close(open);
    if (!this.RECORDING_PHASE) this.depth--;
    return this.ACTION(() => ({ kind: 'Block', entries, loc: this.span(open, close ?? this.LA(0)) })) as A.Block;
  });

  private entryOr?: OrMethodOpts<A.Entry>;
  public entry = this.RULE(
    'entry',
    (): A.Entry =>
      // Decided on one token (plus the gate) so that a broken entry fails inside `keyed`, where the
      // message can say what was expected after the key. `stage name after ...`/`stage name {` is a stage;
      // `stage = ...`, `stage.x`, `stage { ... }` are ordinary keys.
      this.OR(
        (this.entryOr ??= {
          MAX_LOOKAHEAD: 1,
          IGNORE_AMBIGUITIES: true,
          DEF: [{ GATE: () => this.isStageHeader(), ALT: () => this.SUBRULE(this.stage) }, { ALT: () => this.SUBRULE(this.keyed) }],
        }),
      ),
  );

  private isStageHeader(): boolean {
    if (this.LA(1).tokenType !== T.Stage || !is(this.LA(2), T.Name)) return false;
    const third = this.LA(3).tokenType;
    return third === T.After || third === T.LCurly;
  }

  public stage = this.RULE('stage', (): A.Stage => {
    const kw = this.CONSUME(T.Stage);
    const name = this.CONSUME(T.Name);
    const after: IToken[] = [];
    this.OPTION(() => {
      this.CONSUME(T.After);
      this.MANY_SEP({
        SEP: T.Comma,
        DEF: () => {
          after.push(this.CONSUME2(T.Name));
        },
      });
      if (!this.RECORDING_PHASE && after.length === 0) this.missingName("the name of a stage after 'after' (stage adversarial after sid { ... })");
    });
    const body = this.SUBRULE(this.block);
    return this.ACTION(() => ({ kind: 'Stage', name: this.ident(name), after: after.map((t) => this.ident(t)), body, loc: this.span(kw, body) })) as A.Stage;
  });

  /** Everything that starts with a key: `a.b = v`, `w(t) = v`, `name [label] { ... }`. */
  /** The path `keyed` just read: its cached alternatives take it from here before parsing anything nested. */
  private keyPath?: A.Path;
  private keyedOr?: OrMethodOpts<A.Entry>;
  private labelOpt?: () => IToken;

  public keyed = this.RULE('keyed', (): A.Entry => {
    this.keyPath = this.SUBRULE(this.path);
    return this.OR(
      (this.keyedOr ??= {
        MAX_LOOKAHEAD: 1, // `teacher flux extra {` fails at `extra` (expected '{'), not at `teacher`
        ERR_MSG: "'=' (a setting), '{' (a section) or '(' (a function like w(t) = 1 - t)",
        DEF: [
          {
            ALT: () => {
              const path = this.keyPath!;
              this.CONSUME(T.Equals);
              const value = this.SUBRULE(this.expr);
              return this.RECORDING_PHASE ? (value as never) : { kind: 'Assign', path, value, loc: this.span(path, value) };
            },
          },
          {
            ALT: () => {
              const path = this.keyPath!;
              this.CONSUME(T.LParen);
              const param = this.CONSUME(T.Name);
              this.CONSUME(T.RParen);
              this.CONSUME2(T.Equals);
              const body = this.SUBRULE2(this.expr);
              if (this.RECORDING_PHASE) return body as never;
              this.singleName(path, 'a function name', 'loss { w(t) = 1 - t }');
              return { kind: 'FuncDef', name: path.segments[0]!, param: this.ident(param), body, loc: this.span(path, body) };
            },
          },
          {
            ALT: () => {
              const path = this.keyPath!;
              const lab = this.OPTION((this.labelOpt ??= () => this.CONSUME2(T.Name)));
              const body = this.SUBRULE(this.block);
              if (this.RECORDING_PHASE) return body as never;
              this.singleName(path, 'a section name', 'optimizer { lr = 1e-5 } or optimizer.lr = 1e-5');
              const sec: A.Section = { kind: 'Section', name: path.segments[0]!, body, loc: this.span(path, body) };
              if (lab !== undefined) sec.label = this.ident(lab);
              return sec;
            },
          },
        ],
      }),
    );
  });

  /** Sections and functions take one name, not a dotted path; say so without failing the entry. */
  private singleName(path: A.Path, what: string, example: string): void {
    if (path.segments.length === 1) return;
    const second = path.segments[1]!;
    this.problems.push({
      reason: 'unexpected_token',
      message: `${what} is a single name, not a dotted path: write ${example}`,
      loc: { file: this.ix.file, range: { start: second.loc.range.start, end: path.loc.range.end } },
      expected: ["'='"],
      found: '.',
    });
  }

  public path = this.RULE('path', (): A.Path => {
    const first = this.CONSUME(T.Name);
    const segments: A.Ident[] = this.RECORDING_PHASE ? [] : [this.ident(first)];
    this.MANY(() => {
      const dot = this.CONSUME(T.Dot);
      if (!this.RECORDING_PHASE) this.danglingDot(dot);
      const seg = this.CONSUME2(T.Name);
      if (!this.RECORDING_PHASE) segments.push(this.ident(seg));
    });
    if (this.RECORDING_PHASE) return first as never;
    // One segment: the path and its name share one Loc object (nothing mutates locations).
    return { kind: 'Path', segments, loc: segments.length === 1 ? segments[0]!.loc : this.span(segments[0]!, segments[segments.length - 1]!) };
  });

  /**
   * `optimizer.` at the end of a line, then `lr = 1` on the next: newlines are not significant, but a
   * name on the next line that starts its own entry is not this path's next segment (typically a key
   * being typed). Fail here, so the entry below is kept.
   */
  private danglingDot(dot: IToken): void {
    const next = this.LA(1);
    if (!is(next, T.Name) || this.ix.position(next.startOffset).line === this.ix.position(dot.startOffset).line) return;
    const after = this.LA(2).tokenType;
    if (after !== T.Equals && after !== T.Dot && after !== T.LCurly && after !== T.In) return;
    side.expected = ['a name'];
    throw new MismatchedTokenException(`expected a name after '.', found ${describe(next)} on the next line`, next, dot);
  }

  // ---- sweeps ----
  public sweep = this.RULE('sweep', (): A.Sweep => {
    const kw = this.CONSUME(T.Sweep);
    let name: IToken | undefined;
    this.OPTION3(() => {
      name = this.CONSUME(T.Name);
    });
    const nameId = this.RECORDING_PHASE || name !== undefined ? undefined : this.missingName("the sweep's name (sweep NAME over RECIPE { ... })");
    let overKw: IToken | undefined;
    let over: IToken | undefined;
    this.OPTION4(() => {
      overKw = this.CONSUME(T.Over);
      this.OPTION5(() => {
        over = this.CONSUME2(T.Name);
      });
    });
    const overId =
      this.RECORDING_PHASE || over !== undefined
        ? undefined
        : this.missingName(overKw === undefined ? "'over' and the recipe to sweep (sweep NAME over RECIPE { ... })" : "the recipe to sweep after 'over'");
    const open = this.CONSUME(T.LCurly);
    const items: A.SweepItem[] = [];
    this.items('sweep', () => {
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              const g = this.SUBRULE(this.axisGroup);
              this.ACTION(() => items.push(g));
            },
          },
          {
            ALT: () => {
              const a = this.SUBRULE(this.axis);
              this.ACTION(() => items.push(a));
            },
          },
          { ALT: () => this.CONSUME(T.Semi) },
        ]);
      });
    });
    const close = this.close(open);
    return this.ACTION(() => ({
      kind: 'Sweep',
      name: nameId ?? this.ident(name!),
      over: overId ?? this.ident(over!),
      items,
      loc: this.span(kw, close ?? this.LA(0)),
    })) as A.Sweep;
  });

  public axisGroup = this.RULE('axisGroup', (): A.AxisGroup => {
    const kw = this.OR([{ ALT: () => this.CONSUME(T.Grid) }, { ALT: () => this.CONSUME(T.Zip) }]);
    const open = this.CONSUME(T.LCurly);
    const axes: A.Axis[] = [];
    this.items('sweep', () => {
      this.MANY(() => {
        this.OR2([
          {
            ALT: () => {
              const a = this.SUBRULE(this.axis);
              this.ACTION(() => axes.push(a));
            },
          },
          { ALT: () => this.CONSUME(T.Semi) },
        ]);
      });
    });
    const close = this.close(open);
    return this.ACTION(() => ({ kind: 'AxisGroup', mode: kw.image as 'grid' | 'zip', axes, loc: this.span(kw, close ?? this.LA(0)) })) as A.AxisGroup;
  });

  public axis = this.RULE('axis', (): A.Axis => {
    const path = this.SUBRULE(this.path);
    this.CONSUME(T.In);
    const values = this.SUBRULE(this.list);
    return this.ACTION(() => ({ kind: 'Axis', path, values, loc: this.span(path, values) })) as A.Axis;
  });

  // ---- expressions ----
  // Hot path (every value): few rule invocations and no per-call closures. `+ - * / x` are parsed as a
  // flat operator sequence and grouped by precedence in `chain`; unary minus, units and `^` live in
  // `unary`. Alternatives are built once; node building checks RECORDING_PHASE instead of ACTION(() => ...).

  /**
   * Newlines are not significant, so a unit, `x` or a name that begins the next entry (`images = 1`,
   * `x.y = 2`, `x teacher {`, `steps {`, `x(t) = ...`) must not be read as part of the previous value.
   */
  private notKey(): boolean {
    const t = this.LA(2).tokenType;
    if (t === T.Equals || t === T.Dot || t === T.LCurly) return false;
    if (t === T.LParen) return !(is(this.LA(3), T.Name) && this.LA(4).tokenType === T.RParen && this.LA(5).tokenType === T.Equals);
    // `x label {` cannot be a product (no `{` in values); `5 images teacher {` is a unit, then a section.
    return !(this.LA(1).tokenType === T.X && is(this.LA(2), T.Name) && this.LA(3).tokenType === T.LCurly);
  }

  private binOps?: IOrAlt<IToken>[];
  private onOpt?: { GATE: () => boolean; DEF: () => A.Expr };

  public expr = this.RULE('expr', (): A.Expr => {
    const operands: A.Expr[] = [this.SUBRULE(this.unary)];
    const ops: IToken[] = [];
    this.MANY({
      GATE: () => this.LA(1).tokenType !== T.X || this.notKey(),
      DEF: () => {
        const op = this.OR(
          (this.binOps ??= [
            { ALT: () => this.CONSUME(T.Plus) },
            { ALT: () => this.CONSUME(T.Minus) },
            { ALT: () => this.CONSUME(T.Star) },
            { ALT: () => this.CONSUME(T.Slash) },
            { ALT: () => this.CONSUME(T.X) },
          ]),
        );
        ops.push(op);
        this.deeper(op); // the grouped chain is as deep as it is long
        operands.push(this.SUBRULE2(this.unary));
      },
    });
    if (!this.RECORDING_PHASE) this.depth -= ops.length;
    const interval = this.OPTION(
      (this.onOpt ??= {
        GATE: () => this.LA(2).tokenType === T.LParen && this.notKey(), // `on(t) = ...` is a function
        DEF: () => {
          this.CONSUME(T.On);
          return this.SUBRULE(this.parens);
        },
      }),
    );
    if (this.RECORDING_PHASE) return operands[0]!;
    const value = ops.length === 0 ? operands[0]! : this.chain(operands, ops);
    if (interval === undefined) return value;
    let tuple: A.TupleExpr;
    if (interval.kind === 'Tuple') tuple = interval;
    else {
      this.problems.push({
        reason: 'unexpected_token',
        message: 'an interval after `on` needs two bounds: on (lo, hi)',
        loc: interval.loc,
        expected: ['(lo, hi)'],
      });
      tuple = { kind: 'Tuple', elements: [interval], loc: interval.loc };
    }
    return { kind: 'Restrict', value, interval: tuple, loc: this.span(value, tuple) };
  });

  /** Groups `a op b op c ...` by precedence: `* / x` before `+ -`, both left-associative. */
  private chain(operands: A.Expr[], ops: IToken[]): A.Expr {
    let sum: A.Expr | undefined;
    let sumOp: IToken | undefined;
    let term = operands[0]!;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const right = operands[i + 1]!;
      if (op.tokenType === T.Plus || op.tokenType === T.Minus) {
        sum = sum === undefined ? term : this.binary(sumOp!, sum, term);
        sumOp = op;
        term = right;
      } else term = this.binary(op, term, right);
    }
    return sum === undefined ? term : this.binary(sumOp!, sum, term);
  }

  private unaryOr?: OrMethodOpts<A.Expr>;
  private unitOpt?: { GATE: () => boolean; DEF: () => IToken };
  private powerOpt?: () => [IToken, A.Expr];

  /** `-u`, or `primary [unit] [^ u]`: minus binds looser than `^` (-2^2 = -(2^2)) and 2^-1 works. */
  public unary = this.RULE(
    'unary',
    (): A.Expr =>
      this.OR(
        (this.unaryOr ??= {
          ERR_MSG: 'an expression',
          DEF: [
            {
              ALT: () => {
                const minus = this.CONSUME(T.Minus);
                this.deeper(minus);
                const operand = this.SUBRULE(this.unary);
                if (!this.RECORDING_PHASE) this.depth--;
                return this.RECORDING_PHASE ? operand : { kind: 'Unary', op: '-', operand, loc: this.span(minus, operand) };
              },
            },
            {
              ALT: () => {
                let value = this.SUBRULE(this.primary);
                const unit = this.OPTION((this.unitOpt ??= { GATE: () => this.notKey(), DEF: () => this.CONSUME(T.UnitTok) }));
                const power = this.OPTION2(
                  (this.powerOpt ??= () => {
                    const caret = this.CONSUME(T.Caret);
                    this.deeper(caret);
                    const exponent = this.SUBRULE2(this.unary);
                    if (!this.RECORDING_PHASE) this.depth--;
                    return [caret, exponent];
                  }),
                );
                if (this.RECORDING_PHASE) return value;
                if (unit !== undefined)
                  value = { kind: 'UnitExpr', value, unit: unit.image as A.Unit, unitLoc: this.tokLoc(unit), loc: this.span(value, unit) };
                return power === undefined ? value : this.binary(power[0], value, power[1]);
              },
            },
          ],
        }),
      ),
  );

  private primaryOr?: OrMethodOpts<A.Expr>;
  public primary = this.RULE(
    'primary',
    (): A.Expr =>
      this.OR(
        (this.primaryOr ??= {
          ERR_MSG: 'an expression',
          DEF: [
            {
              ALT: () => {
                const t = this.CONSUME(T.NumberLit);
                return this.RECORDING_PHASE ? (t as never) : { kind: 'Number', value: t.payload as number, text: t.image, loc: this.tokLoc(t) };
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.StringLit);
                return this.RECORDING_PHASE ? (t as never) : this.str(t);
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.True);
                return this.RECORDING_PHASE ? (t as never) : { kind: 'Bool', value: true, loc: this.tokLoc(t) };
              },
            },
            {
              ALT: () => {
                const t = this.CONSUME(T.False);
                return this.RECORDING_PHASE ? (t as never) : { kind: 'Bool', value: false, loc: this.tokLoc(t) };
              },
            },
            { ALT: () => this.SUBRULE(this.call) },
            {
              // `key = value` or `key.sub` on the next line is an entry, never a value (newlines are not significant).
              GATE: () => this.LA(2).tokenType !== T.Equals && this.LA(2).tokenType !== T.Dot,
              ALT: () => {
                const t = this.CONSUME(T.ValueName);
                return this.RECORDING_PHASE ? (t as never) : { kind: 'IdentExpr', name: t.image, loc: this.tokLoc(t) };
              },
            },
            { ALT: () => this.SUBRULE(this.parens) },
            { ALT: () => this.SUBRULE(this.list) },
          ],
        }),
      ),
  );

  public call = this.RULE('call', (): A.CallExpr => {
    this.deeper(this.LA(1));
    const callee = this.CONSUME(T.ValueName);
    this.CONSUME(T.LParen);
    const args: A.Expr[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        args.push(this.SUBRULE(this.expr));
      },
    });
    const rp = this.CONSUME(T.RParen);
    if (this.RECORDING_PHASE) return rp as never;
    this.depth--;
    return { kind: 'Call', callee: this.ident(callee), args, loc: this.span(callee, rp) };
  });

  /** `(e)` is a Paren, `(a, b, ...)` a Tuple. */
  public parens = this.RULE('parens', (): A.Expr => {
    this.deeper(this.LA(1));
    const lp = this.CONSUME(T.LParen);
    const elements: A.Expr[] = [this.SUBRULE(this.expr)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      elements.push(this.SUBRULE2(this.expr));
    });
    const rp = this.CONSUME(T.RParen);
    if (this.RECORDING_PHASE) return rp as never;
    this.depth--;
    return elements.length === 1 ? { kind: 'Paren', inner: elements[0]!, loc: this.span(lp, rp) } : { kind: 'Tuple', elements, loc: this.span(lp, rp) };
  });

  public list = this.RULE('list', (): A.ListExpr => {
    this.deeper(this.LA(1));
    const lb = this.CONSUME(T.LBracket);
    const elements: A.Expr[] = [];
    this.OPTION(() => {
      elements.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        elements.push(this.SUBRULE2(this.expr));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma)); // trailing comma
    });
    const rb = this.CONSUME(T.RBracket);
    if (this.RECORDING_PHASE) return rb as never;
    this.depth--;
    return { kind: 'List', elements, loc: this.span(lb, rb) };
  });

  /** The entry point of parseExpression (`--set` values, YAML strings): one expression, then the end. */
  public standalone = this.RULE('standalone', (): A.Expr | undefined => {
    let e: A.Expr | undefined;
    try {
      e = this.SUBRULE(this.expr);
    } catch (err) {
      if (!isRecognitionException(err as Error)) throw err;
      this.depth = 0;
      this.fromException(err as IRecognitionException);
    }
    this.ACTION(() => {
      if (e !== undefined && this.LA(1).tokenType !== EOF) {
        this.problem('unexpected_token', `unexpected ${describe(this.LA(1))} after the expression`, this.LA(1), ['end of input'], true);
      }
      while (this.LA(1).tokenType !== EOF) this.SKIP_TOKEN();
    });
    return e;
  });

  // ---- helpers ----
  private str(t: IToken): A.StringLit {
    return { kind: 'String', value: t.payload as string, loc: this.tokLoc(t) };
  }

  private binary(op: IToken, left: A.Expr, right: A.Expr): A.BinaryExpr {
    return { kind: 'Binary', op: op.image as A.BinaryExpr['op'], left, right, loc: this.span(left, right) };
  }
}

/** The one parser instance (building it analyses the grammar: do it once). Parsing is synchronous. */
export const parser = new SidParser();
