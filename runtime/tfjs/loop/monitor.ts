// Evaluation during training (docs/algorithm.md §10; contract in docs/runtime.md "Monitor"): a training
// stage whose attrs carry `monitor` scores its generator every `every_images` images and at its end, appends
// the scores to metrics.jsonl as an `event: "monitor"` line, redraws the curves (monitor-<metric>.png) and
// keeps snapshots by rule (snapshots.ts). The best-so-far values ride in the checkpoint, so a kill and
// resume keeps them. Scoring draws from its own generators (fixed seeds, the same noise every time): the
// training run is the same with or without the monitor.
//   image (dit) teachers: FID and prompt alignment (runtime/eval) exactly as `sidc eval --student-only
//     --seed 1 --per-class samples/K --student-steps <steps>` measures a student file
//   vector teachers: energy distance, sliced W1, coverage, precision against the true mixture
import * as tf from '@tensorflow/tfjs-core';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import type { Gmm } from '../../data/gaussian-mixture.js';
import type { VelocityNet } from '../nets/net.js';
import { LOWER_IS_BETTER } from '../../../compiler/recipe/settings.js';
import { appendLine } from '../../formats/atomic.js';
import { configValue, num } from './config.js';
import { DitNet } from './dit-net.js';
import { generateK, type NoiseMode } from './sampling.js';
import { productOf } from './stage.js';
import type { StageState } from './state.js';
import { loadClassifier, shippedClassifierPath } from '../../scoring/classifier.js';
import { loadMnist } from '../../data/mnist.js';
import { mixtureMetrics } from '../../scoring/mixture.js';
import { FP32 } from '../precision/policy.js';
import { Rng } from '../../rng/prng.js';
import { drawInChunks, imageScorer, scoreImages, type ImageScorer } from '../evaluation/image.js';
import { monitorSpec, plotMonitorCurves, type MonitorEvent, type MonitorSpec } from '../../rundir/monitor-events.js';
import type { RunPaths } from '../../rundir/rundir.js';
import { readSnapshotRecords, snapshotName, writeSnapshot, type SnapshotRecord } from './snapshots.js';

/** The noise seed of every evaluation (sidc eval's default --seed): the same noise each time. */
export const MONITOR_SEED = 1;

export { monitorSpec, readMonitorEvents, type MonitorEvent, type MonitorSpec } from '../../rundir/monitor-events.js';

/** Best value so far of each metric over the run (earlier stages included); stored in the checkpoint. */
export interface MonitorState {
  best: Record<string, number>;
}

const better = (metric: string, v: number, best: number | undefined): boolean =>
  Number.isFinite(v) && (best === undefined || (LOWER_IS_BETTER.includes(metric) ? v < best : v > best));

let scorer: ImageScorer | null = null;
function imageScorerOnce(classes: number): ImageScorer {
  scorer ??= imageScorer(loadClassifier(shippedClassifierPath()), loadMnist({ split: 'heldout' }), classes);
  return scorer;
}

/** Scores the stage's generator (scoreNet). */
export function scoreGenerator(st: StageState, spec: MonitorSpec): Record<string, number> {
  const G = productOf(st);
  if (!G) throw new Error(`monitor: stage ${st.stage.name} has no generator to score`);
  return scoreNet(G, st.graph, st.gmm, spec);
}

/** FID / alignment of an image generator, or the mixture metrics (against `gmm`) of a vector one; also what
 * a test scores another engine's snapshot with. */
