// Command line for training the MNIST DiT teacher (until the `teach` stage of a recipe runs it):
//   npx tsx runtime/nets/dit-teach-main.ts --steps 1500 --cpu-minutes 24 \
//       --state /tmp/dit-mnist.state.safetensors --out examples/teachers/dit-mnist.safetensors
// Resumes from --state when the file exists; saves it every --save-every steps and at the end.
// --cpu-minutes bounds the total CPU time of all segments (wall time varies with machine load).
// --weights ema|raw picks what is exported; --no-train only exports from --state.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../tfjs/backend/select.js';
import { loadMnist } from '../data/mnist.js';
import { ditConfig } from '../tfjs/nets/dit.js';
import { TEACH_DEFAULTS, loadTeachState, saveTeachState, saveTeacher, startTeach, teachStep } from '../tfjs/nets/dit-teach.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

await initBackend({ prefer: 'wasm' }); // gradients, wasm and its fast kernels, as `sidc run` does

const steps = Number(arg('steps', '1500'));
const cpuMinutes = Number(arg('cpu-minutes', '24'));
const statePath = arg('state', '/tmp/dit-mnist.state.safetensors');
const out = arg('out', 'examples/teachers/dit-mnist.safetensors');
const saveEvery = Number(arg('save-every', '100'));
const data = loadMnist({ split: 'train' });
const s = existsSync(statePath)
  ? loadTeachState(statePath, data)
  : startTeach(data, {
      ...TEACH_DEFAULTS, config: ditConfig(arg('size', 'dit_mnist_s')), batch: Number(arg('batch', String(TEACH_DEFAULTS.batch))),
      lr: Number(arg('lr', String(TEACH_DEFAULTS.lr))), seed: Number(arg('seed', '0')),
    });
console.error(`teach: ${s.opts.config.name}, batch ${s.opts.batch}, from step ${s.adam.step}, backend ${tf.getBackend()}`);
const t0 = performance.now();
let avg = 0;
while (s.adam.step < steps && s.cpuSeconds < cpuMinutes * 60 && !process.argv.includes('--no-train')) {
  const c0 = process.cpuUsage();
  const loss = teachStep(s);
  const c1 = process.cpuUsage(c0);
  s.cpuSeconds += (c1.user + c1.system) / 1e6;
  avg = s.adam.step === 1 ? loss : 0.98 * avg + 0.02 * loss;
  if (s.adam.step % 10 === 0) {
    const el = (performance.now() - t0) / 1000;
    console.error(`step ${s.adam.step} loss ${loss.toFixed(4)} avg ${avg.toFixed(4)} epoch ${s.loader.state.epoch} wall ${el.toFixed(0)} s cpu ${s.cpuSeconds.toFixed(0)} s`);
  }
  if (s.adam.step % saveEvery === 0) saveTeachState(statePath, s);
}
saveTeachState(statePath, s);
const cmd = `npx tsx runtime/nets/dit-teach-main.ts ${process.argv.slice(2).join(' ')}`;
const weights = arg('weights', 'ema') as 'ema' | 'raw';
saveTeacher(out, s, `trained by: ${cmd} (${s.adam.step} steps, batch ${s.opts.batch}, seed ${s.opts.seed})`, weights);
console.error(`teach: saved ${out} after ${s.adam.step} steps`);
