// Markdown for a setting or section, built from the settings table: doc, type, unit, default, paper
// reference. Defaults are shown the way a recipe writes them (`5e-6`, `(0, 1)`, `logit_normal(0.6931, 1.6)`).
import type { JsonValue, Setting, SettingType } from '../recipe/settings.js';
import { SECTIONS_BY_NAME } from '../recipe/settings.js';
import { rangeText } from '../check/typical.js';

export function typeSummary(t: SettingType): string {
  switch (t.kind) {
    case 'number': {
      const bounds: string[] = [];
      if (t.min !== undefined) bounds.push(`${t.exclusiveMin ? '>' : '>='} ${t.min}`);
      if (t.max !== undefined) bounds.push(`<= ${t.max}`);
      return `${t.integer ? 'integer' : 'number'}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
    }
    case 'enum':
      return t.values.map((v) => `\`${v}\``).join(' | ');
    case 'list':
      return `list of ${typeSummary(t.of)}`;
    default:
      return t.kind;
  }
}

function unitOf(t: SettingType): string | undefined {
  if (t.kind === 'number') return t.unit;
  if (t.kind === 'list') return unitOf(t.of);
  return undefined;
}

/** A canonical JSON value written as .sid source. */
export function sidValue(v: JsonValue, t: SettingType): string {
  const unit = unitOf(t);
  if (typeof v === 'number') return unit ? `${compact(v)} ${unit}` : compact(v);
  if (typeof v === 'string') return t.kind === 'enum' ? v : JSON.stringify(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) {
    if (t.kind === 'interval') return `(${v.map((x) => sidValue(x, { kind: 'number' })).join(', ')})`;
    const of = t.kind === 'list' ? t.of : t;
    return `[${v.map((x) => sidValue(x, of)).join(', ')}]`;
  }
  const o = v as Record<string, JsonValue>;
  switch (t.kind) {
    case 'distribution': {
      const args = o.kind === 'logit_normal' ? `(${compact(o.mean as number)}, ${compact(o.std as number)})` : '';
      const on = Array.isArray(o.interval) ? ` on ${sidValue(o.interval, { kind: 'interval' })}` : '';
      return `${String(o.kind)}${args}${on}`;
    }
    case 'weighting':
      return typeof o.name === 'string' ? o.name : 'w(t) = ...';
    case 'devices':
      return `${String(o.count)} x ${String(o.kind)}(${String(o.memory_gb)} GB${o.tflops !== undefined ? `, ${String(o.tflops)} TFLOPS` : ''})`;
    case 'guidance':
      return o.mode === 'none' ? 'none' : `${String(o.mode)}(${String(o.scale)})`;
    case 'text':
      if (o.mode === 'precomputed') return `precomputed(${JSON.stringify(o.path)})`;
      return o.mode === 'encoder' && typeof o.tokens === 'number' ? `encoder(${o.tokens})` : String(o.mode);
    default:
      return JSON.stringify(v);
  }
}

function compact(x: number): string {
  if (Number.isInteger(x) && x >= 1e6 && x % 1e6 === 0) return `${x / 1e6}M`;
  if (Number.isInteger(x) && x >= 1e3 && x % 1e3 === 0) return `${x / 1e3}k`;
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential().replace('e-', 'e-').replace(/\.0+e/, 'e');
  return String(+x.toPrecision(4));
}

export function settingMarkdown(s: Setting): string {
  const lines = [`**${s.path}**: ${typeSummary(s.type)}`, '', s.doc, ''];
  const unit = unitOf(s.type);
  if (unit) lines.push(`- unit: \`${unit}\``);
  if (s.default !== undefined) lines.push(`- default: \`${sidValue(s.default, s.type)}\``);
  else lines.push(s.optional ? '- optional' : '- required (unless the recipe is abstract)');
  if (s.families) lines.push(`- teacher families: ${s.families.join(', ')}`);
  if (s.ref) lines.push(`- paper: ${s.ref}`);
  if (s.typical)
    lines.push(`- typical: ${rangeText(s.typical)}${s.typical.field ? ` (${s.typical.field})` : ''}; the paper uses ${s.typical.paper} (${s.typical.ref})`);
  return lines.join('\n').trimEnd();
}

export function sectionMarkdown(name: string): string | undefined {
  const sec = SECTIONS_BY_NAME.get(name);
  if (!sec) return undefined;
  return [`**${name}** (section)`, '', sec.doc, ...(sec.labelKey ? ['', `- label sets \`${sec.labelKey}\`: \`${name} <value> { ... }\``] : [])].join('\n');
}
