// Deterministic seeded shuffling loader: epoch e visits every image once, in an order fixed by
// (seed, e); the cursor {epoch, index} is the whole state, so a resumed run continues exactly.
import * as tf from '@tensorflow/tfjs-core';
import { SplitMix32 } from '../../rng/splitmix32.js';
import { imageCount, type ImageSet } from '../../data/image-set.js';

export interface LoaderState {
  epoch: number;
  index: number;
}

export interface Batch {
  x: tf.Tensor4D; // [B, C, H, W]
  labels: Int32Array;
  captions: string[];
}

export class Loader {
  private order: Int32Array;
  constructor(
    readonly set: ImageSet,
    readonly batchSize: number,
    readonly seed: number,
    public state: LoaderState = { epoch: 0, index: 0 },
  ) {
    if (batchSize > imageCount(set)) throw new Error(`batch ${batchSize} larger than ${set.name} (${imageCount(set)} images)`);
    this.order = this.permutation(state.epoch);
  }

  private permutation(epoch: number): Int32Array {
    const idx = Array.from({ length: imageCount(this.set) }, (_, i) => i);
    new SplitMix32((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).shuffle(idx);
    return Int32Array.from(idx);
  }

  /** Indices of the next batch (an epoch's tail that does not fill a batch is skipped). */
  nextIndices(): Int32Array {
    if (this.state.index + this.batchSize > this.order.length) {
      this.state = { epoch: this.state.epoch + 1, index: 0 };
      this.order = this.permutation(this.state.epoch);
    }
    const out = this.order.slice(this.state.index, this.state.index + this.batchSize);
    this.state = { ...this.state, index: this.state.index + this.batchSize };
    return out;
  }

  next(): Batch {
    return gatherBatch(this.set, this.nextIndices());
  }
}

/** Copies the chosen images into one [B, C, H, W] tensor. */
export function gatherBatch(set: ImageSet, idx: ArrayLike<number>): Batch {
  const per = set.channels * set.height * set.width;
  const data = new Float32Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  const captions: string[] = [];
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    data.set(set.images.subarray(i * per, (i + 1) * per), j * per);
    labels[j] = set.labels[i]!;
    captions.push(set.captions[i]!);
  }
  return { x: tf.tensor4d(data, [idx.length, set.channels, set.height, set.width]), labels, captions };
}
