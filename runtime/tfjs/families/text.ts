// Precomputed text conditioning (docs/text-encodings.md): one safetensors file per prompt set with
//   prompt_embeds          [N, L, text_dim]   sequence embeddings (SANA: Gemma; SD3: CLIP-L|bigG padded + T5; FLUX: T5)
//   prompt_attention_mask  [N, L]             1 = token, 0 = padding (optional: all ones)
//   pooled_prompt_embeds   [N, P]             SD3: CLIP-L ++ bigG (2048); FLUX: CLIP-L (768); absent for SANA
// and metadata `prompts` = JSON list of the N prompts. The empty prompt "" must be one of them: it is the
// null condition of classifier-free guidance (docs/algorithm.md §1).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../../common/errors.js';
import { readSafetensors, writeSafetensors, type TensorToWrite, type WritableDtype } from '../../formats/safetensors.js';

const TEXT_FORMAT = 'sidc-text-encodings/1';

export interface TextEncodingsData {
  prompts: string[];
  seq: { shape: [number, number, number]; data: Float32Array };
  mask: { shape: [number, number]; data: Float32Array };
  pooled: { shape: [number, number]; data: Float32Array } | null;
}

/** tf-side table the nets gather condition rows from (condition index = prompt row). */
export class TextTable {
  readonly seq: tf.Tensor3D;
  readonly mask: tf.Tensor2D;
  readonly pooled: tf.Tensor2D | null;
  readonly nullIndex: number;
  constructor(readonly data: TextEncodingsData) {
    this.seq = tf.tensor3d(data.seq.data, data.seq.shape);
    this.mask = tf.tensor2d(data.mask.data, data.mask.shape);
    this.pooled = data.pooled ? tf.tensor2d(data.pooled.data, data.pooled.shape) : null;
    this.nullIndex = data.prompts.indexOf('');
  }
  get prompts(): string[] {
    return this.data.prompts;
  }
  dispose(): void {
    tf.dispose([this.seq, this.mask, ...(this.pooled ? [this.pooled] : [])]);
  }
}

/** What a teacher needs: sequence width, pooled width (0: none). */
interface TextExpectation {
  seq: number;
  pooled: number;
  teacher: string;
}

export function readTextEncodings(path: string, expect?: TextExpectation): TextEncodingsData {
  const { tensors, metadata } = readSafetensors(path);
  const problems: string[] = [];
  const seqT = tensors.prompt_embeds;
  if (!seqT) problems.push('no "prompt_embeds" tensor [N, L, text_dim]');
  else if (seqT.shape.length !== 3) problems.push(`"prompt_embeds" has shape [${seqT.shape}], expected [N, L, text_dim]`);
  let prompts: string[] = [];
  try {
    const p = JSON.parse(metadata.prompts ?? 'null') as unknown;
    if (!Array.isArray(p) || !p.every((s) => typeof s === 'string')) throw new Error('not a list of strings');
    prompts = p as string[];
  } catch {
    problems.push('metadata "prompts" must be a JSON list of the prompt strings, one per row');
  }
  if (problems.length) throw new UserError(`${path}: not a text-encodings file (docs/text-encodings.md):\n  ${problems.join('\n  ')}`);
  const [n, l, dim] = seqT!.shape as [number, number, number];
  if (prompts.length !== n) problems.push(`metadata "prompts" lists ${prompts.length} prompts but prompt_embeds has ${n} rows`);
  if (!prompts.includes('')) problems.push('the empty prompt "" is missing: it is the null condition for classifier-free guidance; encode it as one more row');
  const maskT = tensors.prompt_attention_mask;
  if (maskT && (maskT.shape.length !== 2 || maskT.shape[0] !== n || maskT.shape[1] !== l))
    problems.push(`"prompt_attention_mask" has shape [${maskT.shape}], expected [${n}, ${l}]`);
  const pooledT = tensors.pooled_prompt_embeds;
  if (pooledT && (pooledT.shape.length !== 2 || pooledT.shape[0] !== n))
    problems.push(`"pooled_prompt_embeds" has shape [${pooledT.shape}], expected [${n}, P]`);
  if (expect) {
    if (dim !== expect.seq) problems.push(`prompt_embeds are ${dim}-wide but ${expect.teacher} takes ${expect.seq}-wide sequence embeddings`);
    if (expect.pooled && !pooledT) problems.push(`${expect.teacher} needs "pooled_prompt_embeds" [N, ${expect.pooled}]`);
    if (expect.pooled && pooledT && pooledT.shape[1] !== expect.pooled)
      problems.push(`pooled_prompt_embeds are ${pooledT.shape[1]}-wide but ${expect.teacher} takes ${expect.pooled}`);
  }
  if (problems.length) throw new UserError(`${path}:\n  ${problems.join('\n  ')}`);
  return {
    prompts,
    seq: { shape: [n, l, dim], data: seqT!.data },
    mask: { shape: [n, l], data: maskT ? Float32Array.from(maskT.data, (v) => (v !== 0 ? 1 : 0)) : new Float32Array(n * l).fill(1) },
    pooled: pooledT ? { shape: [n, pooledT.shape[1]!], data: pooledT.data } : null,
  };
}

/** Writes the documented layout (tools that encode prompts, and tests). */
export function writeTextEncodings(path: string, d: TextEncodingsData, dtype: WritableDtype = 'F32', extra: Record<string, string> = {}): void {
  const t: Record<string, TensorToWrite> = {
    prompt_embeds: { dtype, shape: [...d.seq.shape], data: d.seq.data },
    prompt_attention_mask: { dtype: 'F32', shape: [...d.mask.shape], data: d.mask.data },
  };
  if (d.pooled) t.pooled_prompt_embeds = { dtype, shape: [...d.pooled.shape], data: d.pooled.data };
  writeSafetensors(path, t, { format: TEXT_FORMAT, prompts: JSON.stringify(d.prompts), ...extra });
}
