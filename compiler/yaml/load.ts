// The YAML/JSON recipe form: parsed with the `yaml` package (JSON is read the same way), validated by
// the generated JSON Schema through ajv, with ajv errors mapped back to the YAML node's line/column and
// to SID codes, then turned into the same declarations as a .sid file (values already canonical JSON).
//
//   recipe: sana_600m_512          # name (default: the file name)
//   extends: sid_dit               # optional; imports: [./base.sid]
//   teacher: { family: sana, config: sana_600m }
//   optimizer: { lr: 5.0e-6 }
//   time: { interval: [0, 0.333] }
//   hardware: { devices: { count: 8, kind: gpu, memory_gb: 80 } }
//   stages: { adversarial: { after: [sid], optimizer: { lr: 1.0e-6 } } }
//   sweeps: { fig3: { over: sana_600m_512, axes: { time.interval: [[0, 0.333], [0.333, 0.667]] } } }
import { basename, extname } from 'node:path';
import type { ErrorObject } from 'ajv';
import { isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Loc } from '../../grammar/ast.js';
import { MAX_NESTING } from '../../grammar/index.js';
import { checkPath, settingHint, knownInSection } from '../collect/collect.js';
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Assignment, AxisDecl, AxisGroupDecl, FileDecls, RecipeDecl, StageDecl } from '../model.js';
import { SECTIONS, SECTIONS_BY_NAME, SETTINGS_BY_PATH, STAGE_KINDS, type JsonValue } from '../recipe/settings.js';
import { validateRecipeJson } from '../schema/validate.js';
import { validateValue } from '../check/values.js';
import { LineMap } from '../util/loc.js';
import { suggestion } from '../util/names.js';

const TOP_KEYS = ['recipe', 'abstract', 'extends', 'imports', 'stages', 'sweeps', ...SECTIONS.map((s) => s.name)];

class YamlFile {
  readonly map: LineMap;
  constructor(
    readonly file: string,
    text: string,
    readonly doc: Document,
  ) {
    this.map = new LineMap(text);
  }

  loc(range: readonly number[] | null | undefined): Loc {
    const [s = 0, e = s] = range ?? [];
    return { file: this.file, range: this.map.range(s, Math.max(s, e)) };
  }

  node(segs: (string | number)[]): Node | undefined {
    return (segs.length ? this.doc.getIn(segs, true) : this.doc.contents) as Node | undefined;
  }

