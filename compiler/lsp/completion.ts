// Completion: walks the tokens before the cursor (walk.ts) and offers what the grammar and the settings
// table allow there: keys of the current section, section labels (teacher families, precisions), values
// of the key's type (enum values, weightings, distributions, guidance, devices), units, stage and recipe names.
import { SECTIONS, SETTINGS, SETTINGS_BY_PATH, STAGE_KINDS } from '../recipe/settings.js';
import type { Setting } from '../recipe/settings.js';
import { scan } from './scan.js';
import type { Expect } from './walk.js';
import { walk } from './walk.js';
import { sectionMarkdown, settingMarkdown, sidValue, typeSummary } from './setting-docs.js';
import { CALLS, KEYWORDS, UNIT_DOCS, valueWords } from './vocab.js';

export type ItemKind = 'keyword' | 'property' | 'module' | 'value' | 'function' | 'unit' | 'reference';

interface Item {
  label: string;
  kind: ItemKind;
  detail?: string;
  doc?: string; // markdown
  insert?: string; // snippet text when different from label
}

interface CompletionResult {
  items: Item[];
  start: number; // the word being typed: [start, end) is replaced
  end: number;
}

interface CompletionContext {
  /** Recipes visible from this file (its own and imported ones), for `extends` and `over`. */
  recipeNames: () => string[];
  /** Typed a space (the editor asks on its own): offer only what that space asks for - a label, a value,
   *  a unit, a stage or recipe name - never the whole key list after every value. */
  afterSpace?: boolean;
}

export function completeAt(text: string, offset: number, ctx: CompletionContext): CompletionResult {
  const tokens = scan(text);
  const _inside = tokens.find((t) => t.start < offset && offset < t.end);
  const quiet = tokens.some(
    (t) => (t.kind === 'comment' || t.kind === 'string') && t.start < offset && (offset < t.end || (offset === t.end && t.text.startsWith('//'))),
  );
  if (quiet) return { items: [], start: offset, end: offset }; // inside a comment or a string
  const word = tokens.find((t) => t.kind === 'ident' && t.start < offset && offset <= t.end);
  const before = tokens.filter((t) => t.end <= (word ? word.start : offset));
  const expect = walk(before).expect;
  const quietAfterSpace =
    ctx.afterSpace && (expect.kind === 'key' || expect.kind === 'top' || (expect.kind === 'value' && expect.complete && !expect.afterNumber));
  const items = quietAfterSpace
    ? []
    : itemsFor(expect, ctx).filter((it) => !(ctx.afterSpace && expect.kind === 'value' && expect.complete && it.kind !== 'unit'));
  return { items, start: word ? word.start : offset, end: word ? word.end : offset };
}

function itemsFor(e: Expect, ctx: CompletionContext): Item[] {
  switch (e.kind) {
    case 'top':
      return ['import', 'recipe', 'abstract', 'sweep'].map(keyword);
    case 'recipe-keyword':
      return [keyword('recipe')];
    case 'extends-or-body':
      return [keyword('extends')];
    case 'over':
      return [keyword('over')];
    case 'recipe-ref':
      return ctx
        .recipeNames()
        .filter((name) => name !== e.self)
        .map((name) => ({ label: name, kind: 'reference', detail: 'recipe' }));
    case 'key':
      return keys(e.prefix, e.typed, e.inSweep, e.label);
    case 'label': {
      const s = e.labelKey ? SETTINGS_BY_PATH.get(e.labelKey) : undefined;
      return s ? values(s) : [];
    }
    case 'stage-name':
      return STAGE_KINDS.map((k) => ({ label: k, kind: 'module', detail: 'stage', doc: sectionMarkdown(k) ?? `The ${k} stage.` }));
    case 'stage-after':
      return [...new Set([...e.stageNames, ...STAGE_KINDS])].map((k) => ({ label: k, kind: 'reference', detail: 'stage' }));
    case 'value': {
      const s = e.setting ? SETTINGS_BY_PATH.get(e.setting) : undefined;
      if (e.complete) {
        const unit = s && unitOf(s);
        const unitItems = e.afterNumber && unit ? [{ label: unit, kind: 'unit' as const, detail: `unit of ${s.path}`, doc: UNIT_DOCS[unit] ?? '' }] : [];
        return e.call ? unitItems : [...unitItems, ...keys(e.prefix, [], e.inSweep)];
      }
      if (e.call) return words(CALLS.number!, 'function'); // arguments of a call are numbers: ln(2)
      return s ? values(s) : [];
    }
    default:
      return [];
  }
}