export function scoreNet(G: VelocityNet, graph: ExecutionGraph, gmm: Gmm | null, spec: MonitorSpec): Record<string, number> {
  const timeScale = num(configValue(graph, 'teacher.time_scale'), 1);
  const gen = num(configValue(graph, 'generator.steps'), 4);
  let all: Record<string, number>;
  if (G instanceof DitNet) {
    const K = G.nullCondition;
    const perClass = Math.max(1, Math.floor(spec.samples / K));
    const labels = Int32Array.from({ length: K * perClass }, (_, i) => Math.floor(i / perClass));
    const z = new Rng(MONITOR_SEED).normals(labels.length * G.dim);
    const x = drawInChunks(z, labels, G.dim, new Rng(MONITOR_SEED + 1), (zz, c, rng) =>
      generateK(G, zz, c, spec.steps, Math.max(spec.steps, gen), 'fresh', rng, timeScale, FP32, false),
    );
    all = scoreImages(imageScorerOnce(K), x, labels);
  } else if (gmm) {
    const g = gmm;
    const n = spec.samples;
    const c = Int32Array.from({ length: n }, (_, i) => i % g.classes);
    const rng = new Rng(MONITOR_SEED + 1);
    const noise = String(configValue(graph, 'generator.noise') ?? 'fresh') as NoiseMode;
    const x = tf.tidy(() => {
      const z = tf.tensor2d(new Rng(MONITOR_SEED).normals(n * g.dim), [n, g.dim]);
      return Float32Array.from(generateK(G, z, tf.tensor1d(c, 'int32'), spec.steps, gen, noise, rng, timeScale, FP32, false).dataSync() as Float32Array);
    });
    all = { ...mixtureMetrics(g, x, c) };
  } else throw new Error(`monitor: no metrics for a ${G.kind} generator (the monitor scores dit and vector teachers)`);
  return Object.fromEntries(spec.metrics.map((m) => [m, all[m] ?? NaN]));
}

export class Monitor {
  constructor(
    readonly paths: RunPaths,
    readonly spec: MonitorSpec,
    public state: MonitorState,
  ) {}

  /** The stage's monitor, or null; the best-so-far from the checkpoint it resumes from, else from the
   * snapshots earlier stages kept (this stage's own, from an attempt killed before its first checkpoint,
   * are replayed). */
  static open(paths: RunPaths, st: StageState, resumed: { monitor?: MonitorState } | null): Monitor | null {
    const spec = monitorSpec(st.stage);
    if (!spec) return null;
    if (resumed?.monitor) return new Monitor(paths, spec, { best: { ...resumed.monitor.best } });
    const best: Record<string, number> = {};
    for (const r of readSnapshotRecords(paths.dir)) {
      const m = /^best\((\w+)\)$/.exec(r.rule)?.[1];
      if (m && r.stage !== st.stage.name && r.metrics[m] !== undefined) best[m] = r.metrics[m]!;
    }
    return new Monitor(paths, spec, { best });
  }

  /** Scores the generator now, logs the event, keeps snapshots by rule and redraws the curves. */
  evaluate(st: StageState): MonitorEvent {
    const t0 = performance.now();
    const metrics = scoreGenerator(st, this.spec);
    const kept: string[] = [];
    const record = (rule: string): SnapshotRecord => ({
      name: snapshotName(rule),
      rule,
      stage: st.stage.name,
      iteration: st.iteration,
      images: st.images,
      steps: this.spec.steps,
      samples: this.spec.samples,
      metrics,
    });
    for (const rule of this.spec.keep) {
      const m = /^best\((\w+)\)$/.exec(rule)?.[1];
      if (m !== undefined && !better(m, metrics[m] ?? NaN, this.state.best[m])) continue;
      if (m !== undefined) this.state.best[m] = metrics[m]!;
      writeSnapshot(this.paths.dir, record(rule), productOf(st)!);
      kept.push(snapshotName(rule));
    }
    // metrics the recipe monitors without keeping a snapshot still track their best (the curve's summary)
    for (const m of this.spec.metrics) if (better(m, metrics[m]!, this.state.best[m])) this.state.best[m] = metrics[m]!;
    const ev: MonitorEvent = {
      event: 'monitor',
      stage: st.stage.name,
      iteration: st.iteration,
      images: st.images,
      steps: this.spec.steps,
      samples: this.spec.samples,
      metrics,
      kept,
      seconds: (performance.now() - t0) / 1000,
    };
    appendLine(this.paths.metrics, JSON.stringify(ev));
    this.plot();
    return ev;
  }

  /** monitor-<metric>.png in the run directory: each metric against images, a line per stage. */
  plot(): void {
    plotMonitorCurves(this.paths.dir, this.paths.metrics, this.spec);
  }
}
