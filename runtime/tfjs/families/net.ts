// A family transformer behind the runtime's velocity-net interface (runtime/tfjs/nets/net.ts):
// x is the flattened latent [B, C*H*W], t the timestep already multiplied by time_scale, c the row of
// the text-encodings table (TextTable) to condition on; nullCondition is the row of the empty prompt.
// `guidance` is the embedded guidance value (FLUX; SANA-Sprint) - the generator keeps 1.0 (docs/algorithm.md §3).
import * as tf from '@tensorflow/tfjs-core';
import type { FamilyConfig } from './config.js';
import { familyModule } from './index.js';
import { Ctx, FP32_COMPUTE, type ComputePolicy } from './layers.js';
import type { FamilyInputs, FamilyModule } from './model.js';
import type { TextTable } from './text.js';
import type { VelocityNet } from '../nets/net.js';
import type { Precision } from '../precision/policy.js';
import { rectifiedFlowVelocity, sanaSprintTrigflow } from './trigflow.js';

interface FamilyNetOptions {
  config: FamilyConfig;
  /** diffusers name -> values (float32 arrays from loadTransformer, or tensors to copy) */
  weights: Record<string, { shape: number[]; data: Float32Array } | tf.Tensor>;
  text: TextTable;
  /** latent height and width (the image is vae_downsample times larger) */
  latent: { height: number; width: number };
  trainable: boolean;
  guidance?: number;
  /** trigflow (SANA-Sprint teachers): the net is called through the TrigFlow <-> rectified-flow map (trigflow.ts) */
  objective?: 'rectified_flow' | 'trigflow';
}

let serial = 0;

export class FamilyNet implements VelocityNet {
  readonly kind: string;
  readonly params = new Map<string, tf.Variable>();
  readonly nullCondition: number;
  readonly config: Record<string, number | string>;
  readonly module: FamilyModule;
  readonly channels: number;
  guidance: number;

  constructor(readonly opts: FamilyNetOptions) {
    const c = opts.config;
    this.kind = c.family;
    this.module = familyModule(c);
    this.channels = this.module.latentChannels(c);
    const m = this.module.spatialMultiple(c);
    const { height, width } = opts.latent;
    if (height % m || width % m) throw new Error(`${c.family}: latent ${height}x${width} must be a multiple of ${m}`);
    const td = this.module.textDims(c);
    if (opts.text.seq.shape[2] !== td.seq) throw new Error(`${c.family}: text encodings are ${opts.text.seq.shape[2]}-wide, the transformer takes ${td.seq}`);
    if (td.pooled && opts.text.pooled?.shape[1] !== td.pooled) throw new Error(`${c.family}: needs ${td.pooled}-wide pooled text embeddings`);
    this.nullCondition = opts.text.nullIndex;
    this.guidance = opts.guidance ?? 1;
    this.config = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v)]));
    this.config.latent_height = height;
    this.config.latent_width = width;
    for (const [name, w] of Object.entries(opts.weights)) {
      const t = w instanceof tf.Tensor ? tf.clone(w) : tf.tensor(w.data, w.shape, 'float32');
      this.params.set(name, tf.variable(t, opts.trainable, `${c.family}.${name}#${serial++}`));
      t.dispose();
    }
  }

  /** C*H*W of one latent. */
  get dim(): number {
    return this.channels * this.opts.latent.height * this.opts.latent.width;
  }

  private weights(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.params);
  }

  /** The transformer's inputs for flat latents and condition rows. */
  inputs(x: tf.Tensor, t: tf.Tensor, c: tf.Tensor): FamilyInputs {
    const b = x.shape[0]!;
    const idx = tf.cast(c, 'int32');
    const { text } = this.opts;
    return {
      x: tf.reshape(x, [b, this.channels, this.opts.latent.height, this.opts.latent.width]),
      timestep: t,
      text: tf.gather(text.seq, idx),
      ...(this.opts.config.family === 'sana' ? { mask: tf.gather(text.mask, idx) } : {}),
      ...(text.pooled ? { pooled: tf.gather(text.pooled, idx) } : {}),
      // SANA-Sprint: its pipeline multiplies the guidance scale by guidance_embeds_scale (0.1) before the
      // transformer; FLUX's transformer itself multiplies by 1000 (docs/algorithm.md §7)
      guidance: tf.fill([b], this.opts.config.family === 'sana' ? this.guidance * this.opts.config.guidance_embeds_scale : this.guidance),
    };
  }

  /**
   * v(x, t, c): x [B, C*H*W], t [B] (x time_scale), c [B] prompt rows -> [B, C*H*W]. A TrigFlow teacher
   * (objective trigflow, time_scale 1) is called as docs/algorithm.md §1 says: x_rf, t -> x_trig / sigma_d, s ->
   * SANA-Sprint's TrigFlow model F -> v = eps - x0 (trigflow.ts).
   */
  forward(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, precision: Precision | ComputePolicy = FP32_COMPUTE): tf.Tensor2D {
    return tf.tidy(() => {
      const raw = (xi: tf.Tensor, ti: tf.Tensor1D) => this.module.forward(this.opts.config, new Ctx(this.weights(), precision), this.inputs(xi, ti, c)).v!;
      if (this.opts.objective === 'trigflow') {
        return tf.reshape(
          rectifiedFlowVelocity(
            sanaSprintTrigflow((xi, ti) => tf.reshape(raw(xi, ti), xi.shape)),
            x,
            t,
          ),
          [x.shape[0], -1],
        ) as tf.Tensor2D;
      }
      return tf.reshape(raw(x, t), [x.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** Discriminator logits of docs/algorithm.md §6: tokens after the final norm, averaged -> [B, D]. */
  features(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, precision: Precision | ComputePolicy = FP32_COMPUTE): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.module.forward(this.opts.config, new Ctx(this.weights(), precision), this.inputs(x, t, c), true);
      return tf.mean(out.features, 1) as tf.Tensor2D;
    });
  }

  /** A copy with its own weights (psi and G start as copies of the teacher, docs/algorithm.md §2). */
  clone(trainable: boolean): FamilyNet {
    return new FamilyNet({ ...this.opts, weights: Object.fromEntries(this.params), trainable, guidance: this.guidance });
  }

  /** The same transformer with other weights (a saved student: diffusers names -> values). */
  withWeights(weights: FamilyNetOptions['weights'], trainable: boolean): FamilyNet {
    return new FamilyNet({ ...this.opts, weights, trainable, guidance: this.guidance });
  }

  /** Disposes the weights; the text table belongs to whoever loaded it. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
