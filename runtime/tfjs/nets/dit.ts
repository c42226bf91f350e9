// A small class/caption-conditioned DiT (Peebles & Xie 2023) that predicts rectified-flow velocity
// v ~ eps - x0 (docs/algorithm.md §1). Parameter names follow diffusers (SD3-style pooled conditioning):
//   pos_embed.proj                          patch embedding, weight [D, C*p*p] (= Conv2d weight flattened)
//   time_text_embed.timestep_embedder.*     sinusoidal(t * time_scale) -> MLP
//   time_text_embed.text_embedder.*         pooled caption embedding -> MLP
//   transformer_blocks.{i}.norm1.linear     adaLN-Zero: 6 x D (shift, scale, gate for attn and MLP)
//   transformer_blocks.{i}.attn.to_{q,k,v,out.0}, transformer_blocks.{i}.ff.net.{0.proj,2}
//   norm_out.linear (scale, shift), proj_out
//   text_encoder.token_embedding            the teacher's caption encoder (dit-text.ts)
// Weights are [out, in] like torch.nn.Linear. All parameters are float32 tf.Variables in a flat map.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/linear.js';
import { geluTanh, silu } from '../nn/activations.js';
import { layerNorm } from '../nn/norm.js';
import { selfAttention } from '../nn/attention.js';
import { mlpEmbed, sincosPosEmbed2d, timestepSinusoidal } from '../nn/embed.js';
import { adaLNChunks, gate, modulate } from '../nn/modulate.js';
import { patchify, unpatchify } from '../nn/patch.js';
import { ParamBuilder, param, type Params, type ParamValues } from '../nn/params.js';
import { SplitMix32 } from '../../rng/splitmix32.js';
import { TOKEN_EMBEDDING, encodeCaptions } from './dit-text.js';

export interface DiTConfig {
  name: string;
  channels: number; // C of x [B, C, H, W]
  height: number;
  width: number;
  patch: number;
  hidden: number; // D
  depth: number;
  heads: number;
  mlpRatio: number;
  textDim: number; // width of the pooled caption embedding
  freqDim: number; // sinusoidal timestep features
  timeScale: number; // t handed to the net = t * timeScale (docs/algorithm.md §1)
  vocab: string[]; // text encoder words; index 0 is <unk>
}

type P = Params | ParamValues;

export class DiT {
  readonly tokens: number;
  private pos: tf.Tensor2D | null = null;

  constructor(readonly config: DiTConfig) {
    const c = config;
    if (c.height % c.patch || c.width % c.patch) throw new Error(`${c.name}: image size not divisible by patch ${c.patch}`);
    if (c.hidden % c.heads || c.hidden % 4) throw new Error(`${c.name}: hidden ${c.hidden} must divide by heads and 4`);
    this.tokens = (c.height / c.patch) * (c.width / c.patch);
  }

