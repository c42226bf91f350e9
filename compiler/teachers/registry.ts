// The named teachers a recipe can pick with `teacher.config = "..."`: the paper's teachers with the
// architecture of their diffusers config.json (transformer/config.json of each repository), tiny versions of
// each family for tests, and the toy teachers that run here (gmm, mlp, dit). docs/algorithm.md §7.
import type { Companion, TeacherConfig, TeacherFamily, TextEncoderSpec } from './types.js';

// Frozen companions: published parameter counts.
const GEMMA_2_2B: TextEncoderSpec = { name: 'Gemma-2-2B', params: 2_614_341_888, dim: 2304, tokens: 300 };
const CLIP_L: TextEncoderSpec = { name: 'CLIP ViT-L/14 text', params: 123_650_304, dim: 768, tokens: 77, pooled: 768 };
const CLIP_G: TextEncoderSpec = { name: 'OpenCLIP ViT-bigG/14 text', params: 694_659_840, dim: 1280, tokens: 77, pooled: 1280 };
const t5xxl = (tokens: number): TextEncoderSpec => ({ name: 'T5-XXL encoder', params: 4_762_310_656, dim: 4096, tokens });
const DC_AE: Companion = { name: 'DC-AE f32c32 (SANA 1.0)', params: 312_000_000 }; // approx.
const SD3_VAE: Companion = { name: 'AutoencoderKL 16-channel (SD3)', params: 83_819_683 };
const FLUX_VAE: Companion = { name: 'AutoencoderKL 16-channel (FLUX)', params: 83_819_683 };

const sanaCommon = {
  family: 'sana' as const,
  latent_channels: 32,
  vae_downsample: 32,
  vae_scale: 0.41407,
  vae_shift: 0,
  vae: DC_AE,
  text_encoders: [GEMMA_2_2B],
  text_tokens: 300,
  pooled_dim: 0,
  guidance_embedding: false,
};

const sana = (
  name: string,
  description: string,
  published: number,
  layers: number,
  heads: number,
  crossHeads: number,
  crossHeadDim: number,
  sprint: boolean,
): TeacherConfig => ({
  ...sanaCommon,
  name,
  description,
  published_params: published,
  objective: sprint ? 'trigflow' : 'rectified_flow',
  time_scale: sprint ? 1 : 1000,
  arch: {
    kind: 'sana',
    num_layers: layers,
    num_attention_heads: heads,
    attention_head_dim: 32,
    num_cross_attention_heads: crossHeads,
    cross_attention_head_dim: crossHeadDim,
    caption_channels: 2304,
    mlp_ratio: 2.5,
    in_channels: 32,
    patch_size: 1,
    qk_norm: sprint,
    guidance_embeds: sprint,
    ...(sprint ? { guidance_embeds_scale: 0.1 } : {}),
  },
});

const sd3Common = {
  family: 'sd3' as const,
  objective: 'rectified_flow' as const,
  time_scale: 1000,
  latent_channels: 16,
  vae_downsample: 8,
  vae_scale: 1.5305,
  vae_shift: 0.0609,
  vae: SD3_VAE,
  text_encoders: [CLIP_L, CLIP_G, t5xxl(77)],
  text_tokens: 154, // 77 CLIP (L and bigG side by side, padded to 4096) + 77 T5 tokens, concatenated
  pooled_dim: 2048,
  guidance_embedding: false,
};

const mmdit = (layers: number, heads: number, posMax: number, qkNorm: boolean, dual: number) => ({
  kind: 'mmdit' as const,
  num_layers: layers,
  num_attention_heads: heads,
  attention_head_dim: 64,
  caption_projection_dim: heads * 64,
  joint_attention_dim: 4096,
  pooled_projection_dim: 2048,
  in_channels: 16,
  patch_size: 2,
  pos_embed_max_size: posMax,
  qk_norm: qkNorm,
  dual_attention_layers: dual,
});

const fluxCommon = {
  family: 'flux' as const,
  objective: 'rectified_flow' as const,
  time_scale: 1, // FLUX multiplies by 1000 inside
  latent_channels: 16,
  vae_downsample: 8,
  vae_scale: 0.3611,
  vae_shift: 0.1159,
  vae: FLUX_VAE,
  text_encoders: [CLIP_L, t5xxl(512)],
  text_tokens: 512,
  pooled_dim: 768,
  guidance_embedding: true,
};

