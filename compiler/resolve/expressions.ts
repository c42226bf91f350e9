// Evaluates .sid expressions to the canonical JSON values of settings.ts, enforcing units.
// Ranges, enum membership and distribution parameters are then checked on the JSON by check/values.ts
// (shared with the YAML/JSON form). Every problem becomes a diagnostic at the expression's range.
// Recursion per tree level is safe: the parser refuses trees deeper than grammar's MAX_NESTING (SID1008).
import type { CallExpr, Expr, FuncDef, Unit } from '../../grammar/ast.js';
import { diag, insertAfterFix, replaceFix } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { DISTRIBUTIONS, DISTRIBUTIONS_BY_NAME } from '../recipe/distributions.js';
import type { JsonValue, SettingType } from '../recipe/settings.js';
import { WEIGHT_FUNCTIONS, type WeightExpr } from '../recipe/weightings.js';
import { typeName } from '../check/values.js';
import { suggestion } from '../util/names.js';

interface Num {
  value: number;
  unit?: Unit;
}

const NUMERIC_FUNCTIONS: Record<string, (x: number) => number> = { ln: Math.log, exp: Math.exp, sqrt: Math.sqrt };
const CONSTANTS: Record<string, number> = { pi: Math.PI };
/** Conversions to GB (decimal, as GPU vendors quote memory). */
const TO_GB: Partial<Record<Unit, number>> = { GB: 1, GiB: 1.073741824, MB: 0.001 };

const EXAMPLES: Partial<Record<SettingType['kind'], string>> = {
  string: 'write a string: `"..."`',
  path: 'write a path string: `"data/prompts.txt"`',
  bool: 'write `true` or `false`',
  interval: 'write `(0, 1/3)`',
  distribution: 'write `logit_normal(ln(2), 1.6)` or `uniform`, optionally `on (lo, hi)`',
  weighting: 'write a name such as `one_minus_t` or define `w(t) = 1 - t`',
  devices: 'write `8 x gpu(80 GB)` or `1 x cpu(16 GB)`',
  guidance: 'write `cfg(4.5)`, `embedded(4.5)` or `none`',
  text: 'write `precomputed("cache/text")`, `encoder` or `labels`',
};

export class Evaluator {
  constructor(readonly out: Diagnostic[]) {}

  private unwrap(e: Expr): Expr {
    while (e.kind === 'Paren') e = e.inner;
    return e;
  }

  private mismatch(path: string, t: SettingType, e: Expr, found?: string): undefined {
    this.out.push(
      diag(
        'SID2005',
        e.loc,
        { path, expected: typeName(t), found: found ?? describeExpr(e), example: EXAMPLES[t.kind] ?? '' },
        EXAMPLES[t.kind] ? {} : { help: '' },
      ),
    );
    return undefined;
  }

