// The adversarial stage's ops for transformer backbones (docs/algorithm.md §6): real images with captions,
// the fake network as discriminator (final-norm hidden states averaged over tokens: one logit per hidden
// channel, [B, D], no new parameters), L_D added to psi's loss, the non-saturating L_gan weighted by 1 - t.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import { configValue, num } from './config.js';
import type { StageState } from './state.js';

/** Nets that expose the discriminator features (DitNet; FamilyNet has its own `features`). */
interface FeatureNet extends VelocityNet {
  features(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D): tf.Tensor2D;
}

export function hasFeatures(net: VelocityNet): net is FeatureNet {
  return typeof (net as Partial<FeatureNet>).features === 'function';
}

/** A batch of real images [B, C*H*W] and their caption indices, drawn with the stage PRNG (resumable). */
export function sampleRealImages(st: StageState): { x0: tf.Tensor2D; c: tf.Tensor1D } {
  const set = st.realData!;
  const per = set.channels * set.height * set.width;
  const n = set.labels.length;
  const x = new Float32Array(st.batch * per);
  const c = new Int32Array(st.batch);
  for (let b = 0; b < st.batch; b++) {
    const i = st.rng.int(n);
    x.set(set.images.subarray(i * per, (i + 1) * per), b * per);
    c[b] = set.labels[i]!;
  }
  return { x0: tf.tensor2d(x, [st.batch, per]), c: tf.tensor1d(c, 'int32') };
}

/**
 * Discriminator logits [B, D]: the conditional pass of the net (the conditional half of a guided pass;
 * t scaled by the node's time_scale), clamped to [-clamp, clamp].
 */
export function discLogits(net: FeatureNet, node: GraphNode, x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, st: StageState): tf.Tensor2D {
  const clamp = num(node.attrs.clamp, num(configValue(st.graph, 'adversarial.clamp'), 10));
  const ts = tf.mul(t, num(node.attrs.time_scale, 1)) as tf.Tensor1D;
  return tf.clipByValue(net.features(x, ts, c), -clamp, clamp);
}

/** log(1 + e^x), stable for either sign (BCE with logits: BCE(l, 1) = sp(-l), BCE(l, 0) = sp(l)). */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(x))))));
}

/** L_D = sum_b 0.5 (mean_D BCE(real, 1) + mean_D BCE(fake, 0)) numel / B_local. */
export function discLoss(real: tf.Tensor, fake: tf.Tensor, numel: number, bLocal: number): tf.Scalar {
  const per = tf.mul(0.5, tf.add(tf.mean(softplus(tf.neg(real)), -1), tf.mean(softplus(fake), -1)));
  return tf.mul(numel / bLocal, tf.sum(per)) as tf.Scalar;
}

/** L_gan = sum_b mean_D BCE(fake, 1) (1 - t) numel / B_local (non-saturating). */
export function ganLoss(fake: tf.Tensor, t: tf.Tensor, numel: number, bLocal: number): tf.Scalar {
  const per = tf.mul(tf.mean(softplus(tf.neg(fake)), -1), tf.sub(1, tf.reshape(t, [-1])));
  return tf.mul(numel / bLocal, tf.sum(per)) as tf.Scalar;
}
