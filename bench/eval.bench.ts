// Evaluation budget (issue 5: "evaluation of 5k samples within 5 minutes"): generates 5,000 samples (500
// per digit) with an image run's student at 1 and 4 steps and scores them exactly as `sidc eval` does
// (runtime/tfjs/evaluation/image.ts: drawInChunks, then scoreImages = the eval classifier's penultimate features
// -> FID against the 1,000 held-out digits, and its predictions -> prompt alignment). Generation and
// scoring are timed separately, wall and CPU seconds.
// The run: SIDC_EVAL_RUN=<run dir>, else the newest runs/mnist_sid-*/ holding a student (or a checkpoint
// G); without one, the shipped teacher stands in as a 4-step generator (generate_k over the same net, the
// cost of a 4-step student of the same size; its FID is not a student's). SIDC_EVAL_N changes 5,000.
// The same number from the CLI: `sidc eval RUN --student-only --per-class 500`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { loadMnist, mnistCaption } from '../runtime/data/mnist.js';
import { loadClassifier } from '../runtime/scoring/classifier.js';
import { configValue, num } from '../runtime/tfjs/loop/config.js';
import { loadDitFile, type DitNet } from '../runtime/tfjs/loop/dit-net.js';
import { ditTeacher } from '../runtime/tfjs/loop/dit-stage.js';
import { generateK } from '../runtime/tfjs/loop/sampling.js';
import { FP32 } from '../runtime/tfjs/precision/policy.js';
import { Rng } from '../runtime/rng/prng.js';
import { drawInChunks, imageScorer, loadRunStudent, readGraph, scoreImages } from '../runtime/tfjs/evaluation/image.js';

export const name = 'eval';

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}

/** The newest runs/mnist_sid*-<hash8>/ with a student or a checkpoint, or null. */
function newestRun(root: string): string | null {
  const runs = join(root, 'runs');
  if (!existsSync(runs)) return null;
  const dirs = readdirSync(runs)
    .filter((d) => d.startsWith('mnist_sid'))
    .map((d) => join(runs, d))
    .filter((d) => existsSync(join(d, 'graph.json')) && (existsSync(join(d, 'student.safetensors')) || existsSync(join(d, 'checkpoint.safetensors'))));
  dirs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return dirs[0] ?? null;
}

const cpuSeconds = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  const root = repoRoot();
  await initBackend({ prefer: 'wasm' }); // what `sidc eval` gets here
  const n = Number(process.env.SIDC_EVAL_N ?? 5000);
  const perClass = Math.max(2, Math.round(n / 10));
  const env = process.env.SIDC_EVAL_RUN;
  const runDir = env ?? newestRun(root);
  let G: DitNet;
  let stepsList: number[];
  let trained = 4;
  let timeScale = 1;
  let generator: string;
  if (runDir) {
    const graph = readGraph(runDir);
    timeScale = num(configValue(graph, 'teacher.time_scale'), 1);
    trained = num(configValue(graph, 'generator.steps'), 4);
    const s = loadRunStudent(runDir, ditTeacher(graph));
    G = s.net;
    generator = `student of ${runDir} (${s.from})`;
    stepsList = [1, 4].filter((k) => k <= trained);
  } else {
    const captions = Array.from({ length: 10 }, (_, d) => mnistCaption(d));
    G = loadDitFile(join(root, 'examples/teachers/dit-mnist.safetensors'), { captions, inputScale: 1000, trainable: false });
    generator = 'stand-in: the shipped teacher (examples/teachers/dit-mnist.safetensors) as a 4-step generator (no run with a student found)';
    stepsList = [4];
  }
  const t0 = performance.now();
  const classifier = loadClassifier(join(root, 'examples/eval/mnist-classifier.safetensors'));
  const scorer = imageScorer(classifier, loadMnist({ split: 'heldout' }), G.nullCondition);
  const setupSeconds = (performance.now() - t0) / 1000;
  const count = perClass * G.nullCondition;
  const labels = Int32Array.from({ length: count }, (_, i) => Math.floor(i / perClass));
  const z = new Rng(1).normals(count * G.dim);
  const rows: Record<string, unknown>[] = [];
  for (const k of stepsList) {
    const g0 = performance.now();
    const gc = process.cpuUsage();
    const x = drawInChunks(z, labels, G.dim, new Rng(2), (zz, c, rng) => generateK(G, zz, c, k, Math.max(k, trained), 'fresh', rng, timeScale, FP32, false));
    const genS = (performance.now() - g0) / 1000;
    const genCpu = cpuSeconds(gc);
    const s0 = performance.now();
    const sc = process.cpuUsage();
    const score = scoreImages(scorer, x, labels);
    const scoreS = (performance.now() - s0) / 1000;
    const row = {
      steps: k,
      samples: count,
      generate_s: r2(genS),
      generate_cpu_s: r2(genCpu),
      score_s: r2(scoreS),
      score_cpu_s: r2(cpuSeconds(sc)),
      total_s: r2(genS + scoreS),
      within_5_min: genS + scoreS < 300,
      fid: r2(score.fid),
      alignment: Math.round(score.alignment * 1000) / 1000,
    };
    process.stderr.write(
      `eval: ${k} step(s), ${count} samples: generate ${row.generate_s} s (CPU ${row.generate_cpu_s} s), score ${row.score_s} s; FID ${row.fid}, alignment ${row.alignment}\n`,
    );
    rows.push(row);
  }
  G.dispose();
  for (const v of Object.values(classifier)) v.dispose();
  return {
    generator,
    backend: tf.getBackend(),
    setup_s: r2(setupSeconds),
    rows,
    target: '5k samples evaluated (generated + scored) within 5 minutes',
    load_average: os.loadavg().map(r2),
    cli: runDir ? `node bin/sidc.js eval ${runDir} --student-only --per-class ${perClass}` : 'node bin/sidc.js eval RUN --student-only --per-class 500',
  };
}