  pair(segs: (string | number)[], key: string): Pair | undefined {
    const parent = this.node(segs);
    if (!isMap(parent)) return undefined;
    return (parent as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
  }

  keyLoc(segs: (string | number)[]): Loc {
    if (segs.length === 0) return this.loc(this.doc.contents?.range);
    const p = this.pair(segs.slice(0, -1), String(segs[segs.length - 1]));
    return this.loc((p?.key as Node | undefined)?.range ?? this.node(segs)?.range);
  }

  valueLoc(segs: (string | number)[]): Loc {
    const n = this.node(segs);
    return n ? this.loc(n.range) : this.keyLoc(segs);
  }
}

function pointer(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(v: unknown, segs: (string | number)[]): JsonValue | undefined {
  let cur = v as JsonValue | undefined;
  for (const s of segs) cur = cur && typeof cur === 'object' ? (cur as Record<string, JsonValue>)[s as string] : undefined;
  return cur;
}

/** The setting addressed by a path inside the document, if any: [section, leaf] or [stages, kind, section, leaf]. */
function settingAt(segs: string[]): { path: string; base: string[] } | undefined {
  const off = segs[0] === 'stages' ? 2 : 0;
  if (segs.length < off + 2) return undefined;
  const path = `${segs[off]}.${segs[off + 1]}`;
  return SETTINGS_BY_PATH.has(path) ? { path, base: segs.slice(0, off + 2) } : undefined;
}

function mapErrors(y: YamlFile, value: unknown, errors: ErrorObject[], out: Diagnostic[]): Set<string> {
  const bad = new Set<string>();
  const doneSettings = new Set<string>();
  for (const e of errors) {
    const segs = pointer(e.instancePath);
    if (segs[0] === 'sweeps') {
      const prop = (e as { propertyName?: string }).propertyName;
      if (e.keyword === 'propertyNames' || prop !== undefined) {
        if (e.keyword !== 'propertyNames' && prop === undefined) continue;
        const k = String(prop ?? (e.params as { propertyName?: string }).propertyName ?? '');
        if (e.keyword === 'propertyNames' && bad.has([...segs, k].join('/'))) continue;
        bad.add([...segs, k].join('/'));
        out.push(diag('SID2002', y.keyLoc([...segs, k]), { path: k, hint: settingHint(k), known: knownInSection(k) }));
      } else {
        bad.add(segs.join('/'));
        out.push(
          diag('SID2005', y.valueLoc(segs), { path: segs.join('.'), expected: e.message ?? 'another value', found: 'this value', example: '' }, { help: '' }),
        );
      }
      continue;
    }
    const s = settingAt(segs);
    if (s) {
      const key = s.base.join('/');
      bad.add(key);
      if (doneSettings.has(key)) continue;
      doneSettings.add(key);
      const problems = validateValue(s.path, SETTINGS_BY_PATH.get(s.path)!.type, getAt(value, s.base) ?? null);
      for (const p of problems) out.push(diag(p.code, y.valueLoc([...s.base, ...p.at]), p.args));
      if (!problems.length)
        out.push(
          diag('SID2005', y.valueLoc(s.base), { path: s.path, expected: 'a valid value', found: e.message ?? 'an invalid value', example: '' }, { help: '' }),
        );
      continue;
    }
    const inStage = segs[0] === 'stages' ? 2 : 0;
    if (e.keyword === 'additionalProperties') {
      const k = String((e.params as { additionalProperty: string }).additionalProperty);
      const at = [...segs, k];
      bad.add(at.join('/'));
      if (segs.length === inStage) {
        if (k.includes('.') && SETTINGS_BY_PATH.has(k))
          out.push(
            diag('SID2001', y.keyLoc(at), {
              name: k,
              hint: `; write it nested: \`${k.split('.')[0]}: { ${k.split('.')[1]}: ... }\``,
              known: SECTIONS.map((x) => x.name).join(', '),
            }),
          );
        else
          out.push(
            diag('SID2001', y.keyLoc(at), {
              name: k,
              hint: suggestion(k, inStage ? ['after', ...SECTIONS.map((x) => x.name)] : TOP_KEYS),
              known: SECTIONS.map((x) => x.name).join(', '),
            }),
          );
      } else {
        const path = `${segs[inStage]}.${k}`;
        out.push(diag('SID2002', y.keyLoc(at), { path, hint: settingHint(path), known: knownInSection(path) }));
      }
    } else if (e.keyword === 'propertyNames') {
      const k = String((e.params as { propertyName?: string }).propertyName ?? '');
      bad.add(['stages', k].join('/'));
      out.push(diag('SID2017', y.keyLoc(['stages', k]), { name: k, hint: suggestion(k, STAGE_KINDS), known: STAGE_KINDS.join(', ') }));
    } else if (e.keyword === 'enum' && segs[0] === 'stages' && segs.length === 1) {
    } else {
      bad.add(segs.join('/'));
      const last = segs[segs.length - 1] ?? 'the recipe';
      if (segs.length === inStage + 1 && SECTIONS_BY_NAME.has(last))
        out.push(diag('SID2023', y.valueLoc(segs), { name: last, expected: 'a mapping of settings', example: `write \`${last}: { ... }\`` }));
      else
        out.push(
          diag(
            'SID2005',
            y.valueLoc(segs),
            { path: segs.join('.') || 'the recipe', expected: e.message ?? 'another value', found: 'this value', example: '' },
            { help: '' },
          ),
        );
    }
  }
  return bad;
}

function sectionAssignments(y: YamlFile, value: Record<string, unknown>, prefix: string[], origin: string, bad: Set<string>, skip: string[]): Assignment[] {
  const out: Assignment[] = [];
  for (const [sec, body] of Object.entries(value)) {
    if (skip.includes(sec) || !SECTIONS_BY_NAME.has(sec) || !body || typeof body !== 'object' || Array.isArray(body)) continue;
    for (const [leaf, v] of Object.entries(body as Record<string, JsonValue>)) {
      const segs = [...prefix, sec, leaf];
      if (!SETTINGS_BY_PATH.has(`${sec}.${leaf}`)) continue;
      const invalid = bad.has(segs.join('/'));
      out.push({ path: `${sec}.${leaf}`, keyLoc: y.keyLoc(segs), value: { json: v }, valueLoc: y.valueLoc(segs), origin, ...(invalid ? { invalid } : {}) });
    }
  }
  return out;
}

/** `sweeps: { name: { over, axes: {path: [values]}, grid: [{...}], zip: [{...}] } }` -> a SweepDecl. */
function loadSweep(y: YamlFile, name: string, body: unknown, bad: Set<string>, decls: FileDecls, checkNames?: Diagnostic[]): void {
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { over?: unknown }).over !== 'string') return;
  const b = body as { over: string; axes?: unknown; grid?: unknown; zip?: unknown };
  const base = ['sweeps', name];
  const origin = `sweep ${name}`;
  let dropped = false; // an axis already reported as invalid: no "sweep has no axes" on top
  const axesOf = (obj: unknown, segs: (string | number)[]): AxisDecl[] => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
    const out: AxisDecl[] = [];
    for (const [path, list] of Object.entries(obj as Record<string, unknown>)) {
      const at = [...segs, path];
      const valid = !bad.has(at.join('/')) && Array.isArray(list) && (!checkNames || checkPath(path, y.keyLoc(at), checkNames)) && SETTINGS_BY_PATH.has(path);
      if (!valid || !Array.isArray(list)) {
        dropped = true;
        continue;
      }
      out.push({
        path,
        pathLoc: y.keyLoc(at),
        loc: y.valueLoc(at),
        values: list.map((v, i) => ({ path, keyLoc: y.keyLoc(at), value: { json: v as JsonValue }, valueLoc: y.valueLoc([...at, i]), origin })),
      });
    }
    return out;
  };
  const groups: AxisGroupDecl[] = axesOf(b.axes, [...base, 'axes']).map((a) => ({ mode: 'grid', axes: [a], loc: a.loc }));
  for (const mode of ['grid', 'zip'] as const) {
    const list = b[mode];
    if (Array.isArray(list)) list.forEach((g, i) => groups.push({ mode, axes: axesOf(g, [...base, mode, i]), loc: y.valueLoc([...base, mode, i]) }));
  }
  if (dropped && groups.every((g) => g.axes.length === 0)) return;
  decls.sweeps.push({ name, nameLoc: y.keyLoc(base), loc: y.valueLoc(base), over: { name: b.over, loc: y.valueLoc([...base, 'over']) }, file: y.file, groups });
}

