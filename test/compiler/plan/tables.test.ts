// The planner against every run of the paper's Tables 3-4: the recipes are compiled and planned, and the
// predicted peak allocated memory must be within 25% of "max memory allocated" with one global set of
// constants (compiler/plan/constants.ts). docs/plan.md's generated table must be current.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MEMORY_TOLERANCE, PAPER_ROWS } from '../../../compiler/plan/paper.js';
import { planGraph } from '../../../compiler/plan/plan.js';
import { compareAll, compileRecipe, COUNTERFACTUALS, renderTables, tableMarkers, withTable } from '../../../scripts/plan-report.js';
import { repoPath, repoRoot } from '../../helpers/paths.js';

const rows = compareAll(repoRoot);

for (const c of rows) {
  test(`${c.row.recipe}: predicted ${c.plan.peak_gb_per_device.toFixed(1)} vs paper ${c.row.allocated_gb} GB allocated (Table ${c.row.table}, ${c.row.row})`, () => {
    assert.ok(Math.abs(c.error) <= MEMORY_TOLERANCE, `error ${(100 * c.error).toFixed(1)}% exceeds ${100 * MEMORY_TOLERANCE}%`);
    assert.equal(c.plan.fits, true, 'every paper run fitted its devices');
    assert.equal(
      c.plan.diagnostics.some((d) => d.severity === 'error'),
      false,
    );
    assert.ok(c.plan.seconds_per_1k_images > 0);
  });
}

test('every paper row has a recipe and every row is compared', () => {
  assert.equal(rows.length, PAPER_ROWS.length);
  for (const r of PAPER_ROWS) assert.ok(existsSync(repoPath('recipes', r.recipe)), r.recipe);
});

test('the model says why SD3.5-Large and FLUX.1-dev left AMP: AMP+FSDP does not fit 80 GB', () => {
  for (const cf of COUNTERFACTUALS.filter((x) => x.set.includes('precision.policy=amp') || x.set.includes('hardware.offload=none'))) {
    const p = planGraph(compileRecipe(repoRoot, cf.recipe, cf.set));
    assert.equal(p.fits, false, `${cf.label}: ${p.peak_gb_per_device.toFixed(1)} GB`);
    assert.ok(p.peak_gb_per_device > 80, cf.label);
    assert.ok(
      p.diagnostics.some((d) => d.code === 'SID4001'),
      cf.label,
    );
  }
});

test('time per 1k images stays within a factor of 3 of the paper (reported, not tuned)', () => {
  for (const c of rows) {
    const ratio = c.plan.seconds_per_1k_images / c.row.seconds_per_1k;
    assert.ok(ratio > 1 / 3 && ratio < 3, `${c.row.recipe}: ${c.plan.seconds_per_1k_images.toFixed(0)} s vs ${c.row.seconds_per_1k} s`);
  }
});

test('docs/plan.md carries the current predicted-vs-paper table (node dist/scripts/plan-report.js --write)', () => {
  const doc = readFileSync(repoPath('docs', 'plan.md'), 'utf8');
  assert.ok(doc.includes(tableMarkers.BEGIN) && doc.includes(tableMarkers.END));
  assert.equal(withTable(doc, renderTables(repoRoot)), doc, 'docs/plan.md is stale: run `npm run build && node dist/scripts/plan-report.js --write`');
});
