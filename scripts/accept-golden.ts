// `npm run accept-golden`: rewrite the golden baselines (diagnostics *.errors.txt and graphs *.json)
// from the current compiler. Review the diff (git diff test/golden) before committing.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { baselinePath, caseNames, diagnosticsDir, graphBaselinePath, graphCase, graphsDir, loadCases, renderCase } from '../test/compiler/golden/baseline.js';

function write(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
  return true;
}

let changed = 0;
const d = loadCases(diagnosticsDir);
for (const name of caseNames(d)) if (write(baselinePath(name), renderCase(name, d))) changed++, process.stdout.write(`updated ${baselinePath(name)}\n`);
const g = loadCases(graphsDir);
for (const name of caseNames(g))
  if (write(graphBaselinePath(name), graphCase(name, g))) changed++, process.stdout.write(`updated ${graphBaselinePath(name)}\n`);
process.stdout.write(`accept-golden: ${changed} baseline(s) changed\n`);
