// Bad inputs to the torch engine's image-net loaders (runtime/torch/sidc_torch/nets): one error that names the
// file, what is wrong and the fix - every checkpoint problem at once, as the tfjs engine's loader reports them.
// image_nets_errors.py provokes each case on a tiny FLUX teacher and prints the messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';

const torchPython = pythonWith('torch', 'numpy');

test('image-net loaders: bad checkpoints, configs, text tables and DiT files give one clear error each', {
  skip: torchPython ? false : 'python3 with torch not found',
}, () => {
  const dir = scratchDir('torchnet-errors');
  const t = writeTinyFamilyTeacher('flux', join(dir, 'flux'), { seed: 2 });
  const scratch = join(dir, 'scratch');
  const r = spawnSync(torchPython!, [repoPath('test', 'runtime', 'torch', 'image_nets_errors.py'), t.root, scratch], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as Record<string, string | null> & { names: [string, string] };
  const [gone, misshaped] = m.names;
  assert.match(m.missing_key!, /bad[/\\]transformer: checkpoint does not match its config\.json/);
  assert.ok(m.missing_key!.includes(`missing key ${gone}`), m.missing_key!);
  assert.ok(m.missing_key!.includes(`mis-shaped key ${misshaped}`) && m.missing_key!.includes('found [3, 3]'), m.missing_key!);
  assert.match(m.missing_key!, /fix: use the config\.json that came with these weights/);
  assert.match(m.class_name!, /"_class_name" is "UNet2DConditionModel"; sidc loads SanaTransformer2DModel/);
  assert.match(m.axes!, /"axes_dims_rope" \[2, 2, 2\] sums to 6, but attention_head_dim is 16/);
  assert.match(m.no_empty_prompt!, /text\.safetensors:\n {2}the empty prompt "" is missing/);
  assert.match(m.resolution!, /resolution 40 px: flux needs a multiple of 16 px/);
  assert.match(m.dit_no_config!, /dit\.safetensors: no DiT config in the safetensors metadata/);
});
