// Golden baselines (like TypeScript's tests/cases -> *.errors.txt): each case file under
// test/golden/diagnostics/cases is compiled and its rendered diagnostics compared to <case>.errors.txt;
// graph cases under test/golden/graphs/cases compile to <case>.json. Shared by the tests and by
// `npm run accept-golden` (scripts/accept-golden.ts), which rewrites the baselines after review.
//
// A case may start with directives in comments:  `// @set key=value`  `// @recipe name`
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileText } from '../../../compiler/compile.js';
import { renderDiagnostics } from '../../../compiler/diagnostics/render.js';
import { repoPath } from '../../helpers/paths.js';

export const diagnosticsDir = repoPath('test', 'golden', 'diagnostics');
export const graphsDir = repoPath('test', 'golden', 'graphs');
const CASE = /\.(sid|ya?ml|json)$/;

/** All files of a cases folder as an overlay keyed `cases/<name>` (imports resolve among them). */
export function loadCases(dir: string): Map<string, string> {
  const overlay = new Map<string, string>();
  const casesDir = join(dir, 'cases');
  for (const f of readdirSync(casesDir).sort()) if (CASE.test(f)) overlay.set(`cases/${f}`, readFileSync(join(casesDir, f), 'utf8'));
  return overlay;
}

/** Cases are files not named `*.base.*` (bases are imported by other cases). */
export function caseNames(overlay: Map<string, string>): string[] {
  return [...overlay.keys()].filter((k) => !/\.base\./.test(k));
}

function directives(text: string): { set: string[]; recipe?: string } {
  const set: string[] = [];
  let recipe: string | undefined;
  for (const m of text.matchAll(/^\s*(?:\/\/|#)\s*@(set|recipe)\s+(.+?)\s*$/gm)) {
    if (m[1] === 'set') set.push(m[2]!);
    else recipe = m[2]!;
  }
  return recipe ? { set, recipe } : { set };
}

export function renderCase(name: string, overlay: Map<string, string>): string {
  const text = overlay.get(name)!;
  const out = compileText(text, name, { ...directives(text), overlay });
  if (out.diagnostics.length === 0) return 'no diagnostics\n';
  return renderDiagnostics(out.diagnostics, (f) => out.sources.get(f));
}

export function baselinePath(name: string): string {
  return join(diagnosticsDir, name.replace(/\.(sid|ya?ml|json)$/, '') + '.errors.txt');
}

export function graphCase(name: string, overlay: Map<string, string>): string {
  const text = overlay.get(name)!;
  const out = compileText(text, name, { ...directives(text), overlay });
  if (!out.ok) return renderDiagnostics(out.diagnostics, (f) => out.sources.get(f));
  return JSON.stringify(out.graphs.length === 1 ? out.graphs[0] : out.graphs, null, 2) + '\n';
}

export function graphBaselinePath(name: string): string {
  return join(graphsDir, name.replace(/^cases\//, '').replace(/\.(sid|ya?ml|json)$/, '') + '.json');
}
