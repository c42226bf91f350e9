// What the compiler needs to know about each teacher family (docs/algorithm.md §7): latent layout for shape
// bindings, the resolution multiple, the timestep scale by objective, whether the backbone has a
// guidance embedding, and the conditioning it takes. Per-size numbers (hidden width D, parameter counts)
// live in the teacher registry (compiler/teachers/); this table keeps the family-level facts.
export type Layout = 'latent_image' | 'packed_tokens' | 'vector' | 'pixels';

export interface FamilyInfo {
  layout: Layout;
  /** latent channels (images) */
  channels?: number;
  /** VAE downsampling factor (1 for pixel-space DiT) */
  downsample: number;
  patch: number;
  /** FLUX packs 2x2 latent patches into tokens of channels*4 */
  pack?: number;
  /** backbone timestep = t x time_scale (docs/algorithm.md §1), by teacher objective */
  timeScale: Partial<Record<'rectified_flow' | 'trigflow', number>>;
  guidanceEmbedding: boolean;
  /** needs text prompts (true) or class labels (false) */
  text: boolean;
  /** default hidden width D of the discriminator features (docs/algorithm.md §6-7) */
  hidden: number;
  /** text tokens L and text width E of the conditioning */
  textTokens?: number;
  textDim?: number;
}

export const FAMILIES: Record<string, FamilyInfo> = {
  sana: {
    layout: 'latent_image',
    channels: 32,
    downsample: 32,
    patch: 1,
    timeScale: { rectified_flow: 1000, trigflow: 1 },
    guidanceEmbedding: true,
    text: true,
    hidden: 1152,
    textTokens: 300,
    textDim: 2304,
  },
  sd3: {
    layout: 'latent_image',
    channels: 16,
    downsample: 8,
    patch: 2,
    timeScale: { rectified_flow: 1000 },
    guidanceEmbedding: false,
    text: true,
    hidden: 1536,
    textTokens: 154,
    textDim: 4096,
  },
  flux: {
    layout: 'packed_tokens',
    channels: 16,
    downsample: 8,
    patch: 1,
    pack: 2,
    timeScale: { rectified_flow: 1 },
    guidanceEmbedding: true,
    text: true,
    hidden: 3072,
    textTokens: 512,
    textDim: 4096,
  },
  gmm: { layout: 'vector', downsample: 1, patch: 1, timeScale: { rectified_flow: 1 }, guidanceEmbedding: false, text: false, hidden: 0 },
  mlp: { layout: 'vector', downsample: 1, patch: 1, timeScale: { rectified_flow: 1 }, guidanceEmbedding: false, text: false, hidden: 128 },
  dit: { layout: 'pixels', downsample: 1, patch: 4, timeScale: { rectified_flow: 1 }, guidanceEmbedding: false, text: false, hidden: 256 },
};

/** Image shape of the offline datasets a `dit` teacher trains on (channels, side). */
export const DATASETS: Record<string, { channels: number; side: number }> = {
  mnist: { channels: 1, side: 28 },
  fashion_mnist: { channels: 1, side: 28 },
  emoji: { channels: 3, side: 64 },
};

/** Resolution multiple of a family: downsample x patch (x pack for FLUX). */
export function resolutionMultiple(f: FamilyInfo): number {
  return f.downsample * f.patch * (f.pack ?? 1);
}
