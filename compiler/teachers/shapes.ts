// Shapes a teacher family gives a resolution: the latent the generator produces, the tokens the
// transformer sees, and the symbolic-dimension bindings of the execution graph (graph/types.ts).
//   SANA: latent [32, H/32, W/32], patch 1           (DC-AE f32c32)
//   SD3:  latent [16, H/8, W/8], patch 2 -> (H/16)(W/16) tokens
//   FLUX: latent packed 2x2 -> [(H/16)(W/16), 64] tokens of 64 channels
//   dit:  pixels [C, H, W], patch p;  gmm/mlp: a vector [dim]
import { hiddenSize } from './params.js';
import type { TeacherConfig } from './types.js';

export interface Resolution {
  height: number;
  width: number;
}

const res = (r: number | Resolution): Resolution => (typeof r === 'number' ? { height: r, width: r } : r);

/** Pixels per token side: VAE downsampling x patch size (FLUX: 8 x 2 packing). */
export function pixelsPerToken(config: TeacherConfig): number {
  const a = config.arch;
  switch (a.kind) {
    case 'sana':
      return config.vae_downsample * a.patch_size;
    case 'mmdit':
      return config.vae_downsample * a.patch_size;
    case 'flux':
      return config.vae_downsample * 2;
    case 'dit':
      return a.patch_size;
    case 'vector':
      return 1;
  }
}

/** Why this resolution cannot be used with this teacher, or undefined when it can. */
export function resolutionProblem(config: TeacherConfig, resolution: number | Resolution): string | undefined {
  const r = res(resolution);
  if (config.arch.kind === 'vector') return undefined;
  const step = pixelsPerToken(config);
  for (const side of [r.height, r.width]) {
    if (!Number.isInteger(side) || side <= 0 || side % step !== 0) {
      return `${config.name} needs a resolution that is a positive multiple of ${step} px (VAE x patch); got ${side} px`;
    }
  }
  return undefined;
}

/** Shape of one generated sample (what G outputs, without the batch dimension). */
export function latentShape(config: TeacherConfig, resolution: number | Resolution): number[] {
  const r = res(resolution);
  const a = config.arch;
  switch (a.kind) {
    case 'vector':
      return [a.dim];
    case 'dit':
      return [a.in_channels, r.height, r.width];
    case 'flux':
      return [(r.height / 16) * (r.width / 16), a.in_channels];
    default:
      return [config.latent_channels, r.height / config.vae_downsample, r.width / config.vae_downsample];
  }
}

/** Image tokens the transformer attends over for one sample. */
export function imageTokens(config: TeacherConfig, resolution: number | Resolution): number {
  if (config.arch.kind === 'vector') return 1;
  const r = res(resolution);
  const step = pixelsPerToken(config);
  return (r.height / step) * (r.width / step);
}

/** Context (text) tokens per prompt. */
export const textTokens = (config: TeacherConfig): number => config.text_tokens;

/** Elements of one latent sample: numel(latent) of the adversarial losses (docs/algorithm.md §6). */
export const latentNumel = (config: TeacherConfig, resolution: number | Resolution): number => latentShape(config, resolution).reduce((a, b) => a * b, 1);

/**
 * Bindings of the graph's symbolic dims: C, H, W (latent; FLUX: token grid and 64 packed channels),
 * N (image tokens), L (text tokens), D (hidden width = discriminator logits per sample).
 */
export function shapeBindings(config: TeacherConfig, resolution: number | Resolution): Record<string, number> {
  const r = res(resolution);
  const a = config.arch;
  const D = hiddenSize(a);
  if (a.kind === 'vector') return { C: a.dim, H: 1, W: 1, N: 1, L: 1, D: a.width || a.dim };
  if (a.kind === 'flux') return { C: a.in_channels, H: r.height / 16, W: r.width / 16, N: imageTokens(config, r), L: config.text_tokens, D };
  const [C, H, W] = latentShape(config, r) as [number, number, number];
  return { C, H, W, N: imageTokens(config, r), L: config.text_tokens, D };
}
