// The .sid abstract syntax tree. Every node carries the file it came from and its source range, so
// every later stage (resolve, check, lower, the language server) can point at the exact characters.
//
// Grammar (EBNF; docs/language.md is the user-facing reference):
//
//   File        = { ( Import | Recipe | Sweep ) [";"] } ;
//   Import      = "import" String ;
//   Recipe      = [ "abstract" ] "recipe" Ident [ "extends" Ident ] Block ;
//   Sweep       = "sweep" Ident "over" Ident "{" { SweepItem [";"] } "}" ;
//   SweepItem   = Axis | ( "grid" | "zip" ) "{" { Axis [";"] } "}" ;
//   Axis        = Path "in" List ;
//   Block       = "{" { Entry [";"] } "}" ;
//   Entry       = Section | Stage | Assign | FuncDef ;
//   Section     = Ident [ Ident ] Block ;                 (* teacher flux { ... }   precision bf16 { ... } *)
//   Stage       = "stage" Ident [ "after" Ident { "," Ident } ] Block ;
//   Assign      = Path "=" Expr ;                         (* optimizer.lr = 1e-5 *)
//   FuncDef     = Ident "(" Ident ")" "=" Expr ;          (* w(t) = 1 - t *)
//   Path        = Ident { "." Ident } ;
//   Expr        = Additive [ "on" Tuple ] ;              (* a distribution restricted to an interval *)
//   Additive    = Mult { ("+" | "-") Mult } ;
//   Mult        = Unary { ("*" | "/" | "x") Unary } ;     (* "x": count x device, 8 x gpu(80 GB) *)
//   Unary       = "-" Unary | Power ;                     (* -2^2 = -(2^2); 2^-1 is allowed *)
//   Power       = Postfix [ "^" Unary ] ;                 (* right-associative: 2^3^2 = 2^(3^2) *)
//   Postfix     = Primary [ Unit ] ;                      (* 512 px, 10k images, 80 GB *)
//   Primary     = Number | String | "true" | "false" | Call | Ident | Tuple | List | "(" Expr ")" ;
//   Call        = Ident "(" [ Expr { "," Expr } ] ")" ;
//   Tuple       = "(" Expr "," Expr { "," Expr } ")" ;
//   List        = "[" [ Expr { "," Expr } [","] ] "]" ;
//   Number      = digits [ "." digits ] [ exponent ] [ "k" | "M" ] ;   (* 10k = 10000, 1M = 1000000 *)
//   Unit        = "px" | "GB" | "GiB" | "MB" | "images" | "steps" | "TFLOPS" ;
//   Ident       = letter_or_underscore { letter_or_underscore | digit } ;
//
// Contextual keywords: `after on in grid zip over stage extends x` and the units are keys too wherever a key
// is expected (`data.images = ...`, `after = 1`); only `import abstract recipe sweep true false` are reserved.
//
// Comments: `// to end of line` and `/* block */`. Newlines are not significant; `;` is optional.

/** Zero-based line and column (as in LSP), plus the absolute character offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A half-open source range [start, end) in one file. */
export interface Range {
  start: Position;
  end: Position;
}

/** Where a node came from: file path (as given to the parser) and range. */
export interface Loc {
  file: string;
  range: Range;
}

interface NodeBase {
  loc: Loc;
}

export interface Comment extends NodeBase {
  kind: 'Comment';
  text: string; // including the // or /* */ markers
  block: boolean;
}

export interface SidFile extends NodeBase {
  kind: 'File';
  items: TopLevel[];
  comments: Comment[]; // all comments in the file, in source order (the printer re-attaches them)
}

export type TopLevel = Import | Recipe | Sweep;

export interface Ident extends NodeBase {
  kind: 'Ident';
  name: string;
}

export interface Import extends NodeBase {
  kind: 'Import';
  path: StringLit;
}

export interface Recipe extends NodeBase {
  kind: 'Recipe';
  abstract: boolean;
  name: Ident;
  extends?: Ident;
  body: Block;
}

export interface Block extends NodeBase {
  kind: 'Block';
  entries: Entry[];
}

export type Entry = Section | Stage | Assign | FuncDef;

/** `teacher flux { ... }`: a named section with an optional label (the section's kind). */
export interface Section extends NodeBase {
  kind: 'Section';
  name: Ident;
  label?: Ident;
  body: Block;
}

