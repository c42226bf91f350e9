// Does SiD-DiT with CFG reach the guided teacher's distribution? An oracle for docs/algorithm.md §4 with guidance:
// phi is the analytic Gaussian mixture (exact guided velocity, eq. 15), psi and G start from an MLP fit to
// it (runtime/tfjs/loop/implicit-teach.ts), and the 4-step student is compared with the guided teacher's own
// distribution - Euler with 256 steps, which 32 steps already match - by energy distance per class (plus
// coverage and precision against the true components, runtime/scoring/mixture.ts). Heavy: runs only when
// named, `npm run bench -- gmm-cfg` (~2 min per scale on one core).
//   SIDC_GMM_CFG_SCALES=1,4.5     guidance scales (teacher = fake = cfg(w), long-and-short guidance)
//   SIDC_GMM_CFG_IMAGES=128k      SiD length per scale (batch 128)
//   SIDC_GMM_CFG_SET='optimizer.lr=3e-5'   extra --set overrides (';'-separated); 'teacher.dim=8' for a mixture in 8-D,
//                                          'teacher.symmetric=true' for classes that all have the marginal's mean
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { compileSource } from '../compiler/api.js';
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { loadNet } from '../runtime/tfjs/loop/checkpoint.js';
import { gmmOf } from '../runtime/tfjs/loop/teacher-spec.js';
import { GmmTeacher } from '../runtime/tfjs/nets/analytic-mixture.js';
import { sampleGmm } from '../runtime/data/gaussian-mixture.js';
import { eulerSample, generateK, type Guidance } from '../runtime/tfjs/loop/sampling.js';
import { energyDistance, mixtureMetrics } from '../runtime/scoring/mixture.js';
import { FP32 } from '../runtime/tfjs/precision/policy.js';
import { Rng } from '../runtime/rng/prng.js';

export const name = 'gmm-cfg';
/** Not part of a plain `npm run bench`: a few minutes of training per guidance scale. */
export const heavy = true;

const recipe = (w: number, images: string): string => `recipe gmm_cfg {
  teacher gmm { dim = 2; classes = 4; modes_per_class = 6; mode_std = 0.12; radius = 4; seed = 3 }
  data { text = labels }
  precision fp32 {}
  optimizer { lr = 3e-4; fake_lr = 1e-3; eps = 1e-8 }
  batch { global = 128; per_device = 128; accumulate = 1 }
  guidance { teacher = cfg(${w}); fake = cfg(${w}) }
  teach { length = 400k images; lr = 2e-3; batch = 256 }
  train { length = ${images} images; checkpoint_every = 1000k images; sample_every = 1000k images; log_every = 16k images; seed = 0 }
  stage sid {}
}
`;

export async function run(): Promise<Record<string, unknown>> {
  const scales = (process.env.SIDC_GMM_CFG_SCALES ?? '1,4.5').split(',').map(Number);
  const images = process.env.SIDC_GMM_CFG_IMAGES ?? '128k';
  const set = (process.env.SIDC_GMM_CFG_SET ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  const backend = await initBackend({ prefer: 'wasm' });
  const results: Record<string, unknown>[] = [];
  for (const w of scales) {
    const dir = mkdtempSync(join(tmpdir(), 'sidc-gmm-cfg-'));
    try {
      const file = join(dir, 'gmm-cfg.sid');
      const text = recipe(w, images);
      writeFileSync(file, text);
      const res = compileSource(text, file, { set });
      if (!res.ok) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
      const graph = res.graphs[0]!;
      const paths = openRunDir(join(dir, 'runs'), graph, {});
      const t0 = performance.now();
      runGraph(graph, paths, { io: { stdout: () => {}, stderr: () => {}, isTTY: false }, plots: false });
      const trainSeconds = (performance.now() - t0) / 1000;
      const G = loadNet(paths.student, graph);
      const gmm = gmmOf(graph);
      const phi = new GmmTeacher(gmm);
      const K = gmm.classes;
      const d = gmm.dim; // 2 unless SIDC_GMM_CFG_SET sets teacher.dim
      const per = 1000;
      const n = K * per;
      const cls = Int32Array.from({ length: n }, (_, i) => Math.floor(i / per));
      const c = tf.tensor1d(cls, 'int32');
      const g: Guidance = { mode: 'cfg', scale: w };
      // the target: the guided teacher's distribution, Euler 256 steps from its own noise
      const target = eulerSample(phi, tf.tensor2d(new Rng(7).normals(n * d), [n, d]), c, 256, g, 1, FP32).dataSync() as Float32Array;
      const z = tf.tensor2d(new Rng(8).normals(n * d), [n, d]);
      const perClass = (a: Float32Array): number => {
        let s = 0;
        for (let k = 0; k < K; k++) s += energyDistance(a.slice(k * per * d, (k + 1) * per * d), target.slice(k * per * d, (k + 1) * per * d), d);
        return +(s / K).toFixed(4);
      };
      const row = (sampler: string, a: Float32Array) => {
        const m = mixtureMetrics(gmm, a, cls);
        return { sampler, energy_vs_guided_target: perClass(a), coverage: +m.coverage.toFixed(3), precision: +m.precision.toFixed(3) };
      };
      const rows = [
        row('teacher Euler 256 (other noise: the floor)', eulerSample(phi, z, c, 256, g, 1, FP32).dataSync() as Float32Array),
        row('teacher Euler 32', eulerSample(phi, z, c, 32, g, 1, FP32).dataSync() as Float32Array),
        row('teacher Euler 4', eulerSample(phi, z, c, 4, g, 1, FP32).dataSync() as Float32Array),
        row('student 4 steps', generateK(G, z, c, 4, 4, 'fresh', new Rng(9), 1, FP32, false).dataSync() as Float32Array),
        row('student 1 step', generateK(G, z, c, 1, 4, 'fresh', new Rng(9), 1, FP32, false).dataSync() as Float32Array),
        row('true mixture (unguided data)', sampleGmm(gmm, cls, new Rng(10))),
      ];
      process.stderr.write(`gmm-cfg: w ${w}: ${JSON.stringify(rows)}\n`);
      results.push({ cfg: w, sid_images: images, train_seconds: +trainSeconds.toFixed(1), rows });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    backend: backend.name,
    set,
    samples_per_class: 1000,
    results,
    note: 'energy distance per class against the guided teacher (Euler 256); coverage / precision against the true components',
  };
}
