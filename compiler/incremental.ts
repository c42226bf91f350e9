// Per-recipe reuse of check (and lower + plan) diagnostics between compiles of the same document - what
// keeps the language server fast on a file of many recipes: an edit to one variant re-checks that variant
// only. A recipe's diagnostics are a function of the texts of its `extends` chain (its own declaration
// and every base), the names visible to it (did-you-mean hints) and whether it is lowered; nothing else is
// read (checks never touch the disk; the CLI's file checks, CompileOptions.files, bypass this cache). So the key is exactly those texts and names, and a hit is
// relocated: each diagnostic (and related place and fix edit) lies inside one declaration of the chain,
// which may have moved since (text inserted above it), so its offsets move by that declaration's shift and
// its line/column are recomputed from the current text. A recipe with a diagnostic outside its chain is
// never stored. Sweep points and `--set` compiles are not cached (the LSP has neither hot).
import type { Loc } from '../grammar/ast.js';
import type { Diagnostic } from './diagnostics/types.js';
import type { RecipeDecl, SweepDecl } from './model.js';
import { LineMap } from './util/loc.js';

interface Anchor {
  file: string;
  offset: number; // where the declaration started when the entry was stored
  line: number;
  column: number;
  length: number;
}

interface Entry {
  anchors: Anchor[];
  /** check diagnostics, incl. value errors first reported while checking this recipe */
  check: Diagnostic[];
  /** lower + plan diagnostics (SID4xxx); undefined when the recipe was not lowered */
  lowered?: Diagnostic[];
  /** a message quotes a place ("inherited from a.sid:7:3"): reusable only where nothing moved */
  pinned: boolean;
}

/** What one lookup found: the diagnostics relocated to the current text, or a key to store under. */
type Lookup = { key: string; anchors: Anchor[] } & ({ hit: true; check: Diagnostic[]; lowered?: Diagnostic[] } | { hit: false });

export class CheckCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lineMaps = new Map<string, LineMap>();
  private readonly namesOf = new Map<string, string>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 4096) {}

  /**
   * Look `decl` up in the current `sources`. A hit gives its check diagnostics, and its lower + plan ones
   * when it was lowered; the caller decides whether it needs those (and recomputes when it does and they
   * are missing).
   */
  lookup(decl: RecipeDecl, visible: Map<string, RecipeDecl>, sweeps: Map<string, SweepDecl>, sources: Map<string, string>): Lookup {
    const chain = chainOf(decl, visible);
    const anchors = chain.map((d) => {
      const { offset, line, column } = d.loc.range.start;
      return { file: d.file, offset, line, column, length: d.loc.range.end.offset - offset };
    });
    const texts = chain.map((d) => [d.file, sources.get(d.file)?.slice(d.loc.range.start.offset, d.loc.range.end.offset) ?? '']);
    let names = this.namesOf.get(decl.file); // the same for every recipe of a file
    if (names === undefined) this.namesOf.set(decl.file, (names = JSON.stringify([[...visible.keys()].sort(), [...sweeps.keys()].sort()])));
    const key = JSON.stringify(texts) + names;
    const e = this.entries.get(key);
    const moved = (): boolean => e!.anchors.some((a, i) => a.offset !== anchors[i]!.offset || a.line !== anchors[i]!.line || a.column !== anchors[i]!.column);
    if (!e || (e.pinned && moved())) {
      this.misses++;
      return { hit: false, key, anchors };
    }
    this.entries.delete(key); // re-insert: most recently used last
    this.entries.set(key, e);
    this.hits++;
    const move = (ds: Diagnostic[]): Diagnostic[] => ds.map((d) => relocateDiag(d, e.anchors, anchors, (f) => this.lineMap(f, sources)));
    return { hit: true, key, anchors, check: move(e.check), lowered: e.lowered && move(e.lowered) };
  }

  /** Store a miss's results; skipped when a diagnostic lies outside the recipe's chain. */
  store(miss: { key: string; anchors: Anchor[] }, check: Diagnostic[], lowered?: Diagnostic[]): void {
    const all = [...check, ...(lowered ?? [])];
    if (!all.every((d) => locsOf(d).every((l) => anchorOf(l, miss.anchors) !== undefined))) return;
    const pinned = all.some((d) => [d.message, ...(d.related ?? []).map((r) => r.message)].some((m) => PLACE.test(m)));
    this.entries.set(miss.key, { anchors: miss.anchors, check: structuredClone(check), lowered: lowered && structuredClone(lowered), pinned });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Call once per compile: line maps and visible names are per program text. */
  beginCompile(): void {
    this.lineMaps.clear();
    this.namesOf.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private lineMap(file: string, sources: Map<string, string>): LineMap {
    let m = this.lineMaps.get(file);
    if (!m) this.lineMaps.set(file, (m = new LineMap(sources.get(file) ?? '')));
    return m;
  }
}

/** A quoted place, as locString writes it ("base.sid:7:3"). */
const PLACE = /:\d+:\d+/;

/** The declaration and its bases, following `extends` by name (stops at unknown names and cycles). */
function chainOf(decl: RecipeDecl, visible: Map<string, RecipeDecl>): RecipeDecl[] {
  const chain = [decl];
  for (let cur = decl; cur.extends; ) {
    const base = visible.get(cur.extends.name);
    if (!base || chain.includes(base)) break;
    chain.push(base);
    cur = base;
  }
  return chain;
}

function locsOf(d: Diagnostic): Loc[] {
  return [d.loc, ...(d.related ?? []).map((r) => r.loc), ...(d.fix?.edits ?? []).map((e) => e.loc)];
}

function anchorOf(loc: Loc, anchors: Anchor[]): number | undefined {
  const s = loc.range.start.offset;
  const e = loc.range.end.offset;
  const i = anchors.findIndex((a) => a.file === loc.file && s >= a.offset && e <= a.offset + a.length);
  return i >= 0 ? i : undefined;
}

function relocateDiag(d: Diagnostic, from: Anchor[], to: Anchor[], lineMap: (file: string) => LineMap): Diagnostic {
  const move = (loc: Loc): Loc => {
    const i = anchorOf(loc, from)!; // stored entries have every place inside an anchor
    const shift = to[i]!.offset - from[i]!.offset;
    return { file: loc.file, range: lineMap(loc.file).range(loc.range.start.offset + shift, loc.range.end.offset + shift) };
  };
  const out: Diagnostic = { ...d, loc: move(d.loc) };
  if (d.related) out.related = d.related.map((r) => ({ ...r, loc: move(r.loc) }));
  if (d.fix) out.fix = { ...d.fix, edits: d.fix.edits.map((e) => ({ ...e, loc: move(e.loc) })) };
  return out;
}