/** `stage adversarial after sid { ... }` */
export interface Stage extends NodeBase {
  kind: 'Stage';
  name: Ident;
  after: Ident[];
  body: Block;
}

/** `optimizer.lr = 1e-5` */
export interface Assign extends NodeBase {
  kind: 'Assign';
  path: Path;
  value: Expr;
}

/** `w(t) = 1 - t`: a function of one variable, used for weightings. */
export interface FuncDef extends NodeBase {
  kind: 'FuncDef';
  name: Ident;
  param: Ident;
  body: Expr;
}

export interface Path extends NodeBase {
  kind: 'Path';
  segments: Ident[];
}

export interface Sweep extends NodeBase {
  kind: 'Sweep';
  name: Ident;
  over: Ident;
  items: SweepItem[];
}

export type SweepItem = Axis | AxisGroup;

/** `time.interval in [(0, 1/3), (1/3, 2/3)]` */
export interface Axis extends NodeBase {
  kind: 'Axis';
  path: Path;
  values: ListExpr;
}

/** `grid { ... }` (cartesian product) or `zip { ... }` (tied values, equal lengths). */
export interface AxisGroup extends NodeBase {
  kind: 'AxisGroup';
  mode: 'grid' | 'zip';
  axes: Axis[];
}

export type Unit = 'px' | 'GB' | 'GiB' | 'MB' | 'images' | 'steps' | 'TFLOPS';
export const UNITS: readonly Unit[] = ['px', 'GB', 'GiB', 'MB', 'images', 'steps', 'TFLOPS'];

export type Expr = NumberLit | StringLit | BoolLit | IdentExpr | CallExpr | TupleExpr | ListExpr | BinaryExpr | UnaryExpr | UnitExpr | RestrictExpr | ParenExpr;

export interface NumberLit extends NodeBase {
  kind: 'Number';
  value: number; // suffix applied: 10k -> 10000
  text: string; // as written, kept for the printer: "10k", "1e-5", "0.999"
}

export interface StringLit extends NodeBase {
  kind: 'String';
  value: string; // unescaped
}

interface BoolLit extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

/** A bare name: an enum value (`bf16`, `fresh`), a named weighting, or the variable of a FuncDef. */
export interface IdentExpr extends NodeBase {
  kind: 'IdentExpr';
  name: string;
}

export interface CallExpr extends NodeBase {
  kind: 'Call';
  callee: Ident;
  args: Expr[];
}

/** `(0, 1/3)`: intervals and other fixed-size tuples. */
export interface TupleExpr extends NodeBase {
  kind: 'Tuple';
  elements: Expr[];
}

export interface ListExpr extends NodeBase {
  kind: 'List';
  elements: Expr[];
}

export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  op: '+' | '-' | '*' | '/' | '^' | 'x';
  left: Expr;
  right: Expr;
}

interface UnaryExpr extends NodeBase {
  kind: 'Unary';
  op: '-';
  operand: Expr;
}

/** `512 px`, `10k images`, `80 GB` */
export interface UnitExpr extends NodeBase {
  kind: 'UnitExpr';
  value: Expr;
  unit: Unit;
  unitLoc: Loc;
}

/** `logit_normal(ln(2), 1.6) on (1/3, 2/3)` */
interface RestrictExpr extends NodeBase {
  kind: 'Restrict';
  value: Expr;
  interval: TupleExpr;
}

/** `(1 - t)`: kept so the printer reproduces the user's parentheses. */
interface ParenExpr extends NodeBase {
  kind: 'Paren';
  inner: Expr;
}

export type SyntaxReason =
  | 'invalid_character'
  | 'unterminated_string'
  | 'unterminated_comment'
  | 'invalid_number'
  | 'unexpected_token'
  | 'missing_token'
  | 'unexpected_eof'
  | 'too_deep';

/** A syntax error found by the lexer or parser, in source order. The parser recovers and goes on. */
export interface SyntaxProblem {
  reason: SyntaxReason; // the compiler maps each reason to a SID1xxx code of its catalogue
  message: string;
  loc: Loc;
  expected?: string[];
  found?: string;
}

export interface ParseResult {
  file: SidFile; // always present: a partial tree when there were syntax errors
  problems: SyntaxProblem[];
}
