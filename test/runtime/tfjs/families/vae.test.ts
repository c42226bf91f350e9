// The AutoencoderKL decoder: output shape (8x for 4 levels, 2x for the tiny 2-level one), range, the
// normalisation z = z' / scale + shift (docs/algorithm.md §7), and precise key errors; encoder weights ignored.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, relErr } from '../nn/setup.js';
import { TINY_VAE_CONFIG, writeTinyVae } from './fixtures.js';
import { VaeDecoder, groupNorm, parseVaeConfig, vaeDecoderShapes } from '../../../../runtime/tfjs/families/vae.js';
import { CheckpointMismatchError } from '../../../../runtime/tfjs/families/load.js';
import { readSafetensors, writeSafetensors } from '../../../../runtime/formats/safetensors.js';

before(() => useWasm());

test('decode: [B, 4, h, w] -> [B, 3, 2h, 2w] in [0, 1], mostly unsaturated, deterministic', () => {
  const { root } = writeTinyVae();
  const dec = VaeDecoder.load(root);
  const z = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 1);
  const img = dec.decode(z);
  assert.deepEqual(img.shape, [2, 3, 8, 12]);
  const d = img.dataSync();
  assert.ok(d.every((v) => v >= 0 && v <= 1));
  assert.ok(d.filter((v) => v > 0 && v < 1).length > d.length / 2, 'the test weights must not saturate the output');
  assert.deepEqual(dec.decode(z).dataSync(), d);
  dec.dispose();
});

test("the latent normalisation is undone before decoding: decode(z') = decode_raw((z' / scale) + shift)", () => {
  const { root } = writeTinyVae();
  const dec = VaeDecoder.load(root);
  const plain = VaeDecoder.load(root);
  (plain.config as { scaling_factor: number; shift_factor: number }).scaling_factor = 1;
  (plain.config as { scaling_factor: number; shift_factor: number }).shift_factor = 0;
  const z = tf.randomNormal([1, 4, 4, 4], 0, 1, 'float32', 2);
  const raw = tf.add(tf.div(z, 1.5305), 0.0609);
  assert.ok(relErr(dec.decode(z), plain.decode(raw)) < 1e-6);
  assert.ok(relErr(dec.decode(z), plain.decode(z)) > 1e-3);
});

test('the SD3/FLUX decoder layout: 4 levels upsample 8x and hold the published 49.5M decoder parameters', () => {
  const c = parseVaeConfig(
    {
      _class_name: 'AutoencoderKL',
      latent_channels: 16,
      block_out_channels: [128, 256, 512, 512],
      layers_per_block: 2,
      norm_num_groups: 32,
      use_post_quant_conv: false,
    },
    'sd3',
  );
  const n = Object.values(vaeDecoderShapes(c)).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
  // the SD VAE decoder's 49,490,199 parameters, with conv_in taking 16 channels and no post_quant_conv
  assert.equal(n, 49_545_475);
});

test('a missing decoder tensor and a mis-shaped one are both named; encoder.* is ignored', () => {
  const { vdir } = writeTinyVae();
  const file = join(vdir, 'diffusion_pytorch_model.safetensors');
  const { tensors } = readSafetensors(file);
  delete tensors['decoder.mid_block.attentions.0.to_k.bias'];
  tensors['decoder.conv_out.weight'] = { ...tensors['decoder.conv_out.weight']!, shape: [3, 8, 9, 1] };
  writeSafetensors(file, Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data }])));
  assert.throws(
    () => VaeDecoder.load(vdir),
    (e: Error) =>
      e instanceof CheckpointMismatchError &&
      e.problems.missing.join() === 'decoder.mid_block.attentions.0.to_k.bias' &&
      e.problems.misshaped[0]?.name === 'decoder.conv_out.weight' &&
      e.problems.unexpected.length === 0,
  );
  const cfg = JSON.parse(readFileSync(join(vdir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(vdir, 'config.json'), JSON.stringify({ ...cfg, _class_name: 'AutoencoderDC' }));
  assert.throws(() => VaeDecoder.load(vdir), /"_class_name" is "AutoencoderDC"; the VAE decoder loads AutoencoderKL/);
  assert.equal(TINY_VAE_CONFIG.latent_channels, 4);
});

test('GroupNorm: every (sample, group) has mean 0 and variance 1 before the affine part', () => {
  const x = tf.randomNormal([2, 3, 5, 8], 3, 2, 'float32', 4);
  const y = groupNorm(x, 4, tf.ones([8]), tf.zeros([8]), 0);
  const g = tf.reshape(y, [2, 15, 4, 2]);
  const { mean, variance } = tf.moments(g, [1, 3]);
  assert.ok(tf.max(tf.abs(mean)).dataSync()[0]! < 1e-5);
  assert.ok(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]! < 1e-4);
});
