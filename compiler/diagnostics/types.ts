// A diagnostic is what every stage reports: a code from the catalogue (catalogue.ts), a severity,
// a message with its placeholders filled, the place, related places (e.g. where an inherited value came
// from), and an optional fix that a person (CLI) or an editor (code action) can apply.
import type { Loc } from '../../grammar/ast.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Related {
  loc: Loc;
  message: string; // "inherited from base/sid-dit.sid:7"
}

/** A machine-applicable fix: replace the text at `loc` with `newText` (insert when the range is empty). */
interface FixEdit {
  loc: Loc;
  newText: string;
}

export interface Fix {
  title: string; // "Write 512 px"
  edits: FixEdit[];
}

export interface Diagnostic {
  code: string; // SID1xxx syntax, 2xxx names/types/units, 3xxx semantics, 4xxx plan/resources, 5xxx sweeps
  severity: Severity;
  message: string;
  loc: Loc;
  related?: Related[];
  /** Human advice, always present when the catalogue entry has one ("write `adam.eps = 1e-4`"). */
  help?: string;
  fix?: Fix;
}
