// The decoder of diffusers' AutoencoderKL (models/autoencoders/vae.py Decoder, 16 latent channels for
// SD3/FLUX): conv_in, mid block (ResnetBlock2D, single-head attention with GroupNorm, ResnetBlock2D),
// up blocks of layers_per_block + 1 ResnetBlock2D with nearest-2x + conv upsamplers (all but the last),
// GroupNorm + SiLU + conv_out. Latents in the teacher's normalised space are mapped back first:
// z = z' / scaling_factor + shift_factor (docs/algorithm.md §7). Forward only (no gradient needed), so tfjs
// conv2d runs natively on wasm; activations are NHWC.
import { join } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../../common/errors.js';
import { openCheckpoint } from '../../formats/diffusers-index.js';
import { linear } from '../nn/linear.js';
import { attentionCore } from '../nn/attention.js';
import { compareKeys, CheckpointMismatchError, planMemory, assertFits } from './load.js';

interface VaeConfig {
  latent_channels: number;
  out_channels: number;
  block_out_channels: number[];
  layers_per_block: number;
  norm_num_groups: number;
  scaling_factor: number;
  shift_factor: number;
  use_post_quant_conv: boolean;
  mid_block_add_attention: boolean;
}

export function parseVaeConfig(j: Record<string, unknown>, file: string): VaeConfig {
  if (j._class_name !== 'AutoencoderKL') throw new UserError(`${file}: "_class_name" is ${JSON.stringify(j._class_name)}; the VAE decoder loads AutoencoderKL`);
  const ups = j.up_block_types;
  if (Array.isArray(ups) && ups.some((u) => u !== 'UpDecoderBlock2D'))
    throw new UserError(`${file}: up_block_types ${JSON.stringify(ups)}: only UpDecoderBlock2D is supported`);
  const c: VaeConfig = {
    latent_channels: Number(j.latent_channels ?? 4),
    out_channels: Number(j.out_channels ?? 3),
    block_out_channels: (j.block_out_channels as number[] | undefined) ?? [64],
    layers_per_block: Number(j.layers_per_block ?? 1),
    norm_num_groups: Number(j.norm_num_groups ?? 32),
    scaling_factor: Number(j.scaling_factor ?? 0.18215),
    shift_factor: j.shift_factor == null ? 0 : Number(j.shift_factor),
    use_post_quant_conv: j.use_post_quant_conv == null ? true : Boolean(j.use_post_quant_conv),
    mid_block_add_attention: j.mid_block_add_attention == null ? true : Boolean(j.mid_block_add_attention),
  };
  const bad = c.block_out_channels.filter((ch) => ch % c.norm_num_groups);
  if (bad.length) throw new UserError(`${file}: block_out_channels ${bad.join(', ')} not divisible by norm_num_groups ${c.norm_num_groups}`);
  return c;
}

/** name -> shape of the decoder's parameters (and post_quant_conv). */
export function vaeDecoderShapes(c: VaeConfig): Record<string, number[]> {
  const s: Record<string, number[]> = {};
  const conv = (n: string, o: number, i: number, k: number) => {
    s[`${n}.weight`] = [o, i, k, k];
    s[`${n}.bias`] = [o];
  };
  const norm = (n: string, ch: number) => {
    s[`${n}.weight`] = [ch];
    s[`${n}.bias`] = [ch];
  };
  const resnet = (n: string, i: number, o: number) => {
    norm(`${n}.norm1`, i);
    conv(`${n}.conv1`, o, i, 3);
    norm(`${n}.norm2`, o);
    conv(`${n}.conv2`, o, o, 3);
    if (i !== o) conv(`${n}.conv_shortcut`, o, i, 1);
  };
  const rev = [...c.block_out_channels].reverse();
  const top = rev[0]!;
  if (c.use_post_quant_conv) conv('post_quant_conv', c.latent_channels, c.latent_channels, 1);
  conv('decoder.conv_in', top, c.latent_channels, 3);
  resnet('decoder.mid_block.resnets.0', top, top);
  if (c.mid_block_add_attention) {
    const a = 'decoder.mid_block.attentions.0';
    norm(`${a}.group_norm`, top);
    for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) {
      s[`${a}.${p}.weight`] = [top, top];
      s[`${a}.${p}.bias`] = [top];
    }
  }
  resnet('decoder.mid_block.resnets.1', top, top);
  let prev = top;
  rev.forEach((out, i) => {
    for (let j = 0; j <= c.layers_per_block; j++) resnet(`decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? prev : out, out);
    if (i < rev.length - 1) conv(`decoder.up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
    prev = out;
  });
  norm('decoder.conv_norm_out', c.block_out_channels[0]!);
  conv('decoder.conv_out', c.out_channels, c.block_out_channels[0]!, 3);
  return s;
}

/** GroupNorm over NHWC: statistics per (sample, group) over H, W and the group's channels. */
export function groupNorm(x: tf.Tensor, groups: number, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-6): tf.Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const g = tf.reshape(x, [b, h * w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 3], true);
  const n = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, eps))), [b, h, w, c]);
  return tf.add(tf.mul(n, gamma), beta);
}

export class VaeDecoder {
  private constructor(
    readonly config: VaeConfig,
    private readonly w: Record<string, tf.Tensor>,
  ) {}

