// The encoders' tokenizers: CLIP's byte-level BPE in pure Python against the ids Hugging Face's `tokenizers`
// gave for strings with punctuation, capitals, apostrophes, numbers, unicode and over-long text
// (fixtures/clip-bpe-ids.json), the T5 tokenizer against sentencepiece itself (+ </s>, truncation, padding) and
// the Gemma tokenizer (SANA) against sentencepiece with <bos> first, truncation and right padding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scratchDir } from '../formats/tmp.js';
import { runPython, tinyWithEncoders } from './encoders-helpers.js';

test('CLIP BPE ids equal Hugging Face tokenizers; T5 and Gemma ids equal sentencepiece with </s> / <bos> and padding', async () => {
  const root = await tinyWithEncoders('flux', join(scratchDir('encoders-tokenizers'), 'flux'));
  const sana = await tinyWithEncoders('sana', join(scratchDir('encoders-tokenizers'), 'sana'));
  const r = runPython('encoders_tokenizers.py', [join(root, 'tokenizer_2'), join(sana, 'tokenizer')]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { clip: unknown[]; t5: unknown[]; gemma: unknown[]; cases: number };
  assert.ok(out.cases >= 15, `only ${out.cases} CLIP cases`);
  assert.deepEqual(out.clip, [], 'CLIP ids differ from Hugging Face tokenizers');
  assert.deepEqual(out.t5, [], 'T5 ids differ from sentencepiece');
  assert.deepEqual(out.gemma, [], 'Gemma ids differ from sentencepiece');
});
