#!/usr/bin/env node
// Writes sidc's DiT velocity on fixed random inputs as .npy, for the PyTorch reference to compare against:
//   node scripts/reference/dit-velocity.mjs [teacher.safetensors] DIR
//   python3 scripts/reference/sid_dit_torch.py --check DIR      # exits 1 when the two DiTs disagree
// Needs `npm run build` (it imports dist/).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../dist/runtime/tfjs/backend/select.js';
import { loadDitFile } from '../../dist/runtime/tfjs/loop/dit-net.js';
import { writeNpy } from '../../dist/runtime/formats/npy.js';
import { DIGIT_WORDS, mnistCaption } from '../../dist/runtime/data/mnist.js';
import { SplitMix32 } from '../../dist/runtime/rng/splitmix32.js';

const args = process.argv.slice(2);
const dir = args.pop();
const teacher = args[0] ?? 'examples/teachers/dit-mnist.safetensors';
if (!dir) {
  console.error('usage: node scripts/reference/dit-velocity.mjs [teacher.safetensors] DIR');
  process.exit(2);
}
await initBackend({ prefer: 'cpu' });
const captions = DIGIT_WORDS.map((_, d) => mnistCaption(d));
const net = loadDitFile(teacher, { captions, trainable: false });
const n = 12;
const rng = new SplitMix32(7);
const x = new Float32Array(n * net.dim).map(() => rng.normal());
const t = new Float32Array(n).map((_, i) => (i + 0.5) / n);
const c = new Float32Array(n).map((_, i) => i % (captions.length + 1)); // index 10 = the empty caption
const scale = net.dit.config.timeScale;
const v = tf.tidy(() => net.forward(tf.tensor2d(x, [n, net.dim]), tf.mul(tf.tensor1d(t), scale), tf.tensor1d(c), 'fp32'));
mkdirSync(dir, { recursive: true });
const shape = [n, net.dit.config.channels, net.dit.config.height, net.dit.config.width];
writeNpy(join(dir, 'check-x.npy'), { dtype: 'f4', shape, data: x });
writeNpy(join(dir, 'check-t.npy'), { dtype: 'f4', shape: [n], data: t });
writeNpy(join(dir, 'check-c.npy'), { dtype: 'f4', shape: [n], data: c });
writeNpy(join(dir, 'check-v.npy'), { dtype: 'f4', shape, data: v.dataSync() });
console.log(`wrote ${dir}/check-{x,t,c,v}.npy (${n} inputs, every caption and the null one)`);
