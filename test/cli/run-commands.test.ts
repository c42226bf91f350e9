// The runtime's commands through the real CLI entry (cli/main.ts, which registers every command of cli/commands.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sidc } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-cli-'));
const recipe = (body: string) => {
  const p = join(dir, `r${Math.random().toString(36).slice(2, 8)}.sid`);
  writeFileSync(
    p,
    `recipe toy {\n  teacher gmm { dim = 2; classes = 2; modes_per_class = 2; mode_std = 0.1; radius = 2; seed = 1 }\n  data { text = labels }\n${body}\n}\n`,
  );
  return p;
};

test('plot-time: pi(t) of uniform p with w = 1 - t has E_p[w] = 1/2 and writes a PNG', async () => {
  const png = join(dir, 'pi.png');
  const r = await sidc('plot-time', recipe('  time { distribution = uniform }\n  loss { weighting = one_minus_t }'), '-o', png);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /E_p\[w\] = 0\.500000/);
  assert.ok(existsSync(png));
  const ln = await sidc('plot-time', recipe(''), '-o', png);
  assert.equal(ln.code, 0, ln.err);
  assert.doesNotMatch(ln.out, /E_p\[w\] = 0\.500000/);
});

test('run refuses a recipe with errors (exit 1) and sample a missing run (exit 2), without stack traces', async () => {
  const bad = await sidc('run', recipe('  optimizer { lr = -1 }'), '--runs-dir', join(dir, 'runs'));
  assert.equal(bad.code, 1);
  assert.doesNotMatch(bad.err, /\n\s+at /);
  const missing = await sidc('sample', join(dir, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope: no such run directory/);
  mkdirSync(join(dir, 'empty'), { recursive: true });
  const notRun = await sidc('sample', join(dir, 'empty'));
  assert.equal(notRun.code, 2);
  assert.match(notRun.err, /empty: no graph\.json - not a run directory/);
  const usage = await sidc('sample', join(dir, 'nope'), '--steps', 'x');
  assert.equal(usage.code, 2);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
