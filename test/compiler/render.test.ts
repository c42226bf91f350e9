// The renderer: 1-based positions, the source line, a caret and tildes under the range, help and notes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnosticsJson, renderDiagnostic } from '../../compiler/diagnostics/render.js';
import { diag } from '../../compiler/diagnostics/make.js';
import { LineMap } from '../../compiler/util/loc.js';

const text = 'recipe r {\n  data.resolution = 512\n}\n';
const map = new LineMap(text);
const at = text.indexOf('512');
const loc = { file: 'r.sid', range: map.range(at, at + 3) };

test('text form: file:line:col, source line, caret under the range, help and notes', () => {
  const d = diag('SID2003', loc, { path: 'data.resolution', unit: 'px', value: '512' }, { related: [{ loc, message: 'inherited from base.sid:7:3' }] });
  const out = renderDiagnostic(d, (f) => (f === 'r.sid' ? text : undefined));
  const lines = out.split('\n');
  assert.equal(lines[0], 'r.sid:2:21: error SID2003: `data.resolution` needs a unit: it is measured in px');
  assert.equal(lines[2], '2 |   data.resolution = 512');
  assert.equal(lines[3], '  |                     ^~~');
  assert.ok(lines.includes('  = help: write `512 px`'));
  assert.ok(lines.includes('  = note: inherited from base.sid:7:3'));
});

test('json form carries 1-based positions and the code', () => {
  const d = diag('SID2003', loc, { path: 'data.resolution', unit: 'px', value: '512' });
  const [j] = JSON.parse(diagnosticsJson([d])) as { line: number; column: number; code: string; endColumn: number }[];
  assert.deepEqual([j!.line, j!.column, j!.endColumn, j!.code], [2, 21, 24, 'SID2003']);
});

test('LineMap maps offsets to zero-based positions', () => {
  assert.deepEqual(map.position(at), { line: 1, column: 20, offset: at });
  assert.equal(map.lineText(1), '  data.resolution = 512');
});

test('"did you mean" diagnostics carry a fix that replaces exactly the misspelt name', async () => {
  const { compileText } = await import('../../compiler/compile.js');
  const text = 'recipe r {\n  teacher gmm { dim = 2 }\n  optimizr { lr = 1e-3 }\n  precision bf61 { }\n  time.distribution = logit_normall(0, 1)\n}\n';
  const out = compileText(text, 'r.sid');
  const fixes = out.diagnostics
    .filter((d) => d.fix)
    .map((d) => [d.code, text.slice(d.fix!.edits[0]!.loc.range.start.offset, d.fix!.edits[0]!.loc.range.end.offset), d.fix!.edits[0]!.newText]);
  assert.deepEqual(fixes, [
    ['SID2001', 'optimizr', 'optimizer'],
    ['SID2006', 'bf61', 'bf16'],
    ['SID2020', 'logit_normall', 'logit_normal'],
  ]);
});
