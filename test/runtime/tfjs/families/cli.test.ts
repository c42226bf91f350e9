// sidc inspect / forward / decode on tiny checkpoints, through the real CLI entry (compiler main + the
// runtime's family commands): outputs, exit codes and the messages users see.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { readNpyFloat32, writeNpy } from '../../../../runtime/formats/npy.js';
import { readPng } from '../../../../runtime/plot/png.js';
import { latentOf, writeTinyTeacher, writeTinyVae } from './fixtures.js';
import { loadTransformer } from '../../../../runtime/tfjs/families/load.js';
import { readTextEncodings, TextTable } from '../../../../runtime/tfjs/families/text.js';
import { FamilyNet } from '../../../../runtime/tfjs/families/net.js';
import { VaeDecoder } from '../../../../runtime/tfjs/families/vae.js';
import { useWasm } from '../nn/setup.js';
import { sidc } from '../../../helpers/cli.js';

before(() => useWasm());

test('sidc inspect: family, config, parameters, dtypes, memory plan and key check from headers', async () => {
  const w = writeTinyTeacher('flux');
  const r = await sidc('inspect', w.root);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /: flux \(/);
  assert.match(r.out, /axes_dims_rope = \[4,6,6\]/);
  assert.match(r.out, /parameters: .* in \d+ tensors; the config implies/);
  assert.match(r.out, /stored: BF16 /);
  assert.match(r.out, /memory, forward, wasm: .* -> fits/);
  assert.match(r.out, /keys: every parameter present with the expected shape/);
  rmSync(join(w.tdir, 'diffusion_pytorch_model.safetensors.index.json'));
  const bad = await sidc('inspect', w.root);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no \.safetensors\.index\.json/);
  assert.doesNotMatch(bad.err, /\n\s+at /, 'no stack trace');
});

