// Loading tiny diffusers-layout checkpoints written by the test: success, and a precise error for each
// way a checkpoint can be wrong (renamed key, wrong shape, truncated shard, missing index, config, memory).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync, truncateSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, writeTinyTeacher, tinyConfig } from './fixtures.js';
import {
  inspectCheckpoint,
  loadTransformer,
  planMemory,
  CheckpointMismatchError,
  MemoryPlanError,
  WASM_HEAP_BYTES,
} from '../../../../runtime/tfjs/families/load.js';
import { parseFamilyConfig } from '../../../../runtime/tfjs/families/config.js';
import { expectedShapes, paramCount } from '../../../../runtime/tfjs/families/index.js';
import { familyConfigOf, randomWeights } from '../../../../runtime/tfjs/families/registry-config.js';
import { writeDiffusersTransformer } from '../../../../runtime/tfjs/families/write.js';
import { scratchDir } from '../../formats/tmp.js';
import { teacherConfig } from '../../../../compiler/teachers/registry.js';
import { parameterCount } from '../../../../compiler/teachers/params.js';
import { UserError } from '../../../../common/errors.js';
import { loadFamilyTeacher, SID_WEIGHT_COPIES } from '../../../../runtime/tfjs/families/teacher.js';
import { useWasm } from '../nn/setup.js';

before(() => useWasm());

const index = (tdir: string) => join(tdir, 'diffusion_pytorch_model.safetensors.index.json');

for (const f of FAMILIES) {
  test(`${f}: a 2-shard bf16 checkpoint loads with every expected key, as float32`, () => {
    const w = writeTinyTeacher(f);
    const shards = readdirSync(w.tdir).filter((n) => n.endsWith('.safetensors'));
    assert.equal(shards.length, 2);
    const ld = loadTransformer(w.root);
    assert.equal(ld.info.config.family, f);
    assert.deepEqual(Object.keys(ld.tensors).sort(), Object.keys(expectedShapes(ld.info.config)).sort());
    assert.deepEqual(ld.info.bytesByDtype, { BF16: ld.info.params * 2 });
    assert.equal(ld.info.params, paramCount(ld.info.config));
    for (const [n, t] of Object.entries(ld.tensors))
      assert.equal(
        t.data.length,
        t.shape.reduce((a, b) => a * b, 1),
        n,
      );
    // the transformer folder itself works as well as the model root
    assert.equal(inspectCheckpoint(w.tdir).params, ld.info.params);
  });
}

test('a renamed key is reported as both missing and unexpected, with every other problem', () => {
  const { json, config } = tinyConfig('sd3');
  const weights = randomWeights(config, 3);
  weights['transformer_blocks.1.attn.to_k.weight_renamed'] = weights['transformer_blocks.1.attn.to_k.weight']!;
  delete weights['transformer_blocks.1.attn.to_k.weight'];
  weights['pos_embed.proj.weight'] = { shape: [32, 4, 1, 4], data: weights['pos_embed.proj.weight']!.data };
  const tdir = join(scratchDir('fam-renamed'), 'transformer');
  writeDiffusersTransformer(tdir, json, weights, { shards: 2 });
  assert.throws(
    () => loadTransformer(tdir),
    (e: Error) => {
      assert.ok(e instanceof CheckpointMismatchError);
      assert.deepEqual(e.problems.missing, ['transformer_blocks.1.attn.to_k.weight']);
      assert.deepEqual(e.problems.unexpected, ['transformer_blocks.1.attn.to_k.weight_renamed']);
      assert.deepEqual(e.problems.misshaped, [{ name: 'pos_embed.proj.weight', expected: [32, 4, 2, 2], found: [32, 4, 1, 4] }]);
      return true;
    },
  );
});

test('an index that names a tensor its shard lacks fails naming index, key and shard', () => {
  const w = writeTinyTeacher('sd3');
  const idx = JSON.parse(readFileSync(index(w.tdir), 'utf8')) as { weight_map: Record<string, string> };
  // rename in the index only: openCheckpoint itself then fails naming the index and the key
  idx.weight_map['transformer_blocks.0.attn.to_q.weightX'] = idx.weight_map['transformer_blocks.0.attn.to_q.weight']!;
  delete idx.weight_map['transformer_blocks.0.attn.to_q.weight'];
  writeFileSync(index(w.tdir), JSON.stringify(idx));
  assert.throws(
    () => loadTransformer(w.root),
    (e: Error) => e instanceof UserError && /to_q\.weightX/.test(e.message),
  );
});