/** Without the schema (`useSchema: false`) names and values are checked by the checker alone
 * (checkPath + check/values.ts); test/compiler/schema/agreement.test.ts compares the two verdicts. */
function checkerOnly(y: YamlFile, value: Record<string, unknown>, out: Diagnostic[]): Set<string> {
  const bad = new Set<string>();
  const walk = (obj: Record<string, unknown>, prefix: string[]): void => {
    for (const [sec, body] of Object.entries(obj)) {
      if (prefix.length === 0 && ['recipe', 'abstract', 'extends', 'imports', 'stages', 'sweeps'].includes(sec)) continue;
      if (prefix.length && sec === 'after') continue;
      const segs = [...prefix, sec];
      if (!SECTIONS_BY_NAME.has(sec)) {
        bad.add(segs.join('/'));
        out.push(diag('SID2001', y.keyLoc(segs), { name: sec, hint: suggestion(sec, TOP_KEYS), known: SECTIONS.map((x) => x.name).join(', ') }));
        continue;
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        bad.add(segs.join('/'));
        out.push(diag('SID2023', y.valueLoc(segs), { name: sec, expected: 'a mapping of settings', example: `write \`${sec}: { ... }\`` }));
        continue;
      }
      for (const leaf of Object.keys(body)) if (!checkPath(`${sec}.${leaf}`, y.keyLoc([...segs, leaf]), out)) bad.add([...segs, leaf].join('/'));
    }
  };
  walk(value, []);
  if (value.stages && typeof value.stages === 'object') {
    for (const [st, body] of Object.entries(value.stages as Record<string, unknown>)) {
      if (!(STAGE_KINDS as readonly string[]).includes(st)) {
        bad.add(`stages/${st}`);
        out.push(diag('SID2017', y.keyLoc(['stages', st]), { name: st, hint: suggestion(st, STAGE_KINDS), known: STAGE_KINDS.join(', ') }));
      } else if (body && typeof body === 'object') walk(body as Record<string, unknown>, ['stages', st]);
    }
  }
  return bad;
}

