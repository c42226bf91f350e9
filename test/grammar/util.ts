// Helpers for the grammar tests: compare trees without locations, find nodes, show positions.
import type { Expr, ParseResult, Range, SidFile, SyntaxProblem } from '../../grammar/index.js';

/** A deep copy without `loc`/`unitLoc` (and without the file's comment list): the tree's shape only. */
export function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'loc' || k === 'unitLoc' || k === 'comments') continue;
    out[k] = shape(v);
  }
  return out;
}

/** "line:col-line:col" (zero-based, as in the AST). */
export function at(r: Range): string {
  return `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;
}

export function problemsAt(ps: SyntaxProblem[]): string[] {
  return ps.map((p) => `${p.loc.range.start.line}:${p.loc.range.start.column} ${p.reason}`);
}

/** The value of the first assignment to `key` (last path segment) anywhere in the file. */
export function valueOf(file: SidFile, key: string): Expr {
  let found: Expr | undefined;
  const visit = (n: unknown): void => {
    if (found !== undefined || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const o = n as { kind?: string; path?: { segments: { name: string }[] }; value?: Expr };
    if (o.kind === 'Assign' && o.path!.segments[o.path!.segments.length - 1]!.name === key) {
      found = o.value;
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(file.items);
  if (found === undefined) throw new Error(`no assignment to ${key}`);
  return found;
}

export function ok(r: ParseResult): SidFile {
  if (r.problems.length > 0)
    throw new Error(`unexpected problems: ${JSON.stringify(r.problems.map((p) => `${p.loc.range.start.line}:${p.loc.range.start.column} ${p.message}`))}`);
  return r.file;
}
