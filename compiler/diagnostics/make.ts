// Builds a Diagnostic from a catalogue code: fills the message and help, attaches related notes and fix.
import type { Loc } from '../../grammar/ast.js';
import { CATALOGUE, fill, type Code } from './catalogue.js';
import type { Diagnostic, Fix, Related, Severity } from './types.js';

interface DiagExtras {
  related?: Related[];
  fix?: Fix;
  severity?: Severity;
  /** Overrides the catalogue's help template (already filled). */
  help?: string;
}

export function diag(code: Code, loc: Loc, args: Record<string, unknown> = {}, extras: DiagExtras = {}): Diagnostic {
  const entry = CATALOGUE[code] as { severity: Severity; message: string; help?: string };
  const d: Diagnostic = { code, severity: extras.severity ?? entry.severity, message: fill(entry.message, args), loc };
  const help = extras.help ?? (entry.help !== undefined ? fill(entry.help, args) : undefined);
  if (help) d.help = help;
  if (extras.related?.length) d.related = extras.related;
  if (extras.fix) d.fix = extras.fix;
  return d;
}

/** A fix that replaces the text at `loc`. */
export function replaceFix(title: string, loc: Loc, newText: string): Fix {
  return { title, edits: [{ loc, newText }] };
}

/** A fix that inserts text right after `loc`. */
export function insertAfterFix(title: string, loc: Loc, text: string): Fix {
  const end = loc.range.end;
  return { title, edits: [{ loc: { file: loc.file, range: { start: end, end } }, newText: text }] };
}
