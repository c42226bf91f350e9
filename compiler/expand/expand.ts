// Expands a sweep into points: a list axis varies one setting; `grid { }` is the cartesian product of
// its axes, `zip { }` ties equal-length axes together; several top-level items combine as a grid.
// Each point is a list of assignments applied on top of the base recipe (checked on its own later).
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Assignment, SweepDecl } from '../model.js';
import { locString } from '../util/loc.js';

const MAX_POINTS = 10000;

export function expandSweep(s: SweepDecl, out: Diagnostic[]): Assignment[][] | undefined {
  let ok = true;
  const seen = new Map<string, { loc: import('../../grammar/ast.js').Loc }>();
  const all = s.groups.flatMap((g) => g.axes);
  if (all.length === 0) {
    out.push(diag('SID5007', s.nameLoc, { sweep: s.name }));
    return undefined;
  }
  for (const a of all) {
    const prev = seen.get(a.path);
    if (prev) {
      out.push(diag('SID5005', a.pathLoc, { path: a.path, sweep: s.name }, { related: [{ loc: prev.loc, message: `first swept at ${locString(prev.loc)}` }] }));
      ok = false;
    }
    seen.set(a.path, { loc: a.pathLoc });
    if (a.values.length === 0) {
      out.push(diag('SID5004', a.loc, { path: a.path }));
      ok = false;
    }
  }
  if (!ok) return undefined;
  const groupRows: Assignment[][][] = [];
  for (const g of s.groups) {
    if (g.mode === 'zip') {
      const n = g.axes[0]?.values.length ?? 0;
      const bad = g.axes.find((a) => a.values.length !== n);
      if (bad) {
        out.push(
          diag(
            'SID5002',
            bad.loc,
            { first: g.axes[0]!.path, n1: n, second: bad.path, n2: bad.values.length },
            { related: [{ loc: g.axes[0]!.loc, message: `${g.axes[0]!.path} has ${n} values (${locString(g.axes[0]!.loc)})` }] },
          ),
        );
        ok = false;
        continue;
      }
      groupRows.push(Array.from({ length: n }, (_, i) => g.axes.map((a) => a.values[i]!)));
    } else {
      let rows: Assignment[][] = [[]];
      for (const a of g.axes) rows = rows.flatMap((r) => a.values.map((v) => [...r, v]));
      groupRows.push(rows);
    }
  }
  if (!ok) return undefined;
  const count = groupRows.reduce((n, rows) => n * rows.length, 1);
  if (count > MAX_POINTS) {
    out.push(diag('SID5006', s.nameLoc, { sweep: s.name, count, limit: MAX_POINTS }));
    return undefined;
  }
  let points: Assignment[][] = [[]];
  for (const rows of groupRows) points = points.flatMap((p) => rows.map((r) => [...p, ...r]));
  return points;
}
