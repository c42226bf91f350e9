// Loss weightings w(t) of eq. 18 (docs/algorithm.md §4 step 4): the named ones of settings.ts WEIGHTINGS and
// user-defined `w(t) = <expression>` compiled to a small JSON expression tree that only uses t.
// Canonical JSON: { "name": "one_minus_t" } | { "expr": WeightExpr }.
import type { JsonValue } from './settings.js';

/** number | { var: "t" } | { op: "+"|"-"|"*"|"/"|"^", args: [a, b] } | { op: "neg"|"ln"|"exp"|"sqrt", args: [a] } */
export type WeightExpr = number | { var: 't' } | { op: string; args: WeightExpr[] };

export const WEIGHT_FUNCTIONS = ['ln', 'exp', 'sqrt'] as const;

/**
 * Named weightings as functions of t (sid_norm depends on the samples, so it has no closed form here).
 * The one table: the runtime (runtime/schedule/weighting.ts) evaluates these, so the arithmetic here is the
 * trained numbers' - `snr` is ((1 - t) / t)^2, which rounds differently from (1 - t)^2 / t^2.
 */
export const NAMED_WEIGHTINGS: Record<string, ((t: number) => number) | null> = {
  one_minus_t: (t) => 1 - t,
  inv_t: (t) => 1 / t,
  one_minus_t_sq: (t) => (1 - t) ** 2,
  sqrt_snr: (t) => (1 - t) / t,
  snr: (t) => ((1 - t) / t) ** 2,
  constant: () => 1,
  sid_norm: null,
};

export function evalWeightExpr(e: WeightExpr, t: number): number {
  if (typeof e === 'number') return e;
  if ('var' in e) return t;
  const a = e.args.map((x) => evalWeightExpr(x, t));
  switch (e.op) {
    case '+':
      return a[0]! + a[1]!;
    case '-':
      return a[0]! - a[1]!;
    case '*':
      return a[0]! * a[1]!;
    case '/':
      return a[0]! / a[1]!;
    case '^':
      return a[0]! ** a[1]!;
    case 'neg':
      return -a[0]!;
    case 'ln':
      return Math.log(a[0]!);
    case 'exp':
      return Math.exp(a[0]!);
    case 'sqrt':
      return Math.sqrt(a[0]!);
    default:
      throw new Error(`unknown weighting op ${e.op}`);
  }
}

/** Structural check of a JSON weighting expression (the YAML/JSON form and the schema agree on this). */
export function isWeightExpr(v: JsonValue): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 1 && v.var === 't') return true;
  if (keys.length !== 2 || typeof v.op !== 'string' || !Array.isArray(v.args)) return false;
  const binary = ['+', '-', '*', '/', '^'].includes(v.op);
  const unary = ['neg', ...WEIGHT_FUNCTIONS].includes(v.op);
  if (!(binary && v.args.length === 2) && !(unary && v.args.length === 1)) return false;
  return v.args.every(isWeightExpr);
}
