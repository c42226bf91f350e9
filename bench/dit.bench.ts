// One DiT training step (forward + backward of the flow-matching loss) in sidc on wasm, and the same
// model in PyTorch eager on the same machine (scripts/torch_dit_step.py via Debian's python3-torch +
// OpenBLAS). Size: dit_bench (docs/design.md) - B = 64, D = 256, depth 6, 4 heads, 64 tokens
// (32x32x4 latents, patch 4), ~7.4M parameters. Reports seconds per step for both and the ratio.
// Env: DIT_BENCH_STEPS (timed steps, default 3), DIT_BENCH_SIZE (registry name, default dit_bench),
// DIT_BENCH_MICRO (micro-batches per step, default 2).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerAllGradients } from '../runtime/tfjs/backend/gradients.js';
import { registerWasmFastKernels } from '../runtime/tfjs/backend/wasm-kernels.js';
import { DiT, ditConfig } from '../runtime/tfjs/nets/dit.js';

export const name = 'dit';

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sidcStep(size: string, batch: number, steps: number, micro: number) {
  await registerAllGradients();
  await tf.setBackend('wasm');
  registerWasmFastKernels();
  const net = new DiT(ditConfig(size));
  const p = net.init(0);
  // leave adaLN-Zero's zero init so every product does real work, as mid-training
  let seed = 1;
  for (const v of Object.values(p)) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', seed++), 0.05));
  const c = net.config;
  const x0 = tf.randomNormal([batch, c.channels, c.height, c.width], 0, 1, 'float32', 100);
  const eps = tf.randomNormal(x0.shape, 0, 1, 'float32', 101);
  const t = tf.randomUniform([batch], 0, 1, 'float32', 102);
  const tb = tf.reshape(t, [batch, 1, 1, 1]);
  const xt = tf.add(tf.mul(tf.sub(1, tb), x0), tf.mul(tb, eps));
  const target = tf.sub(eps, x0);
  const captions = Array.from({ length: batch }, (_, i) => (i % 10 ? 'a handwritten digit seven' : ''));
  // B = 64 as `micro` micro-batches with summed gradients: tfjs keeps every intermediate gradient until
  // the end of a backward pass, and one B = 64 pass of this size comes close to wasm's 4 GiB heap.
  const mb = batch / micro;
  const times: number[] = [];
  const cpu: number[] = [];
  let loss = 0;
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let acc: Record<string, tf.Tensor> = {};
    loss = 0;
    for (let m = 0; m < micro; m++) {
      const sl = <T extends tf.Tensor>(a: T) => tf.slice(a, m * mb, mb) as T;
      const { value, grads } = tf.variableGrads(() => {
        const v = net.velocity(p, sl(xt), tf.mul(sl(t), c.timeScale), net.encodeText(p, captions.slice(m * mb, (m + 1) * mb)));
        return tf.div(tf.mean(tf.square(tf.sub(v, sl(target)))), micro) as tf.Scalar;
      }, Object.values(p));
      loss += value.dataSync()[0]!;
      const next: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) next[k] = acc[k] ? tf.add(acc[k]!, g) : g;
      tf.dispose([value, ...Object.values(acc), ...(m > 0 ? Object.values(grads) : [])]);
      acc = next;
    }
    for (const g of Object.values(acc)) g.dataSync();
    tf.dispose(Object.values(acc));
    const c1 = process.cpuUsage(c0);
    if (i > 0) {
      times.push((performance.now() - t0) / 1000);
      cpu.push((c1.user + c1.system) / 1e6);
    }
  }
  const heapMB = Math.round((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20);
  const params = Object.values(p).reduce((a, v) => a + v.size, 0);
  return {
    backend: 'wasm (SIMD, 1 thread, fast Slice/Unpack/SplitV)',
    micro_batches: micro,
    seconds_per_step: times,
    median: median(times),
    min: Math.min(...times),
    cpu_seconds_per_step: cpu,
    cpu_min: Math.min(...cpu),
    params,
    loss,
    wasm_heap_mb: heapMB,
  };
}

function torchStep(size: string, batch: number, steps: number, threads: number): Record<string, unknown> {
  const c = ditConfig(size);
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const args = [
    join(repoRoot(), 'scripts', 'torch_dit_step.py'),
    '--batch',
    String(batch),
    '--hidden',
    String(c.hidden),
    '--depth',
    String(c.depth),
    '--heads',
    String(c.heads),
    '--size',
    String(c.height),
    '--channels',
    String(c.channels),
    '--patch',
    String(c.patch),
    '--threads',
    String(threads),
    '--steps',
    String(steps),
    '--mlp-ratio',
    String(c.mlpRatio),
    '--text-dim',
    String(c.textDim),
    '--freq-dim',
    String(c.freqDim),
  ];
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const r = spawnSync(py, args, { env, encoding: 'utf8', timeout: 900e3 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const out = JSON.parse(line) as Record<string, unknown>;
    if (out['error']) return { status: 'torch unavailable', detail: out['detail'] };
    return { status: 'ok', ...out };
  } catch {
    return { status: 'torch unavailable', detail: (r.error?.message ?? r.stderr ?? '').slice(0, 300) };
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const size = process.env['DIT_BENCH_SIZE'] ?? 'dit_bench';
  const steps = Number(process.env['DIT_BENCH_STEPS'] ?? 3);
  const batch = 64;
  const load0 = os.loadavg()[0];
  const micro = Number(process.env['DIT_BENCH_MICRO'] ?? 2);
  const sidc = await sidcStep(size, batch, steps, micro);
  const torch1 = torchStep(size, batch, steps, 1);
  const torchAll = torchStep(size, batch, steps, os.cpus().length);
  // min over steps: on a shared machine the fastest step is the best estimate of the intrinsic cost
  const ratio = (t: Record<string, unknown>) => (t['status'] === 'ok' ? +(sidc.min / (t['min'] as number)).toFixed(2) : null);
  // CPU seconds: on a loaded shared machine wall time mostly measures the other tenants; sidc (wasm, one
  // thread) and torch with 1 thread each use one core, so their CPU seconds compare the work itself.
  const cpuRatio = torch1['status'] === 'ok' ? +(sidc.cpu_min / (torch1['cpu_min'] as number)).toFixed(2) : null;
  return {
    model: { size, batch, ...ditConfig(size), vocab: undefined },
    ratio_cpu_seconds_sidc_over_torch_1_thread: cpuRatio,
    sidc,
    torch_1_thread: torch1,
    [`torch_${os.cpus().length}_threads`]: torchAll,
    ratio_sidc_over_torch_1_thread: ratio(torch1),
    ratio_sidc_over_torch_all_threads: ratio(torchAll),
    load_average_at_start: load0,
    note:
      'ratios use the fastest timed step of each (after one warm-up); the machine is shared, compare ' +
      'numbers from one run only. torch gets the pooled caption embedding directly (no bag-of-words ' +
      'product: negligible).',
  };
}
