// The evaluate stage for vector teachers: the teacher phi by Euler at each of `teacher_steps`, the
// student G by the k-step generator (eq. 16) at each of `student_steps`, and fresh draws of the true
// mixture as the metrics' noise floor - all against the TRUE mixture (runtime/scoring/mixture.ts).
// Classes are balanced (sample i has class i mod K); teacher Euler uses the recipe's teacher guidance.
import * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { mixtureMetrics, type MixtureMetrics } from '../../scoring/mixture.js';
import { sampleGmm } from '../../data/gaussian-mixture.js';
import { configValue, num, stageSetting } from '../loop/config.js';
import { eulerSample, generateK, guidanceOf, type NoiseMode } from '../loop/sampling.js';
import type { StageState } from '../loop/state.js';

export interface EvalRow extends MixtureMetrics {
  sampler: string;
  steps: number;
  seconds: number;
}

interface EvalSamples {
  label: string;
  x: Float32Array;
  c: Int32Array;
}

/** metricSeed: the seed of the true-mixture draws the metrics compare against (the run uses the default). */
export function evaluateStage(st: StageState, onRow?: (r: EvalRow) => void, metricSeed?: number): { rows: EvalRow[]; samples: EvalSamples[] } {
  const { graph, stage } = st;
  const gmm = st.gmm!;
  const n = num(stageSetting(graph, stage, ['samples'], 'evaluate.samples', 2000), 2000);
  const teacherSteps = stageSetting(graph, stage, ['teacher_steps'], 'evaluate.teacher_steps', [1, 2, 4, 8, 32] as JsonValue) as number[];
  const studentSteps = stageSetting(graph, stage, ['student_steps'], 'evaluate.student_steps', [1, 4] as JsonValue) as number[];
  const guidance = guidanceOf(stageSetting(graph, stage, ['guidance'], 'guidance.teacher', { mode: 'cfg', scale: 4.5 }));
  const timeScale = num(configValue(graph, 'teacher.time_scale'), 1);
  const genSteps = num(configValue(graph, 'generator.steps'), 4);
  const noise = String(configValue(graph, 'generator.noise') ?? 'fresh') as NoiseMode;
  const c = Int32Array.from({ length: n }, (_, i) => i % gmm.classes);
  const rows: EvalRow[] = [];
  const samples: EvalSamples[] = [];
  const record = (sampler: string, steps: number, x: Float32Array, t0: number) => {
    const row = { sampler, steps, seconds: (performance.now() - t0) / 1000, ...mixtureMetrics(gmm, x, c, metricSeed) };
    rows.push(row);
    samples.push({ label: `${sampler}-${steps}`, x, c });
    onRow?.(row);
  };
  const t0 = performance.now();
  record('true mixture', 0, sampleGmm(gmm, c, st.rng), t0);
  const phi = st.nets.get('phi')?.net ?? [...st.nets.values()].find((s) => s.decl.role === 'teacher')?.net;
  const G = st.nets.get('G')?.net ?? [...st.nets.values()].find((s) => s.decl.role !== 'teacher')?.net;
  const cT = tf.tensor1d(c, 'int32');
  const draw = (f: (z: tf.Tensor2D) => tf.Tensor2D): Float32Array =>
    tf.tidy(() => Float32Array.from(f(tf.tensor2d(st.rng.normals(n * gmm.dim), [n, gmm.dim])).dataSync() as Float32Array));
  if (phi) {
    for (const s of teacherSteps) {
      const t1 = performance.now();
      record(
        `teacher ${phi.kind} Euler`,
        s,
        draw((z) => eulerSample(phi, z, cT, s, guidance, timeScale, st.precision)),
        t1,
      );
    }
  }
  if (G) {
    for (const s of studentSteps) {
      const t1 = performance.now();
      record(
        'SiD student',
        s,
        draw((z) => generateK(G, z, cT, Math.min(s, genSteps), genSteps, noise, st.rng, timeScale, st.precision, false)),
        t1,
      );
    }
  }
  cT.dispose();
  return { rows, samples };
}

export function formatEvalTable(rows: EvalRow[]): string {
  const head = ['sampler', 'steps', 'energy dist', 'sliced W1', 'coverage', 'precision', 'seconds'];
  const body = rows.map((r) => [
    r.sampler,
    r.steps === 0 ? '-' : String(r.steps),
    r.energy.toFixed(4),
    r.sliced_w1.toFixed(4),
    r.coverage.toFixed(3),
    r.precision.toFixed(3),
    r.seconds.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}