function keyword(word: string): Item {
  const k = KEYWORDS[word]!;
  return { label: word, kind: 'keyword', doc: k.doc, ...(k.snippet ? { insert: k.snippet } : {}) };
}

/** Keys below `prefix.typed`: the next path segment of every setting there, and sections at recipe level. */
function keys(prefix: string, typed: string[], inSweep: boolean, family?: string): Item[] {
  const base = [prefix, ...typed].filter(Boolean).join('.');
  const items = new Map<string, Item>();
  if (inSweep && typed.length === 0) {
    for (const s of SETTINGS)
      items.set(s.path, { label: s.path, kind: 'property', detail: typeSummary(s.type), doc: settingMarkdown(s), insert: `${s.path} in [$0]` });
    for (const g of ['grid', 'zip']) items.set(g, keyword(g));
    return [...items.values()];
  }
  for (const s of SETTINGS) {
    if (base && !s.path.startsWith(base + '.')) continue;
    if (family && prefix === 'teacher' && s.families && !s.families.includes(family)) continue; // `teacher flux { dim` makes no sense
    const rest = base ? s.path.slice(base.length + 1) : s.path;
    const seg = rest.split('.')[0]!;
    if (seg === rest) items.set(seg, settingItem(seg, s));
    else if (!items.has(seg) && !base) {
      // a section at recipe level
      items.set(seg, { label: seg, kind: 'module', detail: 'section', doc: sectionMarkdown(seg) ?? '', insert: `${seg} {\n\t$0\n}` });
    }
  }
  if (!base) {
    for (const sec of SECTIONS)
      if (!items.has(sec.name))
        items.set(sec.name, { label: sec.name, kind: 'module', detail: 'section', doc: sectionMarkdown(sec.name) ?? '', insert: `${sec.name} {\n\t$0\n}` });
    items.set('stage', keyword('stage'));
    // dotted keys written at recipe level: `optimizer.lr = 1e-5`
    if (typed.length === 0) for (const s of SETTINGS) items.set(s.path, settingItem(s.path, s));
  }
  return [...items.values()];
}

function settingItem(label: string, s: Setting): Item {
  const def = s.default !== undefined ? `\${1:${sidValue(s.default, s.type).replace(/[$}\\]/g, '\\$&')}}` : '$1';
  return { label, kind: 'property', detail: typeSummary(s.type), doc: settingMarkdown(s), insert: `${label} = ${def}` };
}

function values(s: Setting): Item[] {
  const kind = s.type.kind === 'enum' || s.type.kind === 'bool' || s.type.kind === 'weighting' ? 'value' : 'function';
  return words(valueWords(s.type), kind, s);
}

function words(table: Record<string, { doc: string; ref?: string; snippet?: string }>, kind: ItemKind, s?: Setting): Item[] {
  return Object.entries(table).map(([label, w]) => ({
    label,
    kind,
    ...(s ? { detail: s.path } : {}),
    doc: w.ref ? `${w.doc}\n\n- paper: ${w.ref}` : w.doc,
    ...(w.snippet ? { insert: w.snippet } : {}),
  }));
}

function unitOf(s: Setting): string | undefined {
  const t = s.type.kind === 'list' ? s.type.of : s.type;
  return t.kind === 'number' ? t.unit : undefined;
}
