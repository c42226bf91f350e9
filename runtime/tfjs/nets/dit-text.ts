// The DiT teacher's text encoder: a bag-of-words mean pool of learned word embeddings.
// Written as (word-count matrix / length) @ E - a plain 2-D matMul - instead of gather + mean, so its
// gradient needs no UnsortedSegmentSum (missing on wasm). The EMPTY caption pools to the zero vector:
// that is the null condition for classifier-free guidance (docs/algorithm.md §1).
import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '../nn/linear.js';
import { param, type Params, type ParamValues } from '../nn/params.js';

export const TOKEN_EMBEDDING = 'text_encoder.token_embedding.weight';

/** Lower-case words of a caption (letters and digits). */
export function tokenize(caption: string): string[] {
  return caption.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** Captions -> [B, V] rows of word frequencies / caption length (all-zero for the empty caption). */
export function bagOfWords(vocab: readonly string[], captions: readonly string[]): tf.Tensor2D {
  const index = new Map(vocab.map((w, i) => [w, i]));
  const v = vocab.length;
  const m = new Float32Array(captions.length * v);
  captions.forEach((c, b) => {
    const words = tokenize(c);
    for (const w of words) {
      const i = index.get(w) ?? index.get('<unk>');
      if (i === undefined) throw new Error(`caption "${c}": word "${w}" is not in the text encoder's vocabulary`);
      m[b * v + i]! += 1 / words.length;
    }
  });
  return tf.tensor2d(m, [captions.length, v]);
}

/** Pooled caption embedding [B, textDim]. */
export function encodeCaptions(p: Params | ParamValues, vocab: readonly string[], captions: readonly string[]): tf.Tensor2D {
  return tf.tidy(() => matMul2d(bagOfWords(vocab, captions), param(p, TOKEN_EMBEDDING)));
}
