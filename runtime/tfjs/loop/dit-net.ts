// The small image DiT (runtime/tfjs/nets/dit.ts) behind the interpreter's VelocityNet interface: x is the
// flattened image [B, C*H*W], t the timestep already multiplied by the graph's time_scale, c a caption
// index into the dataset's caption set (MNIST: digit d -> "a handwritten digit <d>"; index K = the empty
// caption, CFG's null condition). The caption encoder is the teacher's and stays frozen: the K + 1 pooled
// embeddings are computed once and picked by a one-hot matmul (no gather gradient on wasm).
// `features` gives the discriminator's pooled hidden states (docs/algorithm.md §6).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../../common/errors.js';
import { readSafetensors } from '../../formats/safetensors.js';
import { DiT, type DiTConfig } from '../nets/dit.js';
import { TOKEN_EMBEDDING, encodeCaptions } from '../nets/dit-text.js';
import type { VelocityNet } from '../nets/net.js';
import type { Precision } from '../precision/policy.js';
import { matMul2d } from '../nn/linear.js';

let serial = 0;

interface DitNetOptions {
  config: DiTConfig;
  /** every tensor of DiT.shapes() (the text encoder's token embedding included) */
  weights: Record<string, tf.Tensor>;
  /** captions of conditions 0..K-1; condition K is the empty caption */
  captions: string[];
  /** DiT timestep = (t x graph time_scale) x inputScale, so the net always sees t x its own timeScale */
  inputScale: number;
  trainable: boolean;
}

export class DitNet implements VelocityNet {
  readonly kind = 'dit';
  readonly params = new Map<string, tf.Variable>();
  readonly nullCondition: number;
  readonly config: Record<string, number | string>;
  readonly dit: DiT;
  /** frozen text encoder weights and the K + 1 pooled caption embeddings [K + 1, textDim] */
  private readonly tokenEmbedding: tf.Tensor;
  private readonly table: tf.Tensor2D;

  constructor(readonly opts: DitNetOptions) {
    const c = opts.config;
    this.dit = new DiT(c);
    this.nullCondition = opts.captions.length;
    const { vocab, ...rest } = c;
    this.config = { ...rest, vocab: JSON.stringify(vocab), captions: JSON.stringify(opts.captions), input_scale: opts.inputScale };
    const shapes = this.dit.shapes();
    for (const [name, shape] of Object.entries(shapes)) {
      const w = opts.weights[name];
      if (!w) throw new Error(`dit ${c.name}: missing weight "${name}"`);
      if (w.shape.join() !== shape.join()) throw new Error(`dit ${c.name}: weight "${name}" is [${w.shape}], expected [${shape}]`);
      if (name === TOKEN_EMBEDDING) continue;
      this.params.set(name, tf.variable(tf.clone(w), opts.trainable, `dit.${name}#${serial++}`));
    }
    this.tokenEmbedding = tf.keep(tf.clone(opts.weights[TOKEN_EMBEDDING]!));
    const te = { [TOKEN_EMBEDDING]: this.tokenEmbedding };
    this.table = tf.keep(encodeCaptions(te, c.vocab, [...opts.captions, '']));
  }

  get dim(): number {
    const c = this.opts.config;
    return c.channels * c.height * c.width;
  }

  private weights(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.params);
  }

  /** [B, C, H, W] image, DiT timestep, pooled caption embeddings for the interpreter's inputs. */
  private inputs(x: tf.Tensor, t: tf.Tensor, c: tf.Tensor): [tf.Tensor4D, tf.Tensor, tf.Tensor2D] {
    const k = this.opts.config;
    const b = x.shape[0]!;
    const onehot = tf.cast(tf.oneHot(tf.cast(c, 'int32'), this.nullCondition + 1), 'float32') as tf.Tensor2D;
    return [tf.reshape(x, [b, k.channels, k.height, k.width]), tf.mul(t, this.opts.inputScale), matMul2d(onehot, this.table)];
  }

  forward(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, _precision: Precision): tf.Tensor2D {
    return tf.tidy(() => {
      const [xi, ti, ci] = this.inputs(x, t, c);
      return tf.reshape(this.dit.velocity(this.weights(), xi, ti, ci), [x.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** Hidden states after the final norm, averaged over tokens: [B, D] (docs/algorithm.md §6). */
  features(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const [xi, ti, ci] = this.inputs(x, t, c);
      return tf.mean(this.dit.finalHidden(this.weights(), xi, ti, ci), 1) as tf.Tensor2D;
    });
  }

  /** Every tensor of the DiT file layout (what loadTeacher reads), text encoder included. */
  exportTensors(): Record<string, tf.Tensor> {
    return { ...this.weights(), [TOKEN_EMBEDDING]: this.tokenEmbedding };
  }

  clone(trainable: boolean): DitNet {
    return new DitNet({ ...this.opts, weights: this.exportTensors(), trainable });
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.tokenEmbedding.dispose();
    this.table.dispose();
  }
}

/** A DiT file: the shipped teacher (metadata config = DiTConfig) or a DitNet saved by saveNet. */
export function loadDitFile(path: string, o: { captions?: string[]; inputScale?: number; trainable: boolean }): DitNet {
  const { tensors, metadata } = readSafetensors(path);
  let raw: Record<string, unknown> | null;
  try {
    raw = JSON.parse(metadata['config'] ?? 'null') as Record<string, unknown> | null;
  } catch {
    throw new UserError(`${path}: the "config" entry of its safetensors metadata is not JSON; was the file edited by hand?`);
  }
  if (!raw)
    throw new UserError(
      `${path}: no DiT config in the safetensors metadata - is it a DiT teacher or student file (sidc run writes runs/<recipe>-<hash8>/student.safetensors)?`,
    );
  const config = { ...raw } as unknown as DiTConfig & { captions?: string; input_scale?: number };
  if (typeof raw.vocab === 'string') config.vocab = JSON.parse(raw.vocab) as string[];
  const captions = o.captions ?? (typeof raw.captions === 'string' ? (JSON.parse(raw.captions) as string[]) : null);
  if (!captions) throw new UserError(`${path}: no caption set; pass the dataset's captions`);
  const inputScale = o.inputScale ?? (typeof raw.input_scale === 'number' ? raw.input_scale : 1);
  const clean: DiTConfig = {
    name: config.name,
    channels: config.channels,
    height: config.height,
    width: config.width,
    patch: config.patch,
    hidden: config.hidden,
    depth: config.depth,
    heads: config.heads,
    mlpRatio: config.mlpRatio,
    textDim: config.textDim,
    freqDim: config.freqDim,
    timeScale: config.timeScale,
    vocab: config.vocab,
  };
  const weights: Record<string, tf.Tensor> = {};
  for (const [n, t] of Object.entries(tensors)) weights[n] = tf.tensor(t.data, t.shape, 'float32');
  try {
    return new DitNet({ config: clean, weights, captions, inputScale, trainable: o.trainable });
  } catch (e) {
    // a missing or misshapen weight is a property of the file, not a bug
    throw new UserError(`${path}: ${(e as Error).message}`);
  } finally {
    for (const t of Object.values(weights)) t.dispose();
  }
}
