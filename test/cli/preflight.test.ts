// `sidc run` before it creates anything: a recipe path that is almost right gets a did-you-mean; the
// paper's FLUX.1-dev recipe without its checkpoint folder and text table lists both with the commands
// that make them, exit non-zero, no run directory; with a tiny teacher given, the check passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../compiler/api.js';
import { missingInputs } from '../../cli/preflight.js';
import { sidc } from '../helpers/cli.js';
import { repoPath } from '../helpers/paths.js';
import { scratchDir } from '../runtime/formats/tmp.js';

const dir = scratchDir('preflight');

test('a recipe path that does not exist: one line with the nearest recipe beside it', async () => {
  const r = await sidc('run', 'recipes/flux-dev512.sid', '--runs-dir', join(dir, 'runs-typo'));
  assert.notEqual(r.code, 0);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /cannot read 'recipes\/flux-dev512\.sid': no such file; did you mean `recipes\/flux-dev-512\.sid`\?/);
  assert.ok(!existsSync(join(dir, 'runs-typo')));
});

test('sidc run recipes/flux-dev.sid without checkpoint and text table: both listed with their commands, nothing created', async () => {
  const runs = join(dir, 'runs-flux');
  const r = await sidc('run', repoPath('recipes/flux-dev.sid'), '--runs-dir', runs);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /not started, nothing written[\s\S]*Missing:/);
  assert.match(r.err, /teacher checkpoint folder .*FLUX\.1-dev .*huggingface-cli download black-forest-labs\/FLUX\.1-dev --local-dir checkpoints\/FLUX\.1-dev/);
  assert.match(r.err, /text table .*flux-text.*docs\/text-encodings\.md/);
  assert.ok(!existsSync(runs), 'a run directory was created');
});

test('flux-dev.sid is flux-dev-512.sid on the torch engine; present inputs are not reported', () => {
  const a = compileFile(repoPath('recipes/flux-dev.sid'));
  const b = compileFile(repoPath('recipes/flux-dev-512.sid'));
  assert.ok(a.ok && b.ok);
  const ga = a.graphs[0]!;
  const gb = b.graphs[0]!;
  const { hardware: ha, ...ra } = ga.config as Record<string, unknown> & { hardware: Record<string, unknown> };
  const { hardware: hb, ...rb } = gb.config as Record<string, unknown> & { hardware: Record<string, unknown> };
  assert.deepEqual(ra, rb);
  assert.deepEqual(ha, { ...hb, engine: 'torch' });
  assert.equal(missingInputs(ga).length, 2);
  const ck = join(dir, 'flux-ck');
  mkdirSync(join(ck, 'transformer'), { recursive: true });
  writeFileSync(join(ck, 'text.safetensors'), '');
  const cfg = ga.config as { teacher: { checkpoint: string }; data: { text: { path: string } } };
  cfg.teacher.checkpoint = ck;
  assert.equal(missingInputs(ga).length, 1);
  cfg.data.text.path = ck;
  assert.deepEqual(missingInputs(ga), []);
});