  /** A numeric expression with an optional unit; undefined (and a diagnostic) when it is not one. */
  num(e: Expr, path: string): Num | undefined {
    switch (e.kind) {
      case 'Number':
        return Number.isFinite(e.value) ? { value: e.value } : undefined; // an invalid literal: SID1004 already said so
      case 'Paren':
        return this.num(e.inner, path);
      case 'Unary': {
        const v = this.num(e.operand, path);
        return v && { ...v, value: -v.value };
      }
      case 'UnitExpr': {
        const v = this.num(e.value, path);
        if (!v) return undefined;
        if (v.unit)
          return (void this.out.push(diag('SID2022', e.unitLoc, { op: e.unit, left: `a value already in ${v.unit}`, right: 'a second unit' })), undefined);
        return { value: v.value, unit: e.unit };
      }
      case 'IdentExpr':
        if (e.name in CONSTANTS) return { value: CONSTANTS[e.name]! };
        this.out.push(diag('SID2025', e.loc, { name: e.name, hint: '', known: `\`${path}\` expects a number here` }));
        return undefined;
      case 'Call': {
        const f = NUMERIC_FUNCTIONS[e.callee.name];
        if (!f)
          return (
            void this.out.push(
              diag('SID2009', e.callee.loc, {
                name: e.callee.name,
                hint: suggestion(e.callee.name, Object.keys(NUMERIC_FUNCTIONS)),
                known: Object.keys(NUMERIC_FUNCTIONS).join(', '),
              }),
            ),
            undefined
          );
        if (e.args.length !== 1)
          return (void this.out.push(diag('SID2010', e.loc, { name: e.callee.name, expected: '1 argument', found: e.args.length })), undefined);
        const a = this.num(e.args[0]!, path);
        if (!a) return undefined;
        if (a.unit) return (void this.out.push(diag('SID2022', e.loc, { op: e.callee.name, left: `a value in ${a.unit}`, right: 'nothing' })), undefined);
        return this.finite({ value: f(a.value) }, e);
      }
      case 'Binary': {
        const l = this.num(e.left, path);
        const r = this.num(e.right, path);
        if (!l || !r) return undefined;
        let unit: Unit | undefined;
        if (e.op === '+' || e.op === '-') {
          if (l.unit && r.unit && l.unit !== r.unit) return (void this.out.push(diag('SID2022', e.loc, { op: e.op, left: l.unit, right: r.unit })), undefined);
          unit = l.unit ?? r.unit;
        } else if (e.op === '^') {
          if (l.unit || r.unit)
            return (void this.out.push(diag('SID2022', e.loc, { op: '^', left: l.unit ?? 'a number', right: r.unit ?? 'a number' })), undefined);
        } else {
          if (l.unit && r.unit) return (void this.out.push(diag('SID2022', e.loc, { op: e.op, left: l.unit, right: r.unit })), undefined);
          if (e.op === '/' && r.unit) return (void this.out.push(diag('SID2022', e.loc, { op: '/', left: 'a number', right: r.unit })), undefined);
          unit = l.unit ?? r.unit;
        }
        const a = l.value;
        const b = r.value;
        const value = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '/' ? a / b : e.op === '^' ? a ** b : a * b;
        return this.finite(unit ? { value, unit } : { value }, e);
      }
      default:
        this.out.push(diag('SID2005', e.loc, { path, expected: 'a number', found: describeExpr(e), example: '' }, { help: '' }));
        return undefined;
    }
  }

  private finite(n: Num, e: Expr): Num | undefined {
    if (Number.isFinite(n.value)) return n;
    this.out.push(diag('SID2021', e.loc, { detail: Number.isNaN(n.value) ? 'not a number' : 'infinite' }));
    return undefined;
  }

  /** A number in the setting's unit: missing unit -> SID2003 with a fix, wrong unit -> SID2004. */
  number(e: Expr, path: string, unit: Unit | undefined): number | undefined {
    const v = this.num(e, path);
    if (!v) return undefined;
    if (unit && !v.unit) {
      const text = numberText(e);
      this.out.push(diag('SID2003', e.loc, { path, unit, value: text }, { fix: insertAfterFix(`Write ${text} ${unit}`, e.loc, ` ${unit}`) }));
    } else if (unit && v.unit !== unit) {
      const conv = TO_GB[unit] !== undefined && TO_GB[v.unit!] !== undefined;
      if (conv) return (v.value * TO_GB[v.unit!]!) / TO_GB[unit]!;
      const loc = e.kind === 'UnitExpr' ? e.unitLoc : e.loc;
      this.out.push(
        diag('SID2004', loc, { path, expected: unit, found: v.unit }, e.kind === 'UnitExpr' ? { fix: replaceFix(`Write ${unit}`, e.unitLoc, unit) } : {}),
      );
    } else if (!unit && v.unit) {
      const loc = e.kind === 'UnitExpr' ? e.unitLoc : e.loc;
      this.out.push(diag('SID2016', loc, { path, unit: v.unit }));
    }
    return v.value;
  }

