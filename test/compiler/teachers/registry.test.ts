import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hiddenSize,
  imageTokens,
  latentShape,
  parameterBreakdown,
  parameterCount,
  resolutionProblem,
  shapeBindings,
  teacherConfig,
  teacherFor,
  teacherNames,
} from '../../../compiler/teachers/index.js';

const cfg = (name: string) => {
  const c = teacherConfig(name);
  assert.ok(c, `registry has ${name}`);
  return c;
};

test('parameter counts computed from the configs match the published sizes within 5%', () => {
  const published: Record<string, number> = {
    sana_600m_512: 0.6e9,
    sana_1600m_512: 1.6e9,
    sana_sprint_600m_1024: 0.6e9,
    sana_sprint_1600m_1024: 1.6e9,
    sd3_medium: 2.0e9,
    sd35_medium: 2.5e9,
    sd35_large: 8.1e9,
    flux_dev: 12e9,
  };
  for (const [name, size] of Object.entries(published)) {
    const p = parameterCount(cfg(name));
    assert.ok(Math.abs(p / size - 1) <= 0.05, `${name}: ${(p / 1e9).toFixed(3)}B vs published ${size / 1e9}B`);
    assert.equal(cfg(name).published_params, size);
  }
});

test('hidden widths D are the discriminator widths of docs/algorithm.md §7', () => {
  const d: Record<string, number> = { sana_600m_512: 1152, sana_1600m_512: 2240, sd3_medium: 1536, sd35_medium: 1536, sd35_large: 2432, flux_dev: 3072 };
  for (const [name, width] of Object.entries(d)) assert.equal(hiddenSize(cfg(name).arch), width, name);
});

test('latent shapes and token counts by family', () => {
  assert.deepEqual(latentShape(cfg('sana_600m_512'), 512), [32, 16, 16]);
  assert.deepEqual(latentShape(cfg('sana_sprint_1600m_1024'), 1024), [32, 32, 32]);
  assert.deepEqual(latentShape(cfg('sd35_large'), 1024), [16, 128, 128]);
  assert.deepEqual(latentShape(cfg('flux_dev'), 512), [1024, 64]);
  assert.deepEqual(latentShape(cfg('flux_dev'), 1024), [4096, 64]);
  assert.equal(imageTokens(cfg('sd3_medium'), 1024), 4096); // 128 / patch 2 = 64 per side
  assert.equal(imageTokens(cfg('sana_600m_512'), 512), 256);
  assert.equal(imageTokens(cfg('flux_dev'), 1024), 4096);
  assert.equal(cfg('sd3_medium').text_tokens, 154);
  assert.equal(cfg('flux_dev').text_tokens, 512);
  assert.equal(cfg('sana_600m_512').text_tokens, 300);
  assert.deepEqual(shapeBindings(cfg('sd3_medium'), 1024), { C: 16, H: 128, W: 128, N: 4096, L: 154, D: 1536 });
  assert.deepEqual(shapeBindings(cfg('flux_dev'), 512), { C: 64, H: 32, W: 32, N: 1024, L: 512, D: 3072 });
  assert.deepEqual(latentShape(cfg('gmm'), 0), [2]);
});

test('time scale and objective follow docs/algorithm.md §1', () => {
  assert.equal(cfg('sana_600m_512').time_scale, 1000);
  assert.equal(cfg('sana_sprint_600m_1024').time_scale, 1);
  assert.equal(cfg('sana_sprint_600m_1024').objective, 'trigflow');
  assert.equal(cfg('sd35_large').time_scale, 1000);
  assert.equal(cfg('flux_dev').time_scale, 1);
  assert.equal(cfg('flux_dev').guidance_embedding, true);
  assert.equal(cfg('sd3_medium').guidance_embedding, false);
});

test('resolutions must be multiples of VAE downsampling x patch', () => {
  assert.equal(resolutionProblem(cfg('sana_600m_512'), 512), undefined);
  assert.match(resolutionProblem(cfg('sana_600m_512'), 500) ?? '', /multiple of 32/);
  assert.match(resolutionProblem(cfg('sd3_medium'), 1000) ?? '', /multiple of 16/);
  assert.equal(resolutionProblem(cfg('flux_dev'), 1024), undefined);
});

test('lookup: names, aliases, tiny per family, defaults, unknown', () => {
  assert.equal(teacherConfig('sana_600m')?.name, 'sana_600m_512');
  assert.equal(teacherConfig('tiny', 'sd3')?.name, 'sd3_tiny');
  assert.equal(teacherConfig('tiny', 'flux')?.name, 'flux_tiny');
  assert.equal(teacherConfig('nope'), undefined);
  assert.equal(teacherFor('flux')?.name, 'flux_dev');
  assert.equal(teacherFor('sd3', 'sd35_large')?.name, 'sd35_large');
  assert.equal(new Set(teacherNames()).size, teacherNames().length);
});

test('tiny configs are tiny and every breakdown is consistent', () => {
  for (const name of ['sana_tiny', 'sd3_tiny', 'flux_tiny', 'mlp', 'dit_mnist_s', 'dit_tiny']) assert.ok(parameterCount(cfg(name)) < 2e6, name);
  assert.equal(parameterCount(cfg('gmm')), 0);
  for (const name of teacherNames()) {
    const b = parameterBreakdown(cfg(name).arch);
    assert.ok(b.blocks <= b.total && b.largestBlock <= b.blocks, name);
  }
});

test('oracle: the small DiT of runtime/tfjs/nets/dit.ts counted by hand', () => {
  // dit_mnist_s: D = 4 x 32 = 128, 4 blocks, MLP x4, patch 4 on 1 channel, 256 timestep features,
  // 64-wide pooled caption from a 14-word embedding table
  const D = 128;
  const F = 4 * D;
  const block = D * 3 * D + 3 * D + (D * D + D) + (D * F + F) + (F * D + D) + (D * 6 * D + 6 * D);
  const embed = 16 * D + D + (256 * D + D) + (D * D + D) + (64 * D + D) + (D * D + D) + 14 * 64 + (D * 2 * D + 2 * D) + (D * 16 + 16);
  assert.equal(parameterCount(cfg('dit_mnist_s')), 4 * block + embed);
  assert.equal(teacherConfig('dit')?.name, 'dit_mnist_s');
  assert.equal(teacherConfig('tiny', 'dit')?.name, 'dit_tiny');
});
