// The sidc CLI end to end through main(): exit codes 0/1/2, messages without stack traces, output forms.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main.js';
import { graphSchema } from '../../compiler/graph/schema.js';
import { newAjv } from '../../compiler/schema/validate.js';
import { repoPath } from '../helpers/paths.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

const fx = (f: string): string => repoPath('test', 'compiler', 'fixtures', f);
const golden = (f: string): string => repoPath('test', 'golden', 'diagnostics', 'cases', f);

test('check: clean file exits 0, recipe errors exit 1 with compiler-style output', async () => {
  const ok = await run('check', fx('gmm.sid'));
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /gmm\.sid: ok/);
  const bad = await run('check', golden('missing-unit.sid'));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /missing-unit\.sid:6:53: error SID2003/);
  assert.match(bad.err, /\^~~/);
  assert.match(bad.err, /= help: write `512 px`/);
});

test('check: a missing file is a usage/I-O error (exit 2), one line, no stack trace', async () => {
  const r = await run('check', 'no/such/recipe.sid');
  assert.equal(r.code, 2);
  assert.equal(r.err, "sidc: cannot read 'no/such/recipe.sid': no such file\n");
});

test('check --format json and --set', async () => {
  const r = await run('check', fx('gmm.sid'), '--format', 'json', '--set', 'batch.global=100');
  assert.equal(r.code, 1);
  const ds = JSON.parse(r.out) as { code: string; file: string; line: number }[];
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3002'],
  );
  assert.equal(ds[0]!.file, '<--set 1>');
  assert.equal((await run('check', fx('gmm.sid'), '--format', 'xml')).code, 2);
});

test('compile -o writes a schema-valid graph atomically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-'));
  const out = join(dir, 'g.json');
  const r = await run('compile', fx('sana.sid'), '-o', out);
  assert.equal(r.code, 0, r.err);
  const g = JSON.parse(readFileSync(out, 'utf8')) as { hash: string };
  assert.ok(newAjv().compile(graphSchema())(g));
  assert.match(r.err, new RegExp(g.hash.slice(0, 12)));
});

test('sweep --list prints one line per point with values, hash and status', async () => {
  const r = await run('sweep', fx('fig3.sid'), '--list');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 16);
  assert.match(lines[0]!, /^fig3\[1\] time\.interval=\[0,0\.333\d*\] [0-9a-f]{12} ok$/);
  const bad = await run('sweep', golden('sweep-bad-point.sid'), '--list');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /fig3\[3\] .* -{12} errors: SID3005/);
});

test('graph --dot draws stages, phases and typed edges', async () => {
  const r = await run('graph', fx('sana.sid'), '--dot');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^digraph "sana_600m_512" \{/);
  assert.match(r.out, /cluster_sid/);
  assert.match(r.out, /-> "sid\/generator\.sid_loss" \[label="y_real: f32\[B,C,H,W\]"\]/);
});

test('graph prints each node with its outputs: the SiD2a discriminator is psi pooled to [B, D]', async () => {
  const r = await run('graph', repoPath('examples', 'mnist-sid2a.sid'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /stage adversarial \(adversarial, after sid;/);
  assert.match(r.out, /fake\.d_real: disc_logits psi -> logits f32\[B,D\]/);
  assert.match(r.out, /generator\.d_fake: disc_logits psi -> logits f32\[B,D\]/);
  assert.match(r.out, /generator\.v_psi: velocity psi -> v f32\[B,C,H,W\]/);
});

test('schema prints the recipe schema; --graph the graph schema', async () => {
  const r = JSON.parse((await run('schema')).out) as { properties: Record<string, unknown> };
  assert.ok('teacher' in r.properties && 'stages' in r.properties);
  const g = JSON.parse((await run('schema', '--graph')).out) as { required: string[] };
  assert.ok(g.required.includes('hash'));
});

test('plan reports memory and time; fmt; help and unknown commands', async () => {
  const p = await run('plan', fx('sana.sid'), '--format', 'json');
  assert.equal(p.code, 0, p.err);
  const plan = JSON.parse(p.out) as { fits: boolean; peak_gb_per_device: number };
  assert.equal(plan.fits, true);
  assert.ok(plan.peak_gb_per_device > 0);
  const dir = mkdtempSync(join(tmpdir(), 'sidc-'));
  const f = join(dir, 'r.sid');
  writeFileSync(f, 'recipe   r {teacher gmm {dim=2}}\n');
  assert.equal((await run('fmt', '--check', f)).code, 1);
  assert.equal((await run('fmt', '--write', f)).code, 0);
  assert.equal((await run('fmt', '--check', f)).code, 0);
  assert.equal((await run('check', '--help')).code, 0);
  assert.equal((await run('nonsense')).code, 2);
  assert.equal((await run('compile')).code, 2);
});