  /** Builds from weights already in memory (tests, tools). */
  static fromWeights(config: VaeConfig, weights: Record<string, { shape: number[]; data: Float32Array }>): VaeDecoder {
    const w: Record<string, tf.Tensor> = {};
    for (const [n, shape] of Object.entries(vaeDecoderShapes(config))) {
      const t = weights[n];
      if (!t) throw new Error(`missing VAE parameter ${n}`);
      w[n] = tf.tensor(t.data, shape, 'float32');
    }
    return new VaeDecoder(config, w);
  }

  /** `dir`: the model root (with vae/) or the vae folder. Encoder weights are left on disk. */
  static load(dir: string, backend = 'wasm'): VaeDecoder {
    const vdir = existsSync(join(dir, 'vae', 'config.json')) ? join(dir, 'vae') : dir;
    const file = join(vdir, 'config.json');
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`${file}: cannot read the VAE config (${(e as Error).message})`);
    }
    const config = parseVaeConfig(json, file);
    const ck = openCheckpoint(vdir);
    try {
      const needed = vaeDecoderShapes(config);
      const found: Record<string, { shape: number[] }> = {};
      for (const n of ck.names) if (n.startsWith('decoder.') || n.startsWith('post_quant_conv.')) found[n] = { shape: ck.info(n).shape };
      const pr = compareKeys(needed, found);
      if (pr.missing.length || pr.unexpected.length || pr.misshaped.length) throw new CheckpointMismatchError(ck.source, pr);
      const params = Object.values(needed).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
      assertFits({ source: ck.source, params, f32Bytes: params * 4 }, planMemory(params * 4, backend));
      const w: Record<string, tf.Tensor> = {};
      for (const n of Object.keys(needed)) {
        const t = ck.read(n);
        w[n] = tf.tensor(t.data, t.shape, 'float32');
      }
      return new VaeDecoder(config, w);
    } finally {
      ck.close();
    }
  }

  private conv(x: tf.Tensor, name: string): tf.Tensor {
    const w = this.w[`${name}.weight`]!;
    const b = this.w[`${name}.bias`]!;
    if (w.shape[2] === 1) return linear(x, tf.reshape(w, [w.shape[0]!, w.shape[1]!]), b);
    const k = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D; // torch [O, I, kh, kw] -> tf [kh, kw, I, O]
    return tf.add(tf.conv2d(x as tf.Tensor4D, k, 1, 'same'), b);
  }

  private norm(x: tf.Tensor, name: string): tf.Tensor {
    return groupNorm(x, this.config.norm_num_groups, this.w[`${name}.weight`]!, this.w[`${name}.bias`]!);
  }

  /** ResnetBlock2D (no time embedding): silu(norm1) -> conv1 -> silu(norm2) -> conv2, plus the (1x1) shortcut. */
  private resnet(x: tf.Tensor, n: string): tf.Tensor {
    let h = this.conv(silu(this.norm(x, `${n}.norm1`)), `${n}.conv1`);
    h = this.conv(silu(this.norm(h, `${n}.norm2`)), `${n}.conv2`);
    const skip = this.w[`${n}.conv_shortcut.weight`] ? this.conv(x, `${n}.conv_shortcut`) : x;
    return tf.add(skip, h);
  }

  private attention(x: tf.Tensor, n: string): tf.Tensor {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const t = tf.reshape(this.norm(x, `${n}.group_norm`), [b, h * w, c]);
    const p = (name: string, v: tf.Tensor) => linear(v, this.w[`${n}.${name}.weight`]!, this.w[`${n}.${name}.bias`]!);
    const o = p('to_out.0', attentionCore(p('to_q', t), p('to_k', t), p('to_v', t))); // one head of width C
    return tf.add(x, tf.reshape(o, [b, h, w, c]));
  }

  /**
   * Latents [B, C, h, w] in the teacher's normalised space -> images [B, 3, H, W] in [0, 1]
   * (H = h x 2^(levels - 1), 8 for SD3/FLUX): the decoder's output x mapped by clip(x / 2 + 1/2, 0, 1).
   */
  decode(latents: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(this.decodeRaw(latents), 0.5), 0.5), 0, 1) as tf.Tensor4D);
  }

  /**
   * The decoder's own output [B, 3, H, W], unclipped (about [-1, 1]): what diffusers'
   * AutoencoderKL.decode(latents / scaling_factor + shift_factor).sample returns.
   */
  decodeRaw(latents: tf.Tensor): tf.Tensor4D {
    const c = this.config;
    return tf.tidy(() => {
      let x: tf.Tensor = tf.transpose(tf.add(tf.div(latents, c.scaling_factor), c.shift_factor), [0, 2, 3, 1]);
      if (c.use_post_quant_conv) x = this.conv(x, 'post_quant_conv');
      x = this.conv(x, 'decoder.conv_in');
      x = this.resnet(x, 'decoder.mid_block.resnets.0');
      if (c.mid_block_add_attention) x = this.attention(x, 'decoder.mid_block.attentions.0');
      x = this.resnet(x, 'decoder.mid_block.resnets.1');
      const levels = c.block_out_channels.length;
      for (let i = 0; i < levels; i++) {
        for (let j = 0; j <= c.layers_per_block; j++) x = this.resnet(x, `decoder.up_blocks.${i}.resnets.${j}`);
        if (i < levels - 1) {
          const [, h, w] = x.shape as [number, number, number, number];
          x = this.conv(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * h, 2 * w]), `decoder.up_blocks.${i}.upsamplers.0.conv`);
        }
      }
      x = this.conv(silu(this.norm(x, 'decoder.conv_norm_out')), 'decoder.conv_out');
      return tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.w));
  }
}

const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));
