// The plain-torch text encoders (runtime/torch/sidc_torch/encoders) against an independent float64 numpy
// oracle written from the architectures (encoders_oracle.py): CLIP-L / CLIP-G hidden_states[-2], the EOS
// pooling (legacy argmax and eos_token_id configs), the projections, T5's last hidden state over 160 tokens
// (logarithmic relative-position buckets), and the SD3 / FLUX tables `sidc encode-prompts` wrote - on tiny
// random encoders stored as fp32, fp16 and sharded bf16; Gemma-2 (SANA's text encoder) and the SANA tables,
// with and without the complex human instruction, on a tiny Gemma-2 whose sliding window and soft-cap bind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sidc } from '../../helpers/cli.js';
import { scratchDir } from '../formats/tmp.js';
import { promptsFile, runPython, tinyWithEncoders } from './encoders-helpers.js';

test('CLIP and T5 encoders and the SD3 / FLUX tables match a float64 numpy oracle', async () => {
  const dir = scratchDir('encoders-numerics');
  const flux = await tinyWithEncoders('flux', join(dir, 'flux'));
  const sd3 = await tinyWithEncoders('sd3', join(dir, 'sd3'));
  const prompts = promptsFile(dir);
  for (const [root, extra] of [
    [flux, ['--max-sequence-length', '40']],
    [sd3, ['--max-sequence-length', '24']],
  ] as const) {
    const r = await sidc('encode-prompts', root, prompts, '-o', join(root, 'table'), ...extra);
    assert.equal(r.code, 0, r.err);
  }
  const r = runPython('encoders_oracle.py', [flux, sd3, join(flux, 'table', 'text.safetensors'), join(sd3, 'table', 'text.safetensors')]);
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(Object.keys(errors).length, 14, r.stdout);
  for (const [k, e] of Object.entries(errors)) assert.ok(e < 1e-5, `${k}: relative error ${e} vs the float64 oracle`);
});

test('Gemma-2 and the SANA tables match a float64 numpy oracle that sees a wrong soft-cap, scale, window or pre-attention scalar', async () => {
  const dir = scratchDir('encoders-numerics-gemma');
  const sana = await tinyWithEncoders('sana', join(dir, 'sana'));
  const prompts = promptsFile(dir);
  for (const [out, extra] of [
    ['table', []],
    ['plain', ['--no-instruction']],
  ] as const) {
    const r = await sidc('encode-prompts', sana, prompts, '-o', join(sana, out), '--max-sequence-length', '20', '--batch-size', '3', ...extra);
    assert.equal(r.code, 0, r.err);
  }
  const r = runPython('encoders_oracle.py', ['gemma', sana, join(sana, 'table', 'text.safetensors'), join(sana, 'plain', 'text.safetensors')]);
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(Object.keys(errors).length, 9, r.stdout);
  for (const [k, e] of Object.entries(errors)) {
    if (k.startsWith('broken.')) assert.ok(e > 1e-2, `${k}: the oracle with that part wrong is only ${e} away; the comparison would not see it`);
    else assert.ok(e < 1e-5, `${k}: relative error ${e} vs the float64 oracle`);
  }
});
