// Validates one canonical JSON value against its setting's type (settings.ts): types, ranges, integers,
// enum members, distribution parameters, weightings, devices, guidance, text. Shared by the .sid path
// (after evaluate.ts) and the YAML/JSON path, and mirrored by the generated JSON Schema
// (test/compiler/schema-agreement checks the two agree).
import type { Code } from '../diagnostics/catalogue.js';
import { DISTRIBUTIONS, DISTRIBUTIONS_BY_NAME } from '../recipe/distributions.js';
import type { JsonValue, SettingType } from '../recipe/settings.js';
import { WEIGHTINGS } from '../recipe/settings.js';
import { isWeightExpr } from '../recipe/weightings.js';
import { suggestion } from '../util/names.js';

interface ValueProblem {
  code: Code;
  args: Record<string, unknown>;
  /** Path inside the value (object keys / array indices), for YAML locations. */
  at: (string | number)[];
}

const show = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));
const isObj = (v: JsonValue): v is { [k: string]: JsonValue } => v !== null && typeof v === 'object' && !Array.isArray(v);

export function typeName(t: SettingType): string {
  switch (t.kind) {
    case 'number':
      return t.integer ? 'a whole number' + (t.unit ? ` of ${t.unit}` : '') : 'a number' + (t.unit ? ` of ${t.unit}` : '');
    case 'string':
      return 'a string';
    case 'path':
      return 'a path string';
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'interval':
      return 'an interval (lo, hi)';
    case 'distribution':
      return 'a distribution such as logit_normal(ln(2), 1.6) or uniform';
    case 'weighting':
      return 'a weighting name or `w(t) = <expression>`';
    case 'devices':
      return 'devices such as 8 x gpu(80 GB)';
    case 'guidance':
      return 'cfg(scale), embedded(scale) or none';
    case 'text':
      return 'precomputed("dir"), encoder or labels';
    case 'list':
      return `a list of ${typeName(t.of)}`;
  }
}

