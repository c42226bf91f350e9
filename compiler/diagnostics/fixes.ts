// Machine-applicable "did you mean" fixes: when a diagnostic suggests exactly one name and its range
// covers exactly the misspelt name, replacing the range with the suggestion is the fix (editors offer it
// as a code action). Dotted suggestions replace only dotted text, so `lr` inside `optimizer { }` is never
// rewritten to `optimizer.lr`.
import type { Diagnostic } from './types.js';

const SUGGESTION = /did you mean `([A-Za-z_][\w.]*)`\?$/;
const NAME = /^"?([A-Za-z_][\w.]*)"?$/;

export function attachNameFixes(ds: Diagnostic[], sources: ReadonlyMap<string, string>): void {
  for (const d of ds) {
    if (d.fix) continue;
    const m = SUGGESTION.exec(d.message);
    const text = sources.get(d.loc.file)?.slice(d.loc.range.start.offset, d.loc.range.end.offset);
    const n = text === undefined ? null : NAME.exec(text);
    if (!m || !n) continue;
    const suggested = m[1]!;
    if (suggested.includes('.') !== n[1]!.includes('.')) continue;
    const quoted = text!.startsWith('"');
    d.fix = { title: `Change to ${suggested}`, edits: [{ loc: d.loc, newText: quoted ? `"${suggested}"` : suggested }] };
  }
}
