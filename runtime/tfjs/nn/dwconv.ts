// Depthwise 3x3 convolution, stride 1, zero padding 1 (torch Conv2d(C, C, 3, 1, 1, groups=C)) as nine
// shifted slices times per-channel weights: wasm lacks the depthwise backprop kernels, and this form
// differentiates with plain autograd (slice/pad/mul) in both x and the weights.
import * as tf from '@tensorflow/tfjs-core';

/** x [B, H, W, C] (channels last), w [C, 1, 3, 3] (torch layout), b [C] or null -> [B, H, W, C]. */
export function depthwiseConv3x3(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  const [bs, h, wd, c] = x.shape as [number, number, number, number];
  if (w.shape[0] !== c || w.size !== c * 9) throw new Error(`depthwiseConv3x3: weight [${w.shape}] does not match ${c} channels`);
  const xp = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const taps = tf.unstack(tf.transpose(tf.reshape(w, [c, 9]))); // 9 x [C], tap index ky*3 + kx
  let y: tf.Tensor | null = b ? tf.reshape(b, [1, 1, 1, c]) : null;
  for (let ky = 0; ky < 3; ky++)
    for (let kx = 0; kx < 3; kx++) {
      const term = tf.mul(tf.slice(xp, [0, ky, kx, 0], [bs, h, wd, c]), taps[ky * 3 + kx]!);
      y = y ? tf.add(y, term) : term;
    }
  return y!;
}