test('config and weights that disagree: all missing, unexpected and mis-shaped keys are named', () => {
  const w = writeTinyTeacher('sana');
  const cfgPath = join(w.tdir, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  // 3 layers (one block missing), caption width 48 (mis-shaped), qk_norm off (norm_* keys unexpected? no: absent in the weights)
  writeFileSync(cfgPath, JSON.stringify({ ...cfg, num_layers: 3, caption_channels: 48, attention_bias: true }));
  try {
    loadTransformer(w.root);
    assert.fail('expected a mismatch');
  } catch (e) {
    assert.ok(e instanceof CheckpointMismatchError, String(e));
    const p = e.problems;
    assert.ok(p.missing.includes('transformer_blocks.2.scale_shift_table'));
    assert.ok(p.missing.includes('transformer_blocks.0.attn1.to_q.bias'), 'attention_bias adds biases the weights lack');
    assert.deepEqual(
      p.misshaped.map((m) => m.name),
      ['caption_projection.linear_1.weight'],
    );
    assert.deepEqual(p.misshaped[0]!.expected, [32, 48]);
    assert.deepEqual(p.misshaped[0]!.found, [32, 64]);
    assert.match(e.message, /missing keys \(\d+\):/);
    assert.match(e.message, /caption_projection\.linear_1\.weight: expected \[32, 48\], found \[32, 64\]/);
  }
  writeFileSync(cfgPath, JSON.stringify({ ...cfg, num_layers: 1 }));
  assert.throws(
    () => loadTransformer(w.root),
    (e: Error) =>
      e instanceof CheckpointMismatchError && e.problems.unexpected.includes('transformer_blocks.1.ff.conv_point.weight') && e.problems.missing.length === 0,
  );
});

test('a truncated shard fails naming the shard', () => {
  const w = writeTinyTeacher('flux');
  const shard = join(w.tdir, 'diffusion_pytorch_model-00002-of-00002.safetensors');
  truncateSync(shard, statSync(shard).size - 10);
  assert.throws(
    () => loadTransformer(w.root),
    (e: Error) => e instanceof UserError && e.message.includes('diffusion_pytorch_model-00002-of-00002.safetensors') && /truncat|shorter|end/i.test(e.message),
  );
});

test('two shards without their index fail saying the index is missing', () => {
  const w = writeTinyTeacher('sd3');
  rmSync(index(w.tdir));
  assert.throws(
    () => loadTransformer(w.root),
    (e: Error) => e instanceof UserError && /index\.json/.test(e.message) && /several \.safetensors/.test(e.message),
  );
});

test('a shard named by the index but absent is named', () => {
  const w = writeTinyTeacher('sana');
  rmSync(join(w.tdir, 'diffusion_pytorch_model-00001-of-00002.safetensors'));
  assert.throws(
    () => loadTransformer(w.root),
    (e: Error) => e instanceof UserError && /00001-of-00002\.safetensors' \(holding \d+ tensors\) is missing/.test(e.message),
  );
});

test('config.json problems are reported together; unknown classes say what is supported', () => {
  assert.throws(
    () => parseFamilyConfig({ _class_name: 'UNet2DConditionModel' }, 'c.json'),
    /"_class_name" is "UNet2DConditionModel"; sidc loads SanaTransformer2DModel, SD3Transformer2DModel, FluxTransformer2DModel/,
  );
  const { json } = tinyConfig('flux');
  assert.throws(
    () => parseFamilyConfig({ ...json, axes_dims_rope: [4, 4, 4], num_layers: -1 }, 'c.json'),
    (e: Error) => /"num_layers" must be a non-negative integer/.test(e.message) && /axes_dims_rope.*sums to 12, but attention_head_dim is 16/.test(e.message),
  );
  const sd3 = tinyConfig('sd3').json;
  assert.throws(() => parseFamilyConfig({ ...sd3, dual_attention_layers: [0, 5] }, 'c.json'), /names layers 5 but there are only 2/);
});

test('memory is planned from headers before loading: over the wasm heap is refused with the numbers', () => {
  const p = planMemory(3.9 * 1024 ** 3, 'wasm');
  assert.equal(p.fits, false);
  assert.ok(p.limitBytes < WASM_HEAP_BYTES);
  assert.equal(planMemory(1e9, 'wasm').fits, true);
  assert.equal(planMemory(1e9, 'wasm', 7).fits, false, '7 copies of 1 GB (SiD training) exceed the wasm heap');
  const w = writeTinyTeacher('sd3');
  assert.throws(
    () => loadTransformer(w.root, { backend: 'wasm', copies: 1e5 }),
    (e: Error) =>
      e instanceof MemoryPlanError &&
      /need .* for 100000 copies of its weights as float32, but the wasm backend holds at most 4 GiB/.test(e.message) &&
      /nothing was loaded/.test(e.message),
  );
});

test('the paper configs build parameter tables whose sizes match the registry counts', () => {
  for (const name of ['sana_600m_512', 'sana_1600m_512', 'sd3_medium', 'sd35_medium', 'sd35_large', 'flux_dev']) {
    const t = teacherConfig(name)!;
    const ours = paramCount(familyConfigOf(t));
    const reg = parameterCount(t);
    assert.ok(Math.abs(ours - reg) / reg < 0.01, `${name}: ${ours} vs registry ${reg}`);
  }
  // FLUX.1-dev is published as 12B; the transformer has 11.9B parameters
  const flux = paramCount(familyConfigOf(teacherConfig('flux_dev')!));
  assert.ok(flux > 11.8e9 && flux < 12e9, String(flux));
  // the wasm heap cannot hold FLUX.1-dev: a plan says so from the config alone
  assert.equal(planMemory(flux * 4, 'wasm').fits, false);
});

test('loadFamilyTeacher: resolution -> latent size per family, SiD memory plan, text checked', () => {
  const w = writeTinyTeacher('sd3');
  const { net, text } = loadFamilyTeacher({ checkpoint: w.root, text: w.text, resolution: 64 });
  assert.deepEqual([net.opts.latent.height, net.opts.latent.width], [8, 8]);
  assert.equal(net.dim, 4 * 8 * 8);
  assert.equal(net.nullCondition, 0);
  assert.equal(SID_WEIGHT_COPIES, 7);
  assert.throws(() => loadFamilyTeacher({ checkpoint: w.root, text: w.text, resolution: 60 }), /resolution 60 px: sd3 needs a multiple of 16 px/);
  net.dispose();
  text.dispose();
});