  /** Deterministic initial parameters (DiT init: xavier Linear, N(0, 0.02) embeddings, adaLN-Zero). */
  init(seed: number): Params {
    const c = this.config;
    const D = c.hidden;
    const pb = new ParamBuilder(new SplitMix32(seed));
    pb.linear('pos_embed.proj', c.channels * c.patch * c.patch, D);
    pb.linear('time_text_embed.timestep_embedder.linear_1', c.freqDim, D, { std: 0.02 });
    pb.linear('time_text_embed.timestep_embedder.linear_2', D, D, { std: 0.02 });
    pb.linear('time_text_embed.text_embedder.linear_1', c.textDim, D, { std: 0.02 });
    pb.linear('time_text_embed.text_embedder.linear_2', D, D, { std: 0.02 });
    pb.normal(TOKEN_EMBEDDING, [c.vocab.length, c.textDim], 1);
    const F = Math.round(D * c.mlpRatio);
    for (let i = 0; i < c.depth; i++) {
      const b = `transformer_blocks.${i}`;
      pb.linear(`${b}.norm1.linear`, D, 6 * D, 'zeros');
      for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) pb.linear(`${b}.attn.${n}`, D, D);
      pb.linear(`${b}.ff.net.0.proj`, D, F);
      pb.linear(`${b}.ff.net.2`, F, D);
    }
    pb.linear('norm_out.linear', D, 2 * D, 'zeros');
    pb.linear('proj_out', D, c.patch * c.patch * c.channels, 'zeros');
    return pb.build();
  }

  /** Names of every parameter, in init order. */
  get paramNames(): string[] {
    return Object.keys(tf.tidy(() => this.shapes()));
  }

  /** Parameter shapes without allocating (for planning and checkpoint validation). */
  shapes(): Record<string, number[]> {
    const c = this.config;
    const D = c.hidden;
    const F = Math.round(D * c.mlpRatio);
    const s: Record<string, number[]> = {};
    const lin = (n: string, i: number, o: number) => ((s[`${n}.weight`] = [o, i]), (s[`${n}.bias`] = [o]));
    lin('pos_embed.proj', c.channels * c.patch * c.patch, D);
    lin('time_text_embed.timestep_embedder.linear_1', c.freqDim, D);
    lin('time_text_embed.timestep_embedder.linear_2', D, D);
    lin('time_text_embed.text_embedder.linear_1', c.textDim, D);
    lin('time_text_embed.text_embedder.linear_2', D, D);
    s[TOKEN_EMBEDDING] = [c.vocab.length, c.textDim];
    for (let i = 0; i < c.depth; i++) {
      const b = `transformer_blocks.${i}`;
      lin(`${b}.norm1.linear`, D, 6 * D);
      for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) lin(`${b}.attn.${n}`, D, D);
      lin(`${b}.ff.net.0.proj`, D, F);
      lin(`${b}.ff.net.2`, F, D);
    }
    lin('norm_out.linear', D, 2 * D);
    lin('proj_out', D, c.patch * c.patch * c.channels);
    return s;
  }

  /** Pooled caption embeddings [B, textDim] from the teacher's text encoder ("" = null condition). */
  encodeText(p: P, captions: readonly string[]): tf.Tensor2D {
    return encodeCaptions(p, this.config.vocab, captions);
  }

  private posEmbed(): tf.Tensor2D {
    if (!this.pos || this.pos.isDisposed) {
      const c = this.config;
      this.pos = tf.keep(tf.tensor2d(sincosPosEmbed2d(c.hidden, c.height / c.patch, c.width / c.patch), [this.tokens, c.hidden]));
    }
    return this.pos;
  }

  /**
   * Hidden states after the final adaLN norm, before proj_out: [B, N, D]. The adversarial stage
   * (docs/algorithm.md §6) averages these over tokens to get one logit per hidden channel.
   * x [B, C, H, W]; t [B] already scaled by time_scale; cond [B, textDim] pooled caption embeddings.
   */
  finalHidden(p: P, x: tf.Tensor, t: tf.Tensor, cond: tf.Tensor): tf.Tensor3D {
    const c = this.config;
    const tokens = tf.add(linear(patchify(x, c.patch), param(p, 'pos_embed.proj.weight'), param(p, 'pos_embed.proj.bias')), this.posEmbed());
    const temb = mlpEmbed(p, 'time_text_embed.timestep_embedder', timestepSinusoidal(t, c.freqDim));
    const cemb = mlpEmbed(p, 'time_text_embed.text_embedder', cond);
    const sc = silu(tf.add(temb, cemb)); // [B, D], shared by every adaLN
    let h: tf.Tensor = tokens;
    // one tidy per block: only what backward needs (kept by the kernels) outlives the block
    for (let i = 0; i < c.depth; i++) {
      const hin = h;
      h = tf.tidy(() => this.block(p, i, hin, sc));
    }
    const [scale, shift] = adaLNChunks(p, 'norm_out.linear', sc, 2) as [tf.Tensor, tf.Tensor];
    return modulate(layerNorm(h, 1e-6), shift, scale) as tf.Tensor3D;
  }

  /** One DiT block with adaLN-Zero (diffusers AdaLayerNormZero chunk order). */
  private block(p: P, i: number, x: tf.Tensor, sc: tf.Tensor): tf.Tensor {
    const b = `transformer_blocks.${i}`;
    const [shA, scA, gA, shM, scM, gM] = adaLNChunks(p, `${b}.norm1.linear`, sc, 6) as tf.Tensor[];
    const a = selfAttention(p, `${b}.attn`, modulate(layerNorm(x, 1e-6), shA!, scA!), this.config.heads);
    x = tf.add(x, gate(gA!, a));
    const hm = modulate(layerNorm(x, 1e-6), shM!, scM!);
    const f1 = geluTanh(linear(hm, param(p, `${b}.ff.net.0.proj.weight`), param(p, `${b}.ff.net.0.proj.bias`)));
    const f2 = linear(f1, param(p, `${b}.ff.net.2.weight`), param(p, `${b}.ff.net.2.bias`));
    return tf.add(x, gate(gM!, f2));
  }

  /** Velocity v(x, t, cond) [B, C, H, W] (docs/algorithm.md §1: v ~ eps - x0). */
  velocity(p: P, x: tf.Tensor, t: tf.Tensor, cond: tf.Tensor): tf.Tensor4D {
    const c = this.config;
    const h = this.finalHidden(p, x, t, cond);
    const out = linear(h, param(p, 'proj_out.weight'), param(p, 'proj_out.bias'));
    return unpatchify(out, c.patch, c.channels, c.height, c.width);
  }
}

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Words of the MNIST captions ("a handwritten digit seven"), <unk> first. */
const MNIST_VOCAB = ['<unk>', 'a', 'handwritten', 'digit', ...DIGITS];

// ---- registry of named sizes ----
export const DIT_CONFIGS: Record<string, DiTConfig> = {
  // MNIST teacher shipped in examples/teachers/dit-mnist.safetensors: 28x28x1, 7x7 = 49 tokens.
  dit_mnist_s: {
    name: 'dit_mnist_s',
    channels: 1,
    height: 28,
    width: 28,
    patch: 4,
    hidden: 128,
    depth: 4,
    heads: 4,
    mlpRatio: 4,
    textDim: 64,
    freqDim: 256,
    timeScale: 1000,
    vocab: MNIST_VOCAB,
  },
  // Tiny net for tests.
  dit_tiny: {
    name: 'dit_tiny',
    channels: 1,
    height: 8,
    width: 8,
    patch: 4,
    hidden: 16,
    depth: 2,
    heads: 2,
    mlpRatio: 2,
    textDim: 8,
    freqDim: 16,
    timeScale: 1000,
    vocab: MNIST_VOCAB,
  },
  // The size the wasm layers were tuned on (docs/design.md): D = 256, depth 6, 64 tokens (32x32x4, patch 4).
  dit_bench: {
    name: 'dit_bench',
    channels: 4,
    height: 32,
    width: 32,
    patch: 4,
    hidden: 256,
    depth: 6,
    heads: 4,
    mlpRatio: 4,
    textDim: 64,
    freqDim: 256,
    timeScale: 1000,
    vocab: MNIST_VOCAB,
  },
};

export function ditConfig(name: string): DiTConfig {
  const c = DIT_CONFIGS[name];
  if (!c) throw new Error(`unknown DiT size "${name}"; known: ${Object.keys(DIT_CONFIGS).join(', ')}`);
  return c;
}