test('sidc forward: one velocity [B, C, H, W] to .npy; CFG against the empty prompt; usage errors', async () => {
  const w = writeTinyTeacher('sd3');
  const x = join(w.root, 'x.npy');
  writeNpy(x, { dtype: 'f4', shape: [2, 4, 4, 4], data: tf.randomNormal([2 * 4 * 4 * 4], 0, 1, 'float32', 3).dataSync() as Float32Array });
  const out = join(w.root, 'v.npy');
  const r = await sidc('forward', w.root, '--x', x, '--t', '0.5', '--text', w.text, '-o', out, '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /timestep 500, prompt 1 "a red circle"/);
  const v = readNpyFloat32(out);
  assert.deepEqual(v.shape, [2, 4, 4, 4]);
  const outNull = join(w.root, 'vnull.npy');
  await sidc('forward', w.root, '--x', x, '--t', '0.5', '--text', w.text, '--prompt', '0', '-o', outNull, '--backend', 'wasm');
  const outCfg = join(w.root, 'vcfg.npy');
  const g = await sidc('forward', w.root, '--x', x, '--t', '0.5', '--text', w.text, '--guidance', '3', '-o', outCfg, '--backend', 'wasm');
  assert.equal(g.code, 0, g.err);
  // v_w = v_null + w (v_c - v_null)
  const vn = readNpyFloat32(outNull).data;
  const vw = readNpyFloat32(outCfg).data;
  let m = 0;
  for (let i = 0; i < vw.length; i++) m = Math.max(m, Math.abs(vw[i]! - (vn[i]! + 3 * (v.data[i]! - vn[i]!))));
  assert.ok(m < 1e-4, `CFG mismatch ${m}`);
  const wrong = join(w.root, 'x3.npy');
  writeNpy(wrong, { dtype: 'f4', shape: [1, 3, 4, 4], data: new Float32Array(48) });
  const e = await sidc('forward', w.root, '--x', wrong, '--t', '0.5', '--text', w.text, '--backend', 'wasm');
  assert.equal(e.code, 2);
  assert.match(e.err, /latents must be \[B, 4, H, W\] for this sd3 teacher, got \[1, 3, 4, 4\]/);
  const t = await sidc('forward', w.root, '--x', x, '--t', '2', '--text', w.text);
  assert.match(t.err, /--t must be in \[0, 1\], got 2/);
});

test('sidc forward on a SANA-Sprint teacher: --guidance goes through the guidance embedder (x 0.1), timestep = t', async () => {
  const sprint = { guidance_embeds: true, guidance_embeds_scale: 0.1, timestep_scale: 1, qk_norm: 'rms_norm_across_heads' };
  const w = writeTinyTeacher('sana', 4, { overrides: sprint });
  const ld = loadTransformer(w.root);
  const x = join(w.root, 'x.npy');
  const xt = latentOf(ld.info.config, 2, 4, 6);
  writeNpy(x, { dtype: 'f4', shape: xt.shape, data: xt.dataSync() as Float32Array });
  // the transformer called directly, as SanaSprintPipeline calls it: timestep t in [0, 1], guidance w
  const text = new TextTable(readTextEncodings(w.text));
  const direct = (guidance: number) => {
    const net = new FamilyNet({ config: ld.info.config, weights: ld.tensors, text, latent: { height: 4, width: 4 }, trainable: false, guidance });
    const v = net.forward(tf.reshape(xt, [2, -1]) as tf.Tensor2D, tf.fill([2], 0.3) as tf.Tensor1D, tf.fill([2], 1, 'int32') as tf.Tensor1D);
    const d = v.dataSync() as Float32Array;
    v.dispose();
    net.dispose();
    return d;
  };
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const out = join(w.root, 'v.npy');
  const r = await sidc('forward', w.root, '--x', x, '--t', '0.3', '--text', w.text, '--guidance', '3', '-o', out, '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /timestep 0\.3, prompt 1 "a red circle", guidance embedding 3\)/);
  const v3 = readNpyFloat32(out).data;
  assert.ok(maxDiff(v3, direct(3)) < 1e-5, `embedded guidance 3: ${maxDiff(v3, direct(3))}`);
  assert.ok(maxDiff(v3, direct(1)) > 1e-4, 'the guidance value must reach the embedder');
  // default: SanaSprintPipeline's guidance_scale 4.5
  const d = await sidc('forward', w.root, '--x', x, '--t', '0.3', '--text', w.text, '-o', out, '--backend', 'wasm');
  assert.equal(d.code, 0, d.err);
  assert.match(d.err, /guidance embedding 4\.5\)/);
  assert.ok(maxDiff(readNpyFloat32(out).data, direct(4.5)) < 1e-5);
  text.dispose();
  xt.dispose();
});

test('sidc decode: latents through the VAE decoder into a PNG grid', async () => {
  const { root } = writeTinyVae();
  const z = join(root, 'z.npy');
  writeNpy(z, { dtype: 'f4', shape: [3, 4, 4, 4], data: tf.randomNormal([3 * 64], 0, 1, 'float32', 2).dataSync() as Float32Array });
  const png = join(root, 'grid.png');
  const r = await sidc('decode', root, '--latents', z, '-o', png, '--cols', '3', '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(png));
  const img = readPng(png);
  assert.ok(img.width >= 3 * 8 && img.height >= 8);
  const bad = await sidc('decode', root, '--latents', z, '-o', join(root, 'grid.jpg'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /grid\.jpg: write \.png .* or \.npy/);
});

test("sidc decode -o out.npy: the decoder's float output [B, 3, H, W], unclipped (diffusers' decode())", async () => {
  const { root } = writeTinyVae();
  const zt = tf.mul(tf.randomNormal([3, 4, 4, 4], 0, 1, 'float32', 2), 3); // large latents push pixels outside [-1, 1]
  const z = join(root, 'z.npy');
  writeNpy(z, { dtype: 'f4', shape: zt.shape, data: zt.dataSync() as Float32Array });
  const out = join(root, 'img.npy');
  const r = await sidc('decode', root, '--latents', z, '-o', out, '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  const got = readNpyFloat32(out);
  assert.deepEqual(got.shape, [3, 3, 8, 8]);
  const dec = VaeDecoder.load(root);
  const raw = dec.decodeRaw(zt).dataSync() as Float32Array;
  const img = dec.decode(zt).dataSync() as Float32Array;
  assert.ok(
    got.data.every((v, i) => Math.abs(v - raw[i]!) < 1e-6),
    'the .npy holds decodeRaw',
  );
  assert.ok(
    got.data.some((v) => v < -1 || v > 1),
    'unclipped: the test latents must leave [-1, 1]',
  );
  // and the PNG path's decode() is exactly clip(raw / 2 + 1/2, 0, 1)
  assert.ok(img.every((v, i) => Math.abs(v - Math.min(1, Math.max(0, raw[i]! / 2 + 0.5))) < 1e-6));
  dec.dispose();
  zt.dispose();
});
