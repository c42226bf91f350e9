// Folding repeated notes for people: `sidc check recipes/*.sid` would print the same warning (same code,
// same message, e.g. "names cache/sd3-text, which does not exist") once per recipe. The first occurrence
// is shown in full with one note listing the others ("and 8 more like this: ..."); errors are never
// folded, and `--format json` is not folded at all (tools get every diagnostic).
import { locString } from '../util/loc.js';
import type { Diagnostic } from './types.js';

export interface Folded {
  /** Per input list: the diagnostics to show (a repeat's first occurrence carries the note). */
  shown: Diagnostic[][];
  /** Per input list: how many of its diagnostics were folded into an earlier one. */
  folded: number[];
}

const MAX_LISTED = 6;

export function foldRepeats(lists: readonly (readonly Diagnostic[])[]): Folded {
  const first = new Map<string, { d: Diagnostic; others: Diagnostic[] }>();
  const kept: Diagnostic[][] = [];
  const folded: number[] = [];
  for (const list of lists) {
    const mine: Diagnostic[] = [];
    let n = 0;
    for (const d of list) {
      const key = `${d.code}\u0000${d.message}`;
      const f = d.severity === 'error' ? undefined : first.get(key);
      if (f) {
        f.others.push(d);
        n++;
        continue;
      }
      if (d.severity !== 'error') first.set(key, { d, others: [] });
      mine.push(d);
    }
    kept.push(mine);
    folded.push(n);
  }
  const note = new Map<Diagnostic, Diagnostic>();
  for (const { d, others } of first.values()) {
    if (!others.length) continue;
    const listed = others
      .slice(0, MAX_LISTED)
      .map((o) => locString(o.loc))
      .join(', ');
    const more = others.length > MAX_LISTED ? `, ... (${others.length - MAX_LISTED} more)` : '';
    // related at the diagnostic's own place: the renderer prints the note without a second snippet
    note.set(d, { ...d, related: [...(d.related ?? []), { loc: d.loc, message: `and ${others.length} more like this: ${listed}${more}` }] });
  }
  return { shown: kept.map((l) => l.map((d) => note.get(d) ?? d)), folded };
}