const CONFIGS: readonly TeacherConfig[] = [
  // SANA (Efficient-Large-Model/Sana_600M_512px_diffusers, Sana_1600M_512px_diffusers): Table 3
  sana('sana_600m_512', 'SANA 0.6B 512 px, rectified flow', 0.6e9, 28, 36, 16, 72, false),
  sana('sana_1600m_512', 'SANA 1.6B 512 px, rectified flow', 1.6e9, 20, 70, 20, 112, false),
  // SANA-Sprint teachers (TrigFlow-finetuned SANA, 1024 px): Table 3
  sana('sana_sprint_600m_1024', 'SANA-Sprint teacher 0.6B 1024 px, TrigFlow', 0.6e9, 28, 36, 16, 72, true),
  sana('sana_sprint_1600m_1024', 'SANA-Sprint teacher 1.6B 1024 px, TrigFlow', 1.6e9, 20, 70, 20, 112, true),
  // Stable Diffusion 3 family (stabilityai/*-diffusers): Table 4
  { ...sd3Common, name: 'sd3_medium', description: 'Stable Diffusion 3 Medium (MMDiT, 2B)', published_params: 2.0e9, arch: mmdit(24, 24, 192, false, 0) },
  {
    ...sd3Common,
    name: 'sd35_medium',
    description: 'Stable Diffusion 3.5 Medium (MMDiT-X, 2.5B)',
    published_params: 2.5e9,
    arch: mmdit(24, 24, 384, true, 13),
  },
  { ...sd3Common, name: 'sd35_large', description: 'Stable Diffusion 3.5 Large (MMDiT, 8.1B)', published_params: 8.1e9, arch: mmdit(38, 38, 192, true, 0) },
  // FLUX.1-dev (black-forest-labs/FLUX.1-dev): Table 4
  {
    ...fluxCommon,
    name: 'flux_dev',
    description: 'FLUX.1-dev (12B, guidance-distilled)',
    published_params: 12e9,
    arch: {
      kind: 'flux',
      num_layers: 19,
      num_single_layers: 38,
      num_attention_heads: 24,
      attention_head_dim: 128,
      joint_attention_dim: 4096,
      pooled_projection_dim: 768,
      in_channels: 64,
      guidance_embeds: true,
    },
  },
  // Tiny versions of each family: same code paths, a few thousand parameters (tests).
  {
    ...sanaCommon,
    name: 'sana_tiny',
    description: 'tiny SANA-shaped network for tests',
    objective: 'rectified_flow',
    time_scale: 1000,
    latent_channels: 4,
    text_encoders: [],
    text_tokens: 8,
    arch: {
      kind: 'sana',
      num_layers: 2,
      num_attention_heads: 2,
      attention_head_dim: 16,
      num_cross_attention_heads: 2,
      cross_attention_head_dim: 16,
      caption_channels: 64,
      mlp_ratio: 2.5,
      in_channels: 4,
      patch_size: 1,
      qk_norm: false,
      guidance_embeds: false,
    },
  },
  {
    ...sd3Common,
    name: 'sd3_tiny',
    description: 'tiny MMDiT for tests',
    text_encoders: [],
    text_tokens: 8,
    pooled_dim: 32,
    latent_channels: 4,
    arch: {
      kind: 'mmdit',
      num_layers: 2,
      num_attention_heads: 2,
      attention_head_dim: 16,
      caption_projection_dim: 32,
      joint_attention_dim: 64,
      pooled_projection_dim: 32,
      in_channels: 4,
      patch_size: 2,
      pos_embed_max_size: 16,
      qk_norm: true,
      dual_attention_layers: 1,
    },
  },
  {
    ...fluxCommon,
    name: 'flux_tiny',
    description: 'tiny FLUX-shaped network for tests',
    text_encoders: [],
    text_tokens: 8,
    pooled_dim: 32,
    latent_channels: 4,
    arch: {
      kind: 'flux',
      num_layers: 1,
      num_single_layers: 2,
      num_attention_heads: 2,
      attention_head_dim: 16,
      joint_attention_dim: 64,
      pooled_projection_dim: 32,
      in_channels: 16,
      guidance_embeds: true,
    },
  },
  // Toy teachers that run on a laptop CPU: pixel or vector space, class labels instead of text.
  toy('gmm', 'gmm', 'analytic Gaussian-mixture teacher (exact E[x0|x_t])', { kind: 'vector', dim: 2, width: 0, depth: 0, num_classes: 8 }, 2),
  toy('mlp', 'mlp', 'MLP velocity teacher trained on a Gaussian mixture', { kind: 'vector', dim: 2, width: 128, depth: 3, num_classes: 8 }, 2),
  // the DiT sizes of runtime/tfjs/nets/dit.ts (DIT_CONFIGS), captioned with the 14-word MNIST vocabulary
  toy(
    'dit_mnist_s',
    'dit',
    'small DiT for 28 px MNIST digits (49 tokens), shipped as examples/teachers/dit-mnist.safetensors',
    dit(4, 4, 32, 1, 28, 64, 256),
    1,
    1000,
  ),
  toy('dit_tiny', 'dit', 'tiny DiT for tests (8 px, 4 tokens)', dit(2, 2, 8, 1, 8, 8, 16, 2), 1, 1000),
  toy(
    'dit_bench',
    'dit',
    'the DiT size the wasm layers were tuned on (docs/design.md): D 256, depth 6, 64 tokens (32 px, 4 channels)',
    dit(6, 4, 64, 4, 32, 64, 256),
    4,
    1000,
  ),
];

