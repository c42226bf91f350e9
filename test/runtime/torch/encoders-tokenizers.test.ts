// The encoders' tokenizers: CLIP's byte-level BPE in pure Python against the ids Hugging Face's `tokenizers`
// gave for strings with punctuation, capitals, apostrophes, numbers, unicode and over-long text
// (fixtures/clip-bpe-ids.json), and the T5 tokenizer against sentencepiece itself (+ </s>, truncation, padding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scratchDir } from '../formats/tmp.js';
import { runPython, tinyWithEncoders } from './encoders-helpers.js';

test('CLIP BPE ids equal Hugging Face tokenizers; T5 ids equal sentencepiece with </s> and padding', async () => {
  const root = await tinyWithEncoders('flux', join(scratchDir('encoders-tokenizers'), 'flux'));
  const r = runPython('encoders_tokenizers.py', [join(root, 'tokenizer_2')]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { clip: unknown[]; t5: unknown[]; cases: number };
  assert.ok(out.cases >= 15, `only ${out.cases} CLIP cases`);
  assert.deepEqual(out.clip, [], 'CLIP ids differ from Hugging Face tokenizers');
  assert.deepEqual(out.t5, [], 'T5 ids differ from sentencepiece');
});
