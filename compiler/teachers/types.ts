// The shape of a teacher configuration: the architecture fields of the diffusers config.json that size
// the network (and so bind the graph's symbolic dims and drive `sidc plan`), plus the frozen companions
// (VAE, text encoders) whose sizes matter for memory. Field names follow diffusers where one exists.

export type TeacherFamily = 'sana' | 'sd3' | 'flux' | 'gmm' | 'mlp' | 'dit';

/** SanaTransformer2DModel: linear self-attention, cross-attention to Gemma tokens, GLUMBConv feed-forward. */
export interface SanaArch {
  kind: 'sana';
  num_layers: number;
  num_attention_heads: number;
  attention_head_dim: number; // hidden D = heads x head_dim
  num_cross_attention_heads: number;
  cross_attention_head_dim: number;
  caption_channels: number; // Gemma-2-2B hidden size, 2304
  mlp_ratio: number; // GLUMBConv hidden = mlp_ratio x D (inverted conv makes 2x that for the gate)
  in_channels: number;
  patch_size: number;
  qk_norm: boolean; // SANA-Sprint teachers: rms_norm_across_heads
  guidance_embeds: boolean; // SANA-Sprint: a second timestep-style embedder for the guidance scale
  guidance_embeds_scale?: number;
}

/** SD3Transformer2DModel (MMDiT): joint attention over image and text streams, adaLN-Zero. */
export interface MMDiTArch {
  kind: 'mmdit';
  num_layers: number;
  num_attention_heads: number;
  attention_head_dim: number; // D = heads x 64
  caption_projection_dim: number; // = D
  joint_attention_dim: number; // 4096 (T5-XXL width; CLIP features zero-padded to it)
  pooled_projection_dim: number; // 2048 = CLIP-L 768 + CLIP-bigG 1280
  in_channels: number;
  patch_size: number;
  pos_embed_max_size: number; // learned position table of size max^2 x D (counted as weights, as published sizes do)
  qk_norm: boolean; // SD3.5: rms_norm
  dual_attention_layers: number; // SD3.5-Medium: layers 0..12 carry a second image-only attention
}

/** FluxTransformer2DModel: 19 double-stream (MMDiT-like) blocks and 38 single-stream blocks, RoPE. */
export interface FluxArch {
  kind: 'flux';
  num_layers: number; // double-stream blocks
  num_single_layers: number;
  num_attention_heads: number;
  attention_head_dim: number; // D = 24 x 128 = 3072
  joint_attention_dim: number; // T5-XXL 4096
  pooled_projection_dim: number; // CLIP-L 768
  in_channels: number; // 64 = 16 latent channels x 2 x 2 packing
  guidance_embeds: boolean;
}

/** The small DiT trained here (runtime/tfjs/nets/dit.ts: adaLN-Zero, patchify in pixel space, conditioned on a
 *  pooled caption embedding from a word-embedding text encoder). */
export interface DiTArch {
  kind: 'dit';
  num_layers: number;
  num_attention_heads: number;
  attention_head_dim: number;
  mlp_ratio: number;
  in_channels: number;
  patch_size: number;
  sample_size: number; // image side in pixels
  freq_dim: number; // sinusoidal timestep features
  text_dim: number; // width of the pooled caption embedding
  vocab_size: number; // words of the caption encoder's embedding table
}

/** Vector teachers: analytic Gaussian mixture (gmm) or a small MLP trained on it (mlp). */
export interface VectorArch {
  kind: 'vector';
  dim: number;
  width: number; // 0 for the analytic mixture (no parameters)
  depth: number;
  num_classes: number;
}

export type Arch = SanaArch | MMDiTArch | FluxArch | DiTArch | VectorArch;

/** A frozen companion network (VAE or text encoder) and its size. */
export interface Companion {
  name: string;
  params: number;
}

export interface TextEncoderSpec extends Companion {
  dim: number; // width of its token features
  tokens: number; // tokens per prompt used by the pipeline (0: pooled only)
  pooled?: number; // width of its pooled feature, if used
}

export interface TeacherConfig {
  name: string;
  family: TeacherFamily;
  description: string;
  /** The size the authors publish (e.g. 0.6e9), checked against parameterCount by a test. */
  published_params?: number;
  objective: 'rectified_flow' | 'trigflow';
  /** Timestep handed to the backbone = t x time_scale (docs/algorithm.md §1). */
  time_scale: number;
  arch: Arch;
  /** Latent space: channels and spatial downsampling of the VAE (1 = pixel space). */
  latent_channels: number;
  vae_downsample: number;
  /** VAE encode: z' = (z - shift) x scale (docs/algorithm.md §7). */
  vae_scale: number;
  vae_shift: number;
  vae?: Companion;
  text_encoders: TextEncoderSpec[];
  /** Context tokens the backbone attends to per prompt (SD3: 77 CLIP + 77 T5). */
  text_tokens: number;
  /** Width of the pooled text vector fed to the timestep embedding (0: none). */
  pooled_dim: number;
  /** FLUX's learned guidance embedding (no unconditional branch): docs/algorithm.md §7, paper §4.4. */
  guidance_embedding: boolean;
}