function dit(
  layers: number,
  heads: number,
  headDim: number,
  channels: number,
  side: number,
  textDim: number,
  freqDim: number,
  mlpRatio = 4,
): TeacherConfig['arch'] {
  return {
    kind: 'dit',
    num_layers: layers,
    num_attention_heads: heads,
    attention_head_dim: headDim,
    mlp_ratio: mlpRatio,
    in_channels: channels,
    patch_size: 4,
    sample_size: side,
    freq_dim: freqDim,
    text_dim: textDim,
    vocab_size: 14,
  };
}

function toy(name: string, family: TeacherFamily, description: string, arch: TeacherConfig['arch'], channels: number, timeScale = 1): TeacherConfig {
  return {
    name,
    family,
    description,
    objective: 'rectified_flow',
    time_scale: timeScale,
    arch,
    latent_channels: channels,
    vae_downsample: 1,
    vae_scale: 1,
    vae_shift: 0,
    text_encoders: [],
    text_tokens: 1,
    pooled_dim: 0,
    guidance_embedding: false,
  };
}

const BY_NAME: ReadonlyMap<string, TeacherConfig> = new Map(CONFIGS.map((c) => [c.name, c]));

/** Short names people write: `sana_600m` is the 512 px model; `tiny` is the family's tiny config. */
const ALIASES: Readonly<Record<string, string>> = {
  sana_600m: 'sana_600m_512',
  sana_1600m: 'sana_1600m_512',
  sana_1_6b: 'sana_1600m_512',
  sana_sprint_600m: 'sana_sprint_600m_1024',
  sana_sprint_1600m: 'sana_sprint_1600m_1024',
  sd3: 'sd3_medium',
  sd35m: 'sd35_medium',
  sd35l: 'sd35_large',
  flux: 'flux_dev',
  flux_1_dev: 'flux_dev',
  dit: 'dit_mnist_s',
  dit_mnist: 'dit_mnist_s',
};

/** The configuration used when a recipe names a family but no `teacher.config`. */
export const DEFAULT_CONFIG: Readonly<Record<TeacherFamily, string>> = {
  sana: 'sana_600m_512',
  sd3: 'sd3_medium',
  flux: 'flux_dev',
  gmm: 'gmm',
  mlp: 'mlp',
  dit: 'dit_mnist_s',
};

export const teacherNames = (): string[] => CONFIGS.map((c) => c.name);

/** Look a configuration up by name or alias; `tiny` needs the family. Undefined when unknown. */
export function teacherConfig(name: string, family?: TeacherFamily): TeacherConfig | undefined {
  if (name === 'tiny' && family) return BY_NAME.get(family === 'gmm' || family === 'mlp' ? family : `${family}_tiny`);
  return BY_NAME.get(name) ?? BY_NAME.get(ALIASES[name] ?? '');
}

/** The configuration a resolved recipe means: teacher.config if given, else the family's default. */
export function teacherFor(family: TeacherFamily, configName?: string): TeacherConfig | undefined {
  return teacherConfig(configName ?? DEFAULT_CONFIG[family], family);
}
