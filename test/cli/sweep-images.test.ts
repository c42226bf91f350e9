// `sidc sweep-run` on an image (dit) sweep - Fig. 3 on images: every point's student scored at 1 and at its
// trained steps exactly as `sidc eval RUN --student-only --seed 1 --per-class N` scores it, a grid per point, the
// FID / alignment table; a second call reuses the scores; the same sweep on the torch engine fills the same table.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../runtime/tfjs/nn/setup.js';
import { DIT_TINY28, tinyDitSource, writeTinyDit } from '../runtime/tfjs/loop/dit-fixture.js';
import { scratchDir } from '../runtime/formats/tmp.js';
import { sidc } from '../helpers/cli.js';
import { pythonExeWith } from '../helpers/python.js';

const dir = scratchDir('sweep-images');
let recipe = '';

before(async () => {
  await useWasm();
  const ck = writeTinyDit(dir, DIT_TINY28);
  recipe = join(dir, 'fig3.sid');
  writeFileSync(
    recipe,
    `${tinyDitSource(ck, '  generator { steps = 2 }\n  stage sid {}')}
sweep fig3 over tiny_dit {
  time.interval in [(0, 1/2), (1/2, 1)]
}
`,
  );
});

interface ImageRow {
  point: string;
  run: string;
  samples: number;
  steps: number[];
  fid: number[];
  alignment: number[];
}
const rowsOf = (runs: string): ImageRow[] => JSON.parse(readFileSync(join(runs, 'tiny_dit-sweep', 'sweep.json'), 'utf8')) as ImageRow[];

test('an image sweep: FID and alignment per point as sidc eval measures them, a grid per point, scores reused', { timeout: 600_000 }, async () => {
  const runs = join(dir, 'tfjs');
  const r = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', runs, '--per-class', '3');
  assert.equal(r.code, 0, r.err + r.out);
  const rows = rowsOf(runs);
  assert.deepEqual(
    rows.map((x) => [x.point, x.samples, x.steps]),
    [
      ['(0, 0.5)', 30, [1, 2]],
      ['(0.5, 1)', 30, [1, 2]],
    ],
  );
  for (const row of rows) {
    assert.ok(row.fid.every((f) => Number.isFinite(f) && f > 0) && row.alignment.every((a) => a >= 0 && a <= 1), JSON.stringify(row));
    const evalOut = await sidc('eval', row.run, '--student-only', '--per-class', '3', '--seed', '1', '--student-steps', '1,2');
    assert.equal(evalOut.code, 0, evalOut.err);
    for (const [i, steps] of row.steps.entries()) {
      const line = evalOut.out.split('\n').find((l) => l.startsWith(`| student | ${steps} |`) || l.includes(`student-${steps} `));
      assert.ok(line?.includes(row.fid[i]!.toFixed(2)), `sidc eval's ${steps}-step row ${line} vs the sweep's FID ${row.fid[i]}`);
    }
  }
  assert.match(readFileSync(join(runs, 'tiny_dit-sweep', 'sweep.md'), 'utf8'), /\| point \| FID 1 step \| alignment 1 \| FID 2 steps \| alignment 2 \| run \|/);
  for (const name of ['1-0_0.5.png', '2-0.5_1.png', 'fid-alignment.png']) assert.ok(existsSync(join(runs, 'tiny_dit-sweep', name)), name);

  // the scores are reused: a second call runs nothing and scores nothing
  const scored = statSync(join(rows[0]!.run, 'eval-images.json')).mtimeMs;
  const again = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', runs, '--per-class', '3');
  assert.equal(again.code, 0, again.err);
  assert.equal(statSync(join(rows[0]!.run, 'eval-images.json')).mtimeMs, scored);
  assert.deepEqual(rowsOf(runs), rows);
});

const py = pythonExeWith('torch', 'numpy');
test('the same image sweep on the torch engine: every point runs there and is scored', {
  skip: py ? false : 'python3 with torch not found',
  timeout: 600_000,
}, async () => {
  const runs = join(dir, 'torch');
  const saved = process.env.SIDC_PYTHON;
  process.env.SIDC_PYTHON = py!;
  try {
    const r = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', runs, '--per-class', '3', '--engine', 'torch');
    assert.equal(r.code, 0, r.err + r.out);
    const rows = rowsOf(runs);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal((JSON.parse(readFileSync(join(row.run, 'engine.json'), 'utf8')) as { engine: string }).engine, 'torch');
      assert.ok(
        row.fid.every((f) => Number.isFinite(f) && f > 0),
        JSON.stringify(row),
      );
    }
  } finally {
    if (saved === undefined) delete process.env.SIDC_PYTHON;
    else process.env.SIDC_PYTHON = saved;
  }
});