  value(e: Expr, path: string, t: SettingType): JsonValue | undefined {
    const u = this.unwrap(e);
    switch (t.kind) {
      case 'number':
        return this.number(e, path, t.unit);
      case 'string':
        if (u.kind === 'String') return u.value;
        if (u.kind === 'IdentExpr') return u.name;
        return this.mismatch(path, t, e);
      case 'path':
        return u.kind === 'String' ? u.value : this.mismatch(path, t, e);
      case 'bool':
        return u.kind === 'Bool' ? u.value : this.mismatch(path, t, e);
      case 'enum':
        if (u.kind === 'IdentExpr') return u.name;
        if (u.kind === 'String') return u.value;
        // a value of the form `name(name)` (monitor.keep's `best(fid)`) is the enum member written so
        if (u.kind === 'Call' && u.args.length === 1 && u.args[0]!.kind === 'IdentExpr') return `${u.callee.name}(${u.args[0]!.name})`;
        return this.mismatch(path, t, e);
      case 'interval':
        return this.interval(u, path, t);
      case 'list': {
        if (u.kind !== 'List') return this.mismatch(path, t, e);
        const vals = u.elements.map((x, i) => this.value(x, `${path}[${i}]`, t.of));
        return vals.some((v) => v === undefined) ? undefined : (vals as JsonValue[]);
      }
      case 'distribution':
        return this.distribution(u, path, t);
      case 'weighting':
        if (u.kind === 'IdentExpr') return { name: u.name };
        if (u.kind === 'String') return { name: u.value };
        return this.mismatch(path, t, e);
      case 'devices':
        return this.devices(u, path, t);
      case 'guidance':
        return this.guidance(u, path, t);
      case 'text':
        return this.text(u, path, t);
    }
  }

  private interval(u: Expr, path: string, t: SettingType): JsonValue | undefined {
    if (u.kind !== 'Tuple' && u.kind !== 'List') return this.mismatch(path, t, u);
    if (u.elements.length !== 2) return this.mismatch(path, t, u, `${u.elements.length} values`);
    const lo = this.number(u.elements[0]!, path, undefined);
    const hi = this.number(u.elements[1]!, path, undefined);
    return lo === undefined || hi === undefined ? undefined : [lo, hi];
  }

  private distribution(u: Expr, path: string, t: SettingType): JsonValue | undefined {
    if (u.kind === 'Restrict') {
      const inner = this.distribution(this.unwrap(u.value), path, t);
      const iv = this.interval(u.interval, `${path}.interval`, { kind: 'interval' });
      if (!inner || iv === undefined || typeof inner !== 'object' || Array.isArray(inner)) return undefined;
      return { ...inner, interval: iv };
    }
    const name = u.kind === 'IdentExpr' ? u.name : u.kind === 'Call' ? u.callee.name : undefined;
    if (name === undefined) return this.mismatch(path, t, u);
    const d = DISTRIBUTIONS_BY_NAME.get(name);
    const nameLoc = u.kind === 'Call' ? u.callee.loc : u.loc;
    if (!d) {
      const known = DISTRIBUTIONS.map((x) => x.name);
      this.out.push(diag('SID2020', nameLoc, { name, hint: suggestion(name, known), known: known.join(', ') }));
      return undefined;
    }
    const args = u.kind === 'Call' ? u.args : [];
    if (args.length > d.params.length) {
      this.out.push(
        diag('SID2010', u.loc, {
          name,
          expected: d.params.length === 0 ? 'no arguments' : `at most ${d.params.length} arguments (${d.params.map((p) => p.name).join(', ')})`,
          found: args.length,
        }),
      );
      return undefined;
    }
    const out: Record<string, JsonValue> = { kind: name };
    let ok = true;
    d.params.forEach((p, i) => {
      const a = args[i];
      const v = a ? this.number(a, `${path}.${p.name}`, undefined) : p.default;
      if (v === undefined) ok = false;
      else out[p.name] = v;
    });
    return ok ? out : undefined;
  }

