// sidc decode's output: a PNG grid for review, or the decoder's float output as .npy for other tools
// (diffusers' AutoencoderKL.decode() meaning: [B, 3, H, W] float32, unclipped, about [-1, 1]).
import { extname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../../common/errors.js';
import { writeNpy } from '../../formats/npy.js';
import { imageGridPng } from '../../plot/image-grid.js';
import type { VaeDecoder } from './vae.js';

export type DecodeFormat = 'png' | 'npy';

/** The output format from the file name: .npy -> float array, .png -> grid. */
export function decodeFormatOf(out: string): DecodeFormat {
  const ext = extname(out).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.png') return 'png';
  throw new UserError(`-o ${out}: write .png (an image grid) or .npy (the decoder's float output [B, 3, H, W])`);
}

/** Decodes latents z [B, C, h, w] (normalised space) and writes `out`; returns the image size. */
export function writeDecoded(
  dec: VaeDecoder,
  z: { shape: number[]; data: Float32Array },
  out: string,
  cols: number,
): { n: number; height: number; width: number } {
  const format = decodeFormatOf(out);
  const n = z.shape[0]!;
  const zt = tf.tensor4d(z.data, z.shape as [number, number, number, number]);
  // .npy: the decoder's own output; .png: decode()'s [0, 1] images on imageGridPng's [-1, 1] scale
  const img = format === 'npy' ? dec.decodeRaw(zt) : dec.decode(zt);
  zt.dispose();
  try {
    const [, , height, width] = img.shape;
    const data = img.dataSync() as Float32Array;
    if (format === 'npy') {
      writeNpy(out, { dtype: 'f4', shape: img.shape, data });
    } else {
      const per = 3 * height * width;
      const images = Array.from({ length: n }, (_, i) => Float32Array.from(data.subarray(i * per, (i + 1) * per), (v) => v * 2 - 1));
      imageGridPng(out, images, { rows: Math.ceil(n / cols), cols, channels: 3, height, width, layout: 'CHW' });
    }
    return { n, height, width };
  } finally {
    img.dispose();
  }
}
