// Every recipe and example in the repository checks clean: no errors and no warnings (the planner's
// informational notes, severity info, are allowed). Paper recipes get their row-by-row checks in
// recipes.test.ts; this covers the rest too (fig3-gmm.sid, examples/*.sid).
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { test } from 'node:test';
import { compileFile } from '../../compiler/api.js';
import { repoPath, repoRoot, sidFilesUnder } from '../helpers/paths.js';

for (const path of [...sidFilesUnder(repoPath('recipes')), ...sidFilesUnder(repoPath('examples'))]) {
  const rel = relative(repoRoot, path);
  test(`${rel} checks clean`, () => {
    const r = compileFile(path, { lower: false });
    const loud = r.diagnostics
      .filter((d) => d.severity !== 'info')
      .map((d) => `${d.code} ${d.loc.range.start.line + 1}:${d.loc.range.start.column + 1} ${d.message}`);
    assert.deepEqual(loud, []);
  });
}
