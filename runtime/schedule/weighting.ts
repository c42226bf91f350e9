// Loss weightings w(t) (eq. 18, docs/algorithm.md §4 step 4): the named ones (the compiler's table) plus
// `w(t) = ...` expressions as JSON trees. Computed without gradient, in float64, stored float32.
import type { JsonValue } from '../../compiler/recipe/settings.js';
// The named table is the compiler's (one definition); sid_norm is null there and handled by the op.
import { NAMED_WEIGHTINGS } from '../../compiler/recipe/weightings.js';

class WeightingError extends Error {}

/**
 * Expression trees accepted (the compiler's ExprJson; several spellings so that either side can evolve):
 *   number | "t" (or the FuncDef's variable) | "pi" | "e"
 *   { num: n } | { value: n } | { var: "t" } | { ident: "t" }
 *   { op: "+"|"-"|"*"|"/"|"^", args: [a, b] }  or  { op, left, right }  or unary { op: "-", arg | operand | args: [a] }
 *   { call | fn: "ln"|"log"|"exp"|"sqrt"|"sigmoid"|"abs"|"sin"|"cos"|"min"|"max"|"pow", args: [...] }
 */
export function compileExpr(e: JsonValue): (t: number) => number {
  if (typeof e === 'number') return () => e;
  if (typeof e === 'string') {
    if (e === 'pi') return () => Math.PI;
    if (e === 'e') return () => Math.E;
    return (t) => t; // the function's single variable
  }
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new WeightingError(`bad weighting expression ${JSON.stringify(e)}`);
  const o = e as Record<string, JsonValue>;
  if ('num' in o || ('value' in o && typeof o.value === 'number')) return compileExpr((o.num ?? o.value) as number);
  if ('var' in o || 'ident' in o) return compileExpr(String(o.var ?? o.ident));
  if ('expr' in o) return compileExpr(o.expr!);
  const args = (o.args as JsonValue[] | undefined) ?? [o.left, o.right, o.arg, o.operand].filter((x) => x !== undefined);
  const fs = args.map(compileExpr);
  const call = (o.call ?? o.fn ?? o.func) as string | undefined;
  if (call) {
    const unary: Record<string, (x: number) => number> = {
      ln: Math.log,
      log: Math.log,
      exp: Math.exp,
      sqrt: Math.sqrt,
      abs: Math.abs,
      sin: Math.sin,
      cos: Math.cos,
      sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    };
    if (unary[call]) return (t) => unary[call]!(fs[0]!(t));
    if (call === 'min') return (t) => Math.min(...fs.map((f) => f(t)));
    if (call === 'max') return (t) => Math.max(...fs.map((f) => f(t)));
    if (call === 'pow') return (t) => Math.pow(fs[0]!(t), fs[1]!(t));
    throw new WeightingError(`unknown function ${call} in a weighting expression`);
  }
  const op = o.op as string;
  const [a, b] = fs;
  if (fs.length === 1 && op === '-') return (t) => -a!(t);
  switch (op) {
    case '+':
      return (t) => a!(t) + b!(t);
    case '-':
      return (t) => a!(t) - b!(t);
    case '*':
      return (t) => a!(t) * b!(t);
    case '/':
      return (t) => a!(t) / b!(t);
    case '^':
      return (t) => Math.pow(a!(t), b!(t));
  }
  throw new WeightingError(`bad weighting expression ${JSON.stringify(e)}`);
}

/** A function of t for `{name}` or `{expr}`; `sid_norm` depends on the sample and is handled by the op. */
export function weightingOfT(w: JsonValue): ((t: number) => number) | 'sid_norm' {
  const o = (typeof w === 'string' ? { name: w } : w) as Record<string, JsonValue>;
  if (o && typeof o.name === 'string') {
    if (o.name === 'sid_norm') return 'sid_norm';
    const f = NAMED_WEIGHTINGS[o.name];
    if (!f) throw new WeightingError(`unknown weighting ${o.name}; known: ${Object.keys(NAMED_WEIGHTINGS).join(', ')}`);
    return f;
  }
  if (o && 'expr' in o) return compileExpr(o.expr!);
  throw new WeightingError(`bad weighting ${JSON.stringify(w)}`);
}