  private devices(u: Expr, path: string, t: SettingType): JsonValue | undefined {
    let count = 1;
    let call: Expr = u;
    if (u.kind === 'Binary' && u.op === 'x') {
      const c = this.number(u.left, `${path}.count`, undefined);
      if (c === undefined) return undefined;
      count = c;
      call = this.unwrap(u.right);
    }
    if (call.kind !== 'Call' || (call.callee.name !== 'gpu' && call.callee.name !== 'cpu')) {
      if (call.kind === 'Call') {
        this.out.push(diag('SID2009', call.callee.loc, { name: call.callee.name, hint: suggestion(call.callee.name, ['gpu', 'cpu']), known: 'gpu, cpu' }));
        return undefined;
      }
      return this.mismatch(path, t, u);
    }
    if (call.args.length < 1 || call.args.length > 2) {
      this.out.push(
        diag('SID2010', call.loc, {
          name: call.callee.name,
          expected: 'memory and optional throughput: gpu(80 GB, 989 TFLOPS)',
          found: `${call.args.length} arguments`,
        }),
      );
      return undefined;
    }
    const mem = this.number(call.args[0]!, `${path}.memory`, 'GB');
    const tf = call.args[1] ? this.number(call.args[1], `${path}.throughput`, 'TFLOPS') : undefined;
    if (mem === undefined || (call.args[1] && tf === undefined)) return undefined;
    return { count, kind: call.callee.name, memory_gb: mem, ...(tf !== undefined ? { tflops: tf } : {}) };
  }

  private guidance(u: Expr, path: string, t: SettingType): JsonValue | undefined {
    if (u.kind === 'IdentExpr' && u.name === 'none') return { mode: 'none', scale: 1 };
    if (u.kind !== 'Call') {
      if (u.kind === 'IdentExpr')
        return (
          void this.out.push(diag('SID2025', u.loc, { name: u.name, hint: suggestion(u.name, ['none', 'cfg', 'embedded']), known: EXAMPLES.guidance })),
          undefined
        );
      return this.mismatch(path, t, u);
    }
    const mode = u.callee.name;
    if (mode !== 'cfg' && mode !== 'embedded') {
      this.out.push(diag('SID2009', u.callee.loc, { name: mode, hint: suggestion(mode, ['cfg', 'embedded']), known: 'cfg, embedded, none' }));
      return undefined;
    }
    if (u.args.length !== 1)
      return (void this.out.push(diag('SID2010', u.loc, { name: mode, expected: 'one scale', found: `${u.args.length} arguments` })), undefined);
    const scale = this.number(u.args[0]!, `${path}.scale`, undefined);
    return scale === undefined ? undefined : { mode, scale };
  }

  private text(u: Expr, path: string, t: SettingType): JsonValue | undefined {
    const name = u.kind === 'IdentExpr' ? u.name : u.kind === 'Call' ? u.callee.name : undefined;
    if (name === undefined) return this.mismatch(path, t, u);
    const args = u.kind === 'Call' ? u.args : [];
    const nameLoc = u.kind === 'Call' ? u.callee.loc : u.loc;
    if (name === 'precomputed') {
      const a = args[0] ? this.unwrap(args[0]) : undefined;
      if (args.length !== 1 || a?.kind !== 'String') {
        this.out.push(diag('SID2010', u.loc, { name, expected: 'one directory string: precomputed("cache/text")', found: `${args.length} arguments` }));
        return undefined;
      }
      return { mode: 'precomputed', path: a.value };
    }
    if (name === 'encoder' && args.length === 1) {
      // encoder(N): N T5 / Gemma tokens per prompt, the pipelines' max_sequence_length
      const a = this.unwrap(args[0]!);
      if (a.kind !== 'Number' || !Number.isInteger(a.value) || a.value < 2) {
        this.out.push(diag('SID2010', u.loc, { name, expected: 'no arguments, or the T5 / Gemma tokens per prompt: encoder(77)', found: '1 argument' }));
        return undefined;
      }
      return { mode: 'encoder', tokens: a.value };
    }
    if (name === 'encoder' || name === 'labels') {
      if (args.length) return (void this.out.push(diag('SID2010', u.loc, { name, expected: 'no arguments', found: args.length })), undefined);
      return { mode: name };
    }
    const known = ['precomputed', 'encoder', 'labels'];
    this.out.push(diag(u.kind === 'Call' ? 'SID2009' : 'SID2025', nameLoc, { name, hint: suggestion(name, known), known: known.join(', ') }));
    return undefined;
  }