export function describeJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string "${v}"`;
  return `${typeof v} ${String(v)}`;
}

function checkNumber(path: string, t: Extract<SettingType, { kind: 'number' }>, v: JsonValue, at: (string | number)[], out: ValueProblem[]): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    out.push({ code: 'SID2005', args: { path, expected: typeName(t), found: describeJson(v), example: '' }, at });
    return;
  }
  if (t.integer && !Number.isInteger(v)) out.push({ code: 'SID2008', args: { path, value: v }, at });
  const bad = (constraint: string): void => void out.push({ code: 'SID2007', args: { path, value: v, constraint }, at });
  if (t.min !== undefined && (t.exclusiveMin ? v <= t.min : v < t.min)) bad(t.exclusiveMin ? `> ${t.min}` : `>= ${t.min}`);
  else if (t.max !== undefined && v > t.max) bad(`<= ${t.max}`);
}

function checkFields(path: string, v: { [k: string]: JsonValue }, allowed: string[], at: (string | number)[], out: ValueProblem[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      out.push({ code: 'SID2002', args: { path: `${path}.${k}`, hint: suggestion(k, allowed), known: `fields: ${allowed.join(', ')}` }, at: [...at, k] });
  }
}

export function validateValue(path: string, t: SettingType, v: JsonValue, at: (string | number)[] = []): ValueProblem[] {
  const out: ValueProblem[] = [];
  const mismatch = (): void => void out.push({ code: 'SID2005', args: { path, expected: typeName(t), found: describeJson(v), example: '' }, at });
  switch (t.kind) {
    case 'number':
      checkNumber(path, t, v, at, out);
      break;
    case 'string':
    case 'path':
      if (typeof v !== 'string') mismatch();
      else if (t.kind === 'path' && v.length === 0) out.push({ code: 'SID2007', args: { path, value: '""', constraint: 'a non-empty path' }, at });
      break;
    case 'bool':
      if (typeof v !== 'boolean') mismatch();
      break;
    case 'enum':
      if (typeof v !== 'string') mismatch();
      else if (!t.values.includes(v)) out.push({ code: 'SID2006', args: { value: v, path, hint: suggestion(v, t.values), values: t.values.join(', ') }, at });
      break;
    case 'interval':
      if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) mismatch();
      break;
    case 'list':
      if (!Array.isArray(v)) mismatch();
      else v.forEach((x, i) => out.push(...validateValue(`${path}[${i}]`, t.of, x, [...at, i])));
      break;
    case 'distribution': {
      if (!isObj(v) || typeof v.kind !== 'string') return (mismatch(), out);
      const d = DISTRIBUTIONS_BY_NAME.get(v.kind);
      if (!d) {
        out.push({
          code: 'SID2020',
          args: {
            name: v.kind,
            hint: suggestion(
              v.kind,
              DISTRIBUTIONS.map((x) => x.name),
            ),
            known: DISTRIBUTIONS.map((x) => x.name).join(', '),
          },
          at: [...at, 'kind'],
        });
        break;
      }
      checkFields(path, v, ['kind', 'interval', ...d.params.map((p) => p.name)], at, out);
      for (const p of d.params) {
        if (v[p.name] === undefined) continue;
        checkNumber(
          `${path}.${p.name}`,
          { kind: 'number', ...(p.min !== undefined ? { min: p.min } : {}), ...(p.exclusiveMin ? { exclusiveMin: true } : {}) },
          v[p.name]!,
          [...at, p.name],
          out,
        );
      }
      if (v.interval !== undefined) out.push(...validateValue(`${path}.interval`, { kind: 'interval' }, v.interval, [...at, 'interval']));
      break;
    }
    case 'weighting':
      if (!isObj(v)) return (mismatch(), out);
      if ('name' in v) {
        checkFields(path, v, ['name'], at, out);
        if (typeof v.name !== 'string') mismatch();
        else if (!(WEIGHTINGS as readonly string[]).includes(v.name))
          out.push({ code: 'SID2011', args: { name: v.name, hint: suggestion(v.name, WEIGHTINGS), known: WEIGHTINGS.join(', ') }, at: [...at, 'name'] });
      } else if ('expr' in v) {
        checkFields(path, v, ['expr'], at, out);
        if (!isWeightExpr(v.expr!))
          out.push({
            code: 'SID2005',
            args: { path: `${path}.expr`, expected: 'an expression tree of t', found: describeJson(v.expr!), example: '' },
            at: [...at, 'expr'],
          });
      } else mismatch();
      break;
    case 'devices':
      if (!isObj(v)) return (mismatch(), out);
      checkFields(path, v, ['count', 'kind', 'memory_gb', 'tflops'], at, out);
      checkNumber(`${path}.count`, { kind: 'number', integer: true, min: 1 }, v.count ?? null, [...at, 'count'], out);
      if (v.kind !== 'gpu' && v.kind !== 'cpu')
        out.push({
          code: 'SID2006',
          args: {
            value: show(v.kind ?? null),
            path: `${path}.kind`,
            hint: typeof v.kind === 'string' ? suggestion(v.kind, ['gpu', 'cpu']) : '',
            values: 'gpu, cpu',
          },
          at: [...at, 'kind'],
        });
      checkNumber(`${path}.memory_gb`, { kind: 'number', min: 0, exclusiveMin: true }, v.memory_gb ?? null, [...at, 'memory_gb'], out);
      if (v.tflops !== undefined) checkNumber(`${path}.tflops`, { kind: 'number', min: 0, exclusiveMin: true }, v.tflops, [...at, 'tflops'], out);
      break;
    case 'guidance':
      if (!isObj(v)) return (mismatch(), out);
      checkFields(path, v, ['mode', 'scale'], at, out);
      if (v.mode !== 'cfg' && v.mode !== 'embedded' && v.mode !== 'none')
        out.push({
          code: 'SID2006',
          args: {
            value: show(v.mode ?? null),
            path: `${path}.mode`,
            hint: typeof v.mode === 'string' ? suggestion(v.mode, ['cfg', 'embedded', 'none']) : '',
            values: 'cfg, embedded, none',
          },
          at: [...at, 'mode'],
        });
      checkNumber(`${path}.scale`, { kind: 'number', min: 0 }, v.scale ?? null, [...at, 'scale'], out);
      break;
    case 'text':
      if (!isObj(v)) return (mismatch(), out);
      if (v.mode === 'precomputed') {
        checkFields(path, v, ['mode', 'path'], at, out);
        if (typeof v.path !== 'string' || v.path.length === 0)
          out.push({
            code: 'SID2005',
            args: { path: `${path}.path`, expected: 'a directory path string', found: describeJson(v.path ?? null), example: '' },
            at: [...at, 'path'],
          });
      } else if (v.mode === 'encoder') {
        checkFields(path, v, ['mode', 'tokens'], at, out);
        if (v.tokens !== undefined) checkNumber(`${path}.tokens`, { kind: 'number', integer: true, min: 2 }, v.tokens, [...at, 'tokens'], out);
      } else if (v.mode === 'labels') checkFields(path, v, ['mode'], at, out);
      else
        out.push({
          code: 'SID2006',
          args: {
            value: show(v.mode ?? null),
            path: `${path}.mode`,
            hint: typeof v.mode === 'string' ? suggestion(v.mode, ['precomputed', 'encoder', 'labels']) : '',
            values: 'precomputed, encoder, labels',
          },
          at: [...at, 'mode'],
        });
      break;
  }
  return out;
}
