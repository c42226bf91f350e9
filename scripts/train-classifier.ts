// Trains the evaluation classifier and ships it:
//   npx tsx scripts/train-classifier.ts --out examples/eval/mnist-classifier.safetensors
import { parseArgs } from 'node:util';
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { loadMnist } from '../runtime/data/mnist.js';
import { classify, saveClassifier, trainClassifier } from '../runtime/scoring/classifier.js';

// strict: an unknown or valueless flag is an error (the old hand parsing read argv[0] when --epochs was absent)
const { values: flags } = parseArgs({
  options: { out: { type: 'string', default: 'examples/eval/mnist-classifier.safetensors' }, epochs: { type: 'string', default: '20' } },
});
const out = flags.out!;
const epochs = Number(flags.epochs);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got '${flags.epochs}'`);
await initBackend({ prefer: 'wasm' }); // gradients, wasm and its fast kernels, as `sidc run` does
const train = loadMnist({ split: 'train' });
const held = loadMnist({ split: 'heldout' });
const opts = { epochs, batch: 100, lr: 2e-3, seed: 0, maxShift: 2 };
const p = trainClassifier(train, opts, (m) => console.error(m));
const pred = classify(p, held.images, held.labels.length);
const acc = pred.reduce((a, c, k) => a + (c === held.labels[k] ? 1 : 0), 0) / held.labels.length;
console.error(`held-out accuracy ${(acc * 100).toFixed(2)}% on ${held.labels.length} images`);
saveClassifier(out, p, {
  heldout_accuracy: acc.toFixed(4),
  training: JSON.stringify(opts),
  command: `npx tsx scripts/train-classifier.ts ${process.argv.slice(2).join(' ')}`,
});
console.error(`saved ${out}`);