  /** `w(t) = expr` -> a weighting expression tree that uses only t (constants folded). */
  weighting(f: FuncDef): JsonValue | undefined {
    const param = f.param.name;
    let ok = true;
    const compile = (e: Expr): WeightExpr => {
      switch (e.kind) {
        case 'Number':
          return e.value;
        case 'Paren':
          return compile(e.inner);
        case 'IdentExpr':
          if (e.name === param) return { var: 't' };
          if (e.name in CONSTANTS) return CONSTANTS[e.name]!;
          this.out.push(diag('SID2012', e.loc, { name: e.name, param }));
          ok = false;
          return 0;
        case 'Unary':
          return fold({ op: 'neg', args: [compile(e.operand)] });
        case 'Binary':
          if (e.op === 'x') {
            this.out.push(diag('SID2022', e.loc, { op: 'x', left: 'a weighting', right: 'a count (write `*`)' }));
            ok = false;
            return 0;
          }
          return fold({ op: e.op, args: [compile(e.left), compile(e.right)] });
        case 'Call': {
          const fn = e.callee.name;
          if (!(WEIGHT_FUNCTIONS as readonly string[]).includes(fn)) {
            this.out.push(diag('SID2009', e.callee.loc, { name: fn, hint: suggestion(fn, WEIGHT_FUNCTIONS), known: WEIGHT_FUNCTIONS.join(', ') }));
            ok = false;
            return 0;
          }
          if (e.args.length !== 1) {
            this.out.push(diag('SID2010', e.loc, { name: fn, expected: '1 argument', found: e.args.length }));
            ok = false;
            return 0;
          }
          return fold({ op: fn, args: [compile(e.args[0]!)] });
        }
        default:
          this.out.push(
            diag(
              'SID2005',
              e.loc,
              { path: 'loss.weighting', expected: `an arithmetic expression of ${param}`, found: describeExpr(e), example: '' },
              { help: '' },
            ),
          );
          ok = false;
          return 0;
      }
    };
    const tree = compile(f.body);
    if (!ok) return undefined;
    if (typeof tree === 'number' && !Number.isFinite(tree)) {
      this.out.push(diag('SID2021', f.body.loc, { detail: 'the weighting is not finite' }));
      return undefined;
    }
    return { expr: tree as JsonValue };
  }
}

function fold(e: { op: string; args: WeightExpr[] }): WeightExpr {
  if (!e.args.every((a) => typeof a === 'number')) return e;
  const a = e.args as number[];
  const ops: Record<string, () => number> = {
    '+': () => a[0]! + a[1]!,
    '-': () => a[0]! - a[1]!,
    '*': () => a[0]! * a[1]!,
    '/': () => a[0]! / a[1]!,
    '^': () => a[0]! ** a[1]!,
    neg: () => -a[0]!,
    ln: () => Math.log(a[0]!),
    exp: () => Math.exp(a[0]!),
    sqrt: () => Math.sqrt(a[0]!),
  };
  const v = ops[e.op]!();
  return Number.isFinite(v) ? v : e;
}

/** The number as written, for "write `512 px`" fixes. */
function numberText(e: Expr): string {
  if (e.kind === 'Number') return e.text;
  if (e.kind === 'Unary' && e.operand.kind === 'Number') return '-' + e.operand.text;
  return '<value>';
}

function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return `the number ${e.text}`;
    case 'String':
      return `the string "${e.value}"`;
    case 'Bool':
      return String(e.value);
    case 'IdentExpr':
      return `the name \`${e.name}\``;
    case 'Call':
      return `a call of \`${e.callee.name}\``;
    case 'Tuple':
      return `a tuple of ${e.elements.length}`;
    case 'List':
      return `a list of ${e.elements.length}`;
    case 'Binary':
      return e.op === 'x' ? 'a count x device expression' : 'an arithmetic expression';
    case 'Unary':
      return 'a negative number';
    case 'UnitExpr':
      return `a value in ${e.unit}`;
    case 'Restrict':
      return 'a restricted distribution';
    case 'Paren':
      return describeExpr(e.inner);
  }
}

export type { CallExpr };
