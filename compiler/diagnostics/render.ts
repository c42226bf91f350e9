// Renders diagnostics for people (compiler style) or tools (`--format json`).
//
//   recipes/x.sid:3:16: error SID2003: `data.resolution` needs a unit: it is measured in px
//      |
//    3 |   resolution = 512
//      |                ^~~
//      = help: write `512 px`
//      = note: data.resolution inherited from recipes/base/sid-dit.sid:7:16 (recipe base)
//      |
//    7 |   resolution = 512
//      |                ^~~
//
// Lines and columns are printed 1-based; the source text comes from `sources` (what the compiler read),
// so overlays and pseudo files such as `<--set 1>` render too.
import { LineMap, locString } from '../util/loc.js';
import type { Diagnostic } from './types.js';

type SourceLookup = (file: string) => string | undefined;

/** The source line of `loc` with a caret under its range, numbered, as lines (none when the text is unknown). */
function snippet(loc: Diagnostic['loc'], text: string, width: number): string[] {
  const map = new LineMap(text);
  const { start, end } = loc.range;
  const line = Math.min(start.line, map.lineCount - 1);
  const src = map.lineText(line).replace(/\t/g, ' ');
  const num = String(line + 1).padStart(width);
  const pad = ' '.repeat(width);
  const span = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, src.length - start.column);
  if (src.length <= MAX_LINE) return [`${num} | ${src}`, `${pad} | ${' '.repeat(start.column)}^${'~'.repeat(span - 1)}`];
  // a very long line (generated or minified input, 20,000 brackets): a window around the place
  const from = Math.max(0, start.column - CONTEXT);
  const to = Math.min(src.length, start.column + Math.min(span, CONTEXT) + CONTEXT);
  const shown = `${from > 0 ? '...' : ''}${src.slice(from, to)}${to < src.length ? '...' : ''}`;
  const col = start.column - from + (from > 0 ? 3 : 0);
  return [`${num} | ${shown}`, `${pad} | ${' '.repeat(col)}^${'~'.repeat(Math.max(1, Math.min(span, to - start.column)) - 1)}`];
}

/** Source lines longer than this are shown as a window of CONTEXT characters either side of the place. */
const MAX_LINE = 200;
const CONTEXT = 80;

const samePlace = (a: Diagnostic['loc'], b: Diagnostic['loc']): boolean =>
  a.file === b.file && a.range.start.offset === b.range.start.offset && a.range.end.offset === b.range.end.offset;

export function renderDiagnostic(d: Diagnostic, sources: SourceLookup): string {
  const out: string[] = [`${locString(d.loc)}: ${d.severity} ${d.code}: ${d.message}`];
  const text = sources(d.loc.file);
  // one gutter width for the main line and every related line shown
  const shownRelated = (d.related ?? []).map((r) => ({ r, text: samePlace(r.loc, d.loc) ? undefined : sources(r.loc.file) }));
  const width = Math.max(...[d.loc, ...shownRelated.filter((x) => x.text !== undefined).map((x) => x.r.loc)].map((l) => String(l.range.start.line + 1).length));
  const pad = ' '.repeat(width);
  if (text !== undefined) {
    out.push(`${pad} |`, ...snippet(d.loc, text, width));
    if (d.help) out.push(`${pad} = help: ${d.help}`);
    for (const { r, text: rt } of shownRelated) {
      out.push(`${pad} = note: ${r.message}`);
      // the related place itself (where an inherited value was written, the first definition, ...)
      if (rt !== undefined) out.push(`${pad} |`, ...snippet(r.loc, rt, width));
    }
  } else {
    if (d.help) out.push(`  = help: ${d.help}`);
    for (const r of d.related ?? []) out.push(`  = note: ${r.message}`);
  }
  return out.join('\n');
}

export function renderDiagnostics(ds: readonly Diagnostic[], sources: SourceLookup): string {
  if (ds.length === 0) return '';
  const parts = ds.map((d) => renderDiagnostic(d, sources));
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return parts.join('\n\n') + `\n\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
}

/** `--format json`: one object per diagnostic, positions 1-based like the text form, plus the raw loc. */
export function diagnosticsJson(ds: readonly Diagnostic[]): string {
  const items = ds.map((d) => ({
    file: d.loc.file,
    line: d.loc.range.start.line + 1,
    column: d.loc.range.start.column + 1,
    endLine: d.loc.range.end.line + 1,
    endColumn: d.loc.range.end.column + 1,
    ...d,
  }));
  return JSON.stringify(items, null, 2) + '\n';
}
