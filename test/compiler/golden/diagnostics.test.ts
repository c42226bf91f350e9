// Golden diagnostics: every case's rendered output must equal its baseline (npm run accept-golden).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { baselinePath, caseNames, diagnosticsDir, loadCases, renderCase } from './baseline.js';

const overlay = loadCases(diagnosticsDir);

test('there are at least 40 golden diagnostic cases', () => {
  assert.ok(caseNames(overlay).length >= 40, `only ${caseNames(overlay).length} cases`);
});

for (const name of caseNames(overlay)) {
  test(`golden ${name}`, () => {
    const actual = renderCase(name, overlay);
    const path = baselinePath(name);
    assert.ok(existsSync(path), `no baseline ${path}; run npm run accept-golden`);
    assert.equal(actual, readFileSync(path, 'utf8'), `baseline differs for ${name}; review and run npm run accept-golden`);
    assert.ok(actual === 'no diagnostics\n' || /SID\d{4}/.test(actual));
  });
}
