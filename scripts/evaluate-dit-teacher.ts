// Evaluates a DiT teacher (or any digit generator) against the MNIST held-out split: samples `perClass`
// images for each digit caption with Euler + CFG, then reports FID in the eval classifier's feature space
// and prompt alignment (classifier accuracy on the prompted digit). Optionally writes a sample grid.
//   npx tsx scripts/evaluate-dit-teacher.ts --teacher examples/teachers/dit-mnist.safetensors \
//       --steps 20 --cfg 3 --per-class 50 --grid /tmp/dit-mnist-grid.png
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { loadMnist, mnistCaption, DIGIT_WORDS } from '../runtime/data/mnist.js';
import { loadTeacher } from '../runtime/tfjs/nets/dit-teach.js';
import { sampleEuler } from '../runtime/tfjs/nets/dit-sample.js';
import { imageGridPng } from '../runtime/plot/index.js';
import { classify, featuresOf, loadClassifier } from '../runtime/scoring/classifier.js';
import { fid } from '../runtime/scoring/fid.js';
import { promptAlignment } from '../runtime/scoring/align.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

await initBackend({ prefer: 'wasm' }); // gradients, wasm and its fast kernels, as `sidc run` does
const teacher = arg('teacher', 'examples/teachers/dit-mnist.safetensors');
const steps = Number(arg('steps', '20'));
const cfg = Number(arg('cfg', '3'));
const perClass = Number(arg('per-class', '50'));
const seed = Number(arg('seed', '1'));
const { net, params } = loadTeacher(teacher);
const clf = loadClassifier(arg('classifier', 'examples/eval/mnist-classifier.safetensors'));

const labels: number[] = [];
for (let d = 0; d < 10; d++) for (let i = 0; i < perClass; i++) labels.push(d);
const n = labels.length;
const px = net.config.height * net.config.width;
const samples = new Float32Array(n * px);
const chunk = 100;
const t0 = performance.now();
for (let i = 0; i < n; i += chunk) {
  const caps = labels.slice(i, i + chunk).map(mnistCaption);
  const x = sampleEuler(net, params, caps, { steps, cfg, seed: seed + i });
  samples.set(x.dataSync() as Float32Array, i * px);
  x.dispose();
}
const sampleSeconds = (performance.now() - t0) / 1000;
const held = loadMnist({ split: 'heldout' });
const pred = classify(clf, samples, n);
const align = promptAlignment(pred, labels, 10);
const score = fid(featuresOf(clf, samples, n), featuresOf(clf, held.images, held.labels.length));
// reference point: FID of as many real training digits (class-balanced) vs the held-out split
const train = loadMnist({ split: 'train' });
const every = Math.max(1, Math.floor(train.labels.length / n));
const ref = fid(
  featuresOf(clf, train.images, train.labels.length)
    .filter((_, i) => i % every === 0)
    .slice(0, n),
  featuresOf(clf, held.images, held.labels.length),
);
const report = {
  teacher,
  steps,
  cfg,
  samples: n,
  fid: +score.toFixed(3),
  fid_real_train_vs_heldout: +ref.toFixed(3),
  alignment: +align.accuracy.toFixed(4),
  alignment_per_class: align.perClass.map((a) => +a.toFixed(2)),
  sample_seconds: +sampleSeconds.toFixed(1),
};
console.log(JSON.stringify(report));
const grid = arg('grid', '');
if (grid) {
  const cols = Math.min(perClass, 10);
  const imgs: Float32Array[] = [];
  for (let d = 0; d < 10; d++) for (let c = 0; c < cols; c++) imgs.push(samples.slice((d * perClass + c) * px, (d * perClass + c + 1) * px));
  imageGridPng(grid, imgs, {
    rows: 10,
    cols,
    channels: 1,
    height: net.config.height,
    width: net.config.width,
    layout: 'CHW',
    labels: DIGIT_WORDS.map((w) => `digit ${w}`),
    title: `${teacher.split('/').pop()} - Euler ${steps} steps, CFG ${cfg}`,
  });
  console.error(`grid: ${grid}`);
}
