// A small conditional velocity network for vector data (the `mlp` teacher family, and psi/G for the
// `gmm` family): sinusoidal time embedding + class embedding (K classes + the null class K, by a one-hot
// matmul: tfjs-wasm lacks the gather gradient) + residual blocks h += W2 silu(W1 silu(h) + b1) + b2.
// Output layer starts at zero, so a fresh net predicts v = 0.
import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/policy.js';
import type { VelocityNet } from './net.js';
import { dense, matMul2d } from '../nn/linear.js';
import { Rng } from '../../rng/prng.js';

export interface MlpConfig {
  dim: number;
  classes: number;
  width: number;
  depth: number;
  /** number of sinusoidal frequencies of the time embedding */
  freqs: number;
}

export class MlpNet implements VelocityNet {
  readonly kind = 'mlp';
  readonly params = new Map<string, tf.Variable>();
  readonly nullCondition: number;
  readonly config: Record<string, number | string>;
  private readonly freqsT: tf.Tensor2D;

  constructor(
    readonly cfg: MlpConfig,
    init: Rng | Map<string, tf.Tensor>,
    trainable = true,
  ) {
    this.nullCondition = cfg.classes;
    this.config = { ...cfg };
    const { dim, classes, width, depth, freqs } = cfg;
    const f = new Float32Array(freqs);
    for (let i = 0; i < freqs; i++) f[i] = (Math.PI * Math.pow(2, i * (7 / Math.max(1, freqs - 1)))) / 2; // 1.6 .. 200 rad per unit t
    this.freqsT = tf.keep(tf.tensor2d(f, [1, freqs]));
    const shapes: [string, number[], number][] = [
      ['in.w', [dim, width], Math.sqrt(1 / dim)],
      ['time.w', [2 * freqs, width], Math.sqrt(1 / (2 * freqs))],
      ['class.emb', [classes + 1, width], 1],
      ['in.b', [width], 0],
    ];
    for (let l = 0; l < depth; l++) {
      shapes.push([`block${l}.w1`, [width, width], Math.sqrt(2 / width)], [`block${l}.b1`, [width], 0]);
      shapes.push([`block${l}.w2`, [width, width], Math.sqrt(1 / width) * 0.5], [`block${l}.b2`, [width], 0]);
    }
    shapes.push(['out.w', [width, dim], 0], ['out.b', [dim], 0]);
    for (const [name, shape, scale] of shapes) {
      let value: tf.Tensor;
      if (init instanceof Rng) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = scale === 0 ? new Float32Array(n) : init.normals(n).map((v) => v * scale);
        value = tf.tensor(data, shape);
      } else {
        const src = init.get(name);
        if (!src) throw new Error(`mlp: missing parameter ${name}`);
        value = tf.clone(src);
      }
      this.params.set(name, tf.variable(value, trainable, `${name}_${nextId++}`));
      value.dispose();
    }
  }

  private p(name: string): tf.Variable {
    return this.params.get(name)!;
  }

  forward(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, precision: Precision): tf.Tensor2D {
    return tf.tidy(() => {
      const lin = (a: tf.Tensor2D, w: string) => matMul2d(precision.compute(a) as tf.Tensor2D, precision.compute(this.p(w)) as tf.Tensor2D);
      const ang = tf.matMul(tf.reshape(t, [-1, 1]) as tf.Tensor2D, this.freqsT);
      const temb = tf.concat([tf.sin(ang), tf.cos(ang)], 1) as tf.Tensor2D;
      const onehot = tf.oneHot(tf.cast(c, 'int32'), this.cfg.classes + 1) as tf.Tensor2D;
      let h = tf.add(
        tf.add(lin(x, 'in.w'), lin(temb, 'time.w')),
        tf.add(matMul2d(tf.cast(onehot, 'float32') as tf.Tensor2D, this.p('class.emb') as tf.Tensor2D), this.p('in.b')),
      ) as tf.Tensor2D;
      const affine = (a: tf.Tensor2D, w: string, b: string) =>
        dense(precision.compute(a) as tf.Tensor2D, precision.compute(this.p(w)) as tf.Tensor2D, this.p(b) as tf.Tensor1D);
      for (let l = 0; l < this.cfg.depth; l++) {
        const a = affine(silu(h), `block${l}.w1`, `block${l}.b1`);
        h = tf.add(h, affine(silu(a), `block${l}.w2`, `block${l}.b2`)) as tf.Tensor2D;
      }
      return affine(silu(h), 'out.w', 'out.b');
    });
  }

  clone(trainable: boolean): MlpNet {
    return new MlpNet(this.cfg, this.params as Map<string, tf.Tensor>, trainable);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.freqsT.dispose();
  }
}

let nextId = 0;

function silu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.sigmoid(x)) as tf.Tensor2D;
}
