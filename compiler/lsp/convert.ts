// Compiler diagnostics -> LSP diagnostics for one document. A diagnostic located in another file (an
// imported base) is shown on the import that brings that file in, with the real place as related
// information; the compiler's fix travels in `data` so a code action can apply it without recompiling.
import { relative, dirname } from 'node:path';
import type { Diagnostic as LspDiagnostic, Range as LspRange } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Loc } from '../../grammar/ast.js';
import type { Diagnostic, Fix } from '../diagnostics/types.js';
import { LineIndex } from './scan.js';
import { pathToUri } from './workspace.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export interface DiagnosticData {
  fix?: Fix;
}

export function rangeOf(loc: Loc): LspRange {
  const { start, end } = loc.range;
  return { start: { line: start.line, character: start.column }, end: { line: end.line, character: end.column } };
}

/** Where in `path` to show a diagnostic of `other`: the import string leading to it (directly or not). */
type ImportSite = (other: string) => { start: number; end: number } | undefined;

export function toLsp(d: Diagnostic, path: string, text: string, importSite: ImportSite): LspDiagnostic {
  const local = d.loc.file === path;
  let range = rangeOf(d.loc);
  let message = d.message;
  const related = (d.related ?? []).map((r) => ({ location: { uri: pathToUri(r.loc.file), range: rangeOf(r.loc) }, message: r.message }));
  if (!local) {
    const site = importSite(d.loc.file);
    const index = new LineIndex(text);
    range = site
      ? { start: index.positionAt(site.start), end: index.positionAt(site.end) }
      : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const { line, column } = d.loc.range.start;
    message = `${relative(dirname(path), d.loc.file)}:${line + 1}:${column + 1}: ${d.message}`;
    related.unshift({ location: { uri: pathToUri(d.loc.file), range: rangeOf(d.loc) }, message: d.message });
  }
  if (d.help) message += `\nhelp: ${d.help}`;
  return {
    range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'sidc',
    message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(d.fix ? { data: { fix: d.fix } satisfies DiagnosticData } : {}),
  };
}
