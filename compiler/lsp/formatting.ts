// Formatting: the grammar's formatter (the same as `sidc fmt`). A file with syntax errors is left as is.
import type { TextEdit } from 'vscode-languageserver';
import type { Stages } from './stages.js';
import { LineIndex } from './scan.js';

export function formatEdits(stages: Pick<Stages, 'formatSid'>, text: string, path: string): TextEdit[] {
  const r = stages.formatSid(text, path);
  if (r.problems.length || r.text === text) return [];
  // one edit over the part that changed (start and end trimmed), so the cursor and folds keep their place
  let a = 0;
  while (a < text.length && a < r.text.length && text[a] === r.text[a]) a++;
  let b = 0;
  while (b < text.length - a && b < r.text.length - a && text[text.length - 1 - b] === r.text[r.text.length - 1 - b]) b++;
  const index = new LineIndex(text);
  return [{ range: { start: index.positionAt(a), end: index.positionAt(text.length - b) }, newText: r.text.slice(a, r.text.length - b) }];
}
