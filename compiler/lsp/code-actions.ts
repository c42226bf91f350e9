// Quick fixes: every diagnostic whose catalogue entry produced a fix becomes a code action that applies
// the compiler's edits (which may touch other files, e.g. an imported base).
import type { CodeAction, Diagnostic as LspDiagnostic, TextEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { DiagnosticData } from './convert.js';
import { rangeOf } from './convert.js';
import { pathToUri } from './workspace.js';

export function quickFixes(diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const fix = (d.data as DiagnosticData | undefined)?.fix;
    if (!fix || fix.edits.length === 0) continue;
    const changes: Record<string, TextEdit[]> = {};
    for (const e of fix.edits) (changes[pathToUri(e.loc.file)] ??= []).push({ range: rangeOf(e.loc), newText: e.newText });
    out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes } });
  }
  return out;
}
