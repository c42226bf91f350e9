// Golden graphs: a few recipes compile to exactly their baseline JSON, validated by the graph schema.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { graphSchema } from '../../../compiler/graph/schema.js';
import { newAjv } from '../../../compiler/schema/validate.js';
import { caseNames, graphBaselinePath, graphCase, graphsDir, loadCases } from './baseline.js';

const overlay = loadCases(graphsDir);
const validate = newAjv().compile(graphSchema());

for (const name of caseNames(overlay)) {
  test(`golden graph ${name}`, () => {
    const actual = graphCase(name, overlay);
    const path = graphBaselinePath(name);
    assert.ok(existsSync(path), `no baseline ${path}; run npm run accept-golden`);
    assert.equal(actual, readFileSync(path, 'utf8'), `graph differs for ${name}; review and run npm run accept-golden`);
    const parsed = JSON.parse(actual) as unknown;
    for (const g of Array.isArray(parsed) ? parsed : [parsed]) assert.ok(validate(g), JSON.stringify(validate.errors));
  });
}
