// SiD iterations/s (and images/s) per available backend on the 2-D mixture with an MLP teacher, and the
// share of the backend's peak FLOP/s, peak measured in the same run with a large plain 2-D matMul
// (share computed on CPU time, so that other processes on a shared machine do not distort it).
// Iteration FLOPs are counted analytically from the MLP's matmuls (docs/algorithm.md §4's cost of one
// iteration: fake = k G calls + psi fwd/bwd on the doubled batch; generator = k G calls + backward of
// the last + phi and psi forward and input-backward on the doubled batch).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../runtime/tfjs/backend/select.js';
import { runIteration } from '../runtime/tfjs/loop/iteration.js';
import { disposeStage, prepareStage, productOf } from '../runtime/tfjs/loop/stage.js';
import type { VelocityNet } from '../runtime/tfjs/nets/net.js';
import { gmmGraph } from '../test/runtime/fixtures/gmm-graph.js';

export const name = 'sid';

/** Seconds of wall time and of this process's CPU time (the machine may be shared: CPU time is the fair clock). */
function timed(f: () => void): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

function peakGflops(n: number, reps: number): { wall: number; cpu: number } {
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  tf.matMul(a, b).dataSync(); // warm-up
  const t = timed(() => {
    for (let i = 0; i < reps; i++) tf.tidy(() => tf.matMul(a, b).dataSync());
  });
  tf.dispose([a, b]);
  const flop = 2 * n ** 3 * reps;
  return { wall: flop / t.wall / 1e9, cpu: flop / t.cpu / 1e9 };
}

function mlpFlopsPerSample(dim: number, classes: number, width: number, depth: number, freqs = 8): number {
  return 2 * (dim * width + 2 * freqs * width + (classes + 1) * width + depth * 2 * width * width + width * dim);
}

async function benchBackend(backend: BackendName): Promise<Record<string, unknown>> {
  const info = await initBackend({ prefer: backend });
  const B = 128;
  const width = 128;
  const depth = 3;
  const g = gmmGraph({ batch: B, width, depth });
  (g.config as Record<string, unknown>)['teacher.family'] = 'mlp';
  const products = new Map<string, VelocityNet>();
  const teach = prepareStage(g, g.stages[0]!, products);
  runIteration(teach);
  products.set('teach', productOf(teach)!.clone(false));
  disposeStage(teach);
  const st = prepareStage(g, g.stages[1]!, products);
  runIteration(st); // warm-up
  const iters = backend === 'cpu' ? 4 : 12;
  let ksum = 0;
  // peak: the best plain 2-D matMul over a few sizes (cache effects make the largest not always the fastest)
  const sizes = backend === 'cpu' ? [128, 256] : [256, 512, 1024];
  const best = () =>
    sizes
      .map((n) => peakGflops(n, Math.max(2, Math.round((2 * 512 ** 3) / n ** 3))))
      .reduce((a, b) => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) }));
  const before = best();
  const t = timed(() => {
    for (let i = 0; i < iters; i++) ksum += runIteration(st).k ?? 0;
  });
  disposeStage(st);
  const k = ksum / iters;
  const f = mlpFlopsPerSample(2, 3, width, depth);
  // fake: k G fwd (B) + psi fwd+bwd (3x) on 2B; generator: k G fwd + last G bwd (2x) + phi, psi fwd + input bwd (2x) on 2B
  const flopsIter = f * (B * k + 3 * 2 * B + B * k + 2 * B + 2 * 2 * 2 * B);
  const after = best();
  // peak = the better of two measurements around the timed loop; rates per CPU second are robust to a
  // shared machine (single-threaded backends), per wall second is what a user waits
  const peak = { wall: Math.max(before.wall, after.wall), cpu: Math.max(before.cpu, after.cpu) };
  const flop = flopsIter * iters;
  const r3 = (x: number) => +x.toFixed(3);
  return {
    backend: info.name,
    threads: info.threads,
    simd: info.simd,
    batch: B,
    mlp: { width, depth },
    mean_k: k,
    iterations: iters,
    iterations_per_s: r3(iters / t.wall),
    images_per_s: +((iters * B) / t.wall).toFixed(1),
    iterations_per_cpu_s: r3(iters / t.cpu),
    images_per_cpu_s: +((iters * B) / t.cpu).toFixed(1),
    gflops_per_iteration: +(flopsIter / 1e9).toFixed(4),
    achieved_gflops: r3(flop / t.wall / 1e9),
    achieved_gflops_per_cpu_s: r3(flop / t.cpu / 1e9),
    peak_matmul_gflops: r3(peak.wall),
    peak_matmul_gflops_per_cpu_s: r3(peak.cpu),
    share_of_peak: +(flop / t.cpu / 1e9 / peak.cpu).toFixed(4),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const b of ['tensorflow', 'wasm', 'cpu'] as BackendName[]) {
    try {
      out[b] = await benchBackend(b);
    } catch (e) {
      out[b] = { available: false, reason: (e as Error).message.slice(0, 200) };
    }
  }
  return out;
}
