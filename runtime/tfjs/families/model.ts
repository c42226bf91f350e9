// What a family module offers: the diffusers parameter table (names and shapes, the checkpoint
// contract) and a forward pass that can stop after the final norm (the adversarial stage's
// discriminator features, docs/algorithm.md §6).
import type * as tf from '@tensorflow/tfjs-core';
import type { FamilyConfig } from './config.js';
import type { Ctx } from './layers.js';

export interface FamilyInputs {
  /** latents [B, C, H, W] (FLUX: the unpacked 16-channel latent; packing is done inside) */
  x: tf.Tensor;
  /** the timestep as the transformer's forward takes it: t x time_scale (docs/algorithm.md §1) */
  timestep: tf.Tensor;
  /** sequence embeddings [B, L, text_dim] */
  text: tf.Tensor;
  /** 0/1 key mask [B, L] (SANA applies it; SD3 and FLUX attend to every token, as their pipelines do) */
  mask?: tf.Tensor;
  /** pooled embedding [B, P] (SD3, FLUX) */
  pooled?: tf.Tensor;
  /** guidance value per sample [B] (FLUX guidance embedding; SANA-Sprint guidance_embeds) */
  guidance?: tf.Tensor;
}

export interface FamilyOutput {
  /** image tokens after the final norm layer, before proj_out [B, N, D] */
  features: tf.Tensor;
  /** velocity [B, C_out, H, W] (absent when only the features were asked for) */
  v?: tf.Tensor;
}

export interface FamilyModule<C extends FamilyConfig = FamilyConfig> {
  /** every parameter diffusers' model holds, name -> shape */
  shapes(c: C): Record<string, number[]>;
  forward(c: C, ctx: Ctx, inp: FamilyInputs, featuresOnly?: boolean): FamilyOutput;
  /** latent channels of x (FLUX: in_channels / 4) */
  latentChannels(c: C): number;
  /** spatial multiple H and W must have */
  spatialMultiple(c: C): number;
  /** text widths the encodings must have */
  textDims(c: C): { seq: number; pooled: number };
}