/** The range of the first node nested deeper than the .sid parser allows (iterative: no recursion). */
function tooDeep(doc: Document): readonly number[] | undefined {
  const stack: [unknown, number][] = [[doc.contents, 0]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    if (isPair(n)) stack.push([n.key, depth], [n.value, depth]);
    else if (isCollection(n)) {
      if (depth >= MAX_NESTING) return n.range ?? undefined;
      for (const item of n.items) stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

const DEEP = `nested more than ${MAX_NESTING} levels deep`;

export function loadYamlRecipe(text: string, file: string, out: Diagnostic[], options: { useSchema?: boolean } = {}): FileDecls {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const y = new YamlFile(file, text, doc);
  const format = /\.json$/i.test(file) ? 'JSON' : 'YAML';
  const decls: FileDecls = { file, imports: [], recipes: [], sweeps: [] };
  if (doc.errors.length) {
    // The yaml package reports its own stack overflow as an error: say what it means instead.
    for (const e of doc.errors)
      out.push(
        /call stack/i.test(e.message)
          ? diag('SID1008', y.loc(e.pos), { detail: DEEP })
          : diag('SID1010', y.loc(e.pos), { format, detail: e.message.split('\n')[0] }),
      );
    return decls;
  }
  const deep = tooDeep(doc); // toJS and ajv recurse: stop before them
  if (deep) {
    out.push(diag('SID1008', y.loc(deep.slice(0, 1)), { detail: DEEP }));
    return decls;
  }
  const value = doc.toJS() as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    out.push(diag('SID1010', y.loc(doc.contents?.range ?? [0, 0]), { format, detail: 'a recipe must be a mapping of sections' }));
    return decls;
  }
  const bad = options.useSchema === false ? checkerOnly(y, value as Record<string, unknown>, out) : mapErrors(y, value, validateRecipeJson(value), out);
  const v = value as Record<string, unknown>;
  const name = typeof v.recipe === 'string' ? v.recipe : basename(file, extname(file)).replace(/[^A-Za-z0-9_]/g, '_');
  const nameLoc = typeof v.recipe === 'string' ? y.valueLoc(['recipe']) : y.loc([0, 0]);
  if (Array.isArray(v.imports)) v.imports.forEach((p, i) => typeof p === 'string' && decls.imports.push({ path: p, loc: y.valueLoc(['imports', i]) }));
  const stages: StageDecl[] = [];
  if (v.stages && typeof v.stages === 'object' && !bad.has('stages')) {
    for (const [st, body] of Object.entries(v.stages as Record<string, unknown>)) {
      if (bad.has(`stages/${st}`) || !body || typeof body !== 'object') continue;
      const b = body as Record<string, unknown>;
      const after = Array.isArray(b.after) ? b.after.map((a, i) => ({ name: String(a), loc: y.valueLoc(['stages', st, 'after', i]) })) : [];
      stages.push({
        name: st,
        nameLoc: y.keyLoc(['stages', st]),
        loc: y.valueLoc(['stages', st]),
        after,
        assignments: sectionAssignments(y, b, ['stages', st], `${name} stage ${st}`, bad, ['after']),
      });
    }
  }
  const recipe: RecipeDecl = {
    name,
    nameLoc,
    loc: y.loc(doc.contents?.range ?? [0, text.length]),
    abstract: v.abstract === true,
    ...(typeof v.extends === 'string' ? { extends: { name: v.extends, loc: y.valueLoc(['extends']) } } : {}),
    file,
    assignments: sectionAssignments(y, v, [], name, bad, ['stages']),
    stages,
  };
  const sweeps = v.sweeps && typeof v.sweeps === 'object' && !Array.isArray(v.sweeps) ? (v.sweeps as Record<string, unknown>) : undefined;
  // A file of only imports and sweeps declares no recipe of its own.
  const hasRecipe = Object.keys(v).some((k) => !['imports', 'sweeps'].includes(k)) || !sweeps;
  if (hasRecipe) decls.recipes.push(recipe);
  if (sweeps) for (const [name, body] of Object.entries(sweeps)) loadSweep(y, name, body, bad, decls, options.useSchema === false ? out : undefined);
  return decls;
}
