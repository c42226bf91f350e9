// Runs an execution graph end to end: stages in DAG order; each training stage iterates (exec/) with
// metrics, sample plots and atomic checkpoints every checkpoint_every images; a rerun resumes from the
// last checkpoint (same PRNG state, nets, Adam state and counters: nothing lost but the current step).
import { existsSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ExecutionGraph, StageGraph } from '../../../compiler/graph/types.js';
import type { CliIO } from '../../../common/io.js';
import { appendLine, writeFileAtomic, writeJsonAtomic } from '../../formats/atomic.js';
import type { VelocityNet } from '../nets/net.js';
import { runIteration } from './iteration.js';
import { disposeStage, prepareStage, productOf, scheduleOf } from './stage.js';
import { evaluateStage, formatEvalTable, type EvalRow } from '../evaluation/mixture.js';
import { generateK } from './sampling.js';
import { configValue, num } from './config.js';
import type { StageState } from './state.js';
import { loadCheckpoint, loadNet, saveCheckpoint, saveNet } from './checkpoint.js';
import { Progress } from '../../rundir/progress.js';
import { readProgress, type RunPaths } from '../../rundir/rundir.js';
import { scatterClasses } from '../../rundir/plots.js';
import { imageSampleGrid, isImageNet } from './image-samples.js';
import { familySamples } from './latent-samples.js';
import { FamilyNet } from '../families/net.js';
import { Rng } from '../../rng/prng.js';
import { IMPLICIT_TEACH, implicitTeachStage, needsImplicitTeach } from './implicit-teach.js';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { teacherFamily } from './teacher-spec.js';
import { runDitTeach } from './dit-teach-run.js';
import { Monitor } from './monitor.js';
import { monitorLine } from '../../rundir/monitor-events.js';

/** Cache of implicit init nets shared by the runs of one runs directory, keyed by what determines them. */
function implicitCachePath(paths: RunPaths, stage: StageGraph, graph: ExecutionGraph): string {
  const mixture = ['dim', 'classes', 'modes_per_class', 'mode_std', 'radius', 'seed', 'symmetric', 'width', 'depth'].map(
    (k) => configValue(graph, `teacher.${k}`) ?? null,
  );
  const key = createHash('sha256')
    .update(JSON.stringify([stage, mixture]))
    .digest('hex')
    .slice(0, 16);
  return join(dirname(paths.dir), '_cache', `init-${key}.safetensors`);
}

export interface RunOptions {
  io: CliIO;
  /** tests: stop (as a crash would) after this many iterations of the current process */
  stopAfterIterations?: number;
  /** write sample PNGs (default true) */
  plots?: boolean;
  /** called after every training iteration (tests, benchmarks) */
  onIteration?: (st: StageState) => void;
}

interface RunResult {
  evalRows: EvalRow[];
  completed: boolean;
}

export function stageOrder(graph: ExecutionGraph): StageGraph[] {
  const pre = needsImplicitTeach(graph) ? [implicitTeachStage(graph)] : [];
  return [...pre, ...dagOrder(graph)];
}

function dagOrder(graph: ExecutionGraph): StageGraph[] {
  const byName = new Map(graph.stages.map((s) => [s.name, s]));
  const out: StageGraph[] = [];
  const seen = new Set<string>();
  const visit = (s: StageGraph, path: string[]) => {
    if (seen.has(s.name)) return;
    if (path.includes(s.name)) throw new Error(`stage cycle: ${[...path, s.name].join(' -> ')}`);
    for (const a of s.after) {
      const dep = byName.get(a);
      if (!dep) throw new Error(`stage ${s.name} runs after unknown stage ${a}`);
      visit(dep, [...path, s.name]);
    }
    seen.add(s.name);
    out.push(s);
  };
  for (const s of graph.stages) visit(s, []);
  return out;
}

const fileSize = (p: string) => (existsSync(p) ? statSync(p).size : 0);

function samplePlot(paths: RunPaths, st: StageState, label: string): void {
  const G = productOf(st);
  if (isImageNet(G) && st.stage.kind !== 'teach') return imageSampleGrid(paths.samples, st, G, label);
  if (G instanceof FamilyNet) return void familySamples(paths.samples, st, G, label);
  if (!G || st.dim < 2 || !st.gmm || st.stage.kind === 'teach') return;
  const n = 512;
  const steps = num(configValue(st.graph, 'generator.steps'), 4);
  const c = Int32Array.from({ length: n }, (_, i) => i % st.gmm!.classes);
  const rng = new Rng(st.iteration + 7); // a separate stream: plotting never changes the training run
  const x = tf.tidy(() => {
    const z = tf.tensor2d(rng.normals(n * st.dim), [n, st.dim]);
    const out = generateK(G, z, tf.tensor1d(c, 'int32'), steps, steps, 'fresh', rng, num(configValue(st.graph, 'teacher.time_scale'), 1), st.precision, false);
    return Float32Array.from(out.dataSync() as Float32Array);
  });
  scatterClasses(
    join(paths.samples, `${label}.png`),
    { x, c, dim: st.dim },
    {
      title: `${st.stage.name}: ${steps}-step student, ${st.images} images`,
      means: st.gmm.means,
      modesPerClass: st.gmm.modesPerClass,
      lim: st.gmm.radius * 1.4,
    },
  );
}

/** A stage starting from scratch: drop the metrics lines a killed earlier attempt of it logged before its
 * first checkpoint, so each interval appears once. */
function dropStageLines(path: string, stage: string): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const ours = (l: string): boolean => {
    try {
      return (JSON.parse(l) as { stage?: unknown }).stage === stage;
    } catch {
      return false; // not ours to judge: keep it
    }
  };
  const keep = lines.filter((l) => !ours(l));
  if (keep.length !== lines.length) writeFileAtomic(path, keep.map((l) => l + '\n').join(''));
}

/** Per-key means of the values added since the last take(). */
class MeanOver {
  private sums: Record<string, number> = {};
  private counts: Record<string, number> = {};
  add(values: Record<string, number>): void {
    for (const [k, v] of Object.entries(values)) {
      this.sums[k] = (this.sums[k] ?? 0) + v;
      this.counts[k] = (this.counts[k] ?? 0) + 1;
    }
  }
  take(): Record<string, number> {
    const out = Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / this.counts[k]!]));
    this.sums = {};
    this.counts = {};
    return out;
  }
}

function trainStage(paths: RunPaths, st: StageState, opts: RunOptions, budget: { left: number }): boolean {
  const sch = scheduleOf(st.graph, st.stage, st.batch);
  const resumed = loadCheckpoint(paths.checkpoint, st);
  if (resumed) {
    if (fileSize(paths.metrics) > resumed.metricsBytes) truncateSync(paths.metrics, resumed.metricsBytes);
    opts.io.stdout(`resuming stage ${st.stage.name} at ${st.images} images (iteration ${st.iteration}) from ${paths.checkpoint}\n`);
  } else dropStageLines(paths.metrics, st.stage.name);
  const monitor = Monitor.open(paths, st, resumed); // evaluation during training (docs/runtime.md "Monitor")
  const bar = new Progress(opts.io, `${st.stage.name}`, sch.iterations * sch.imagesPerIteration);
  // sums over the log interval, each with its own count: a warm-up iteration has no generator loss
  const losses = new MeanOver();
  const terms = new MeanOver();
  let count = 0;
  let t0 = performance.now();
  while (st.iteration < sch.iterations) {
    if (budget.left <= 0) return false;
    const before = st.images;
    const r = runIteration(st);
    budget.left--;
    st.images += sch.imagesPerIteration;
    opts.onIteration?.(st);
    losses.add(r.losses);
    terms.add(r.terms);
    count++;
    const crossed = (every: number) => Math.floor(st.images / every) > Math.floor(before / every) || st.iteration === sch.iterations;
    bar.update(
      st.images,
      Object.entries(r.losses)
        .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
        .join(' '),
    );
    if (crossed(sch.logEvery)) {
      const secs = (performance.now() - t0) / 1000;
      const mean = losses.take();
      const termMean = terms.take();
      const termMeans = Object.keys(termMean).length ? { terms: termMean } : {};
      appendLine(
        paths.metrics,
        JSON.stringify({
          stage: st.stage.name,
          iteration: st.iteration,
          images: st.images,
          k: r.k,
          loss: mean,
          ...termMeans,
          dropped_nan_samples: st.stats.dropped,
          nonfinite_grads: st.stats.nonfinite,
          images_per_s: (count * sch.imagesPerIteration) / secs,
        }),
      );
      count = 0;
      t0 = performance.now();
    }
    if (opts.plots !== false && st.stage.kind !== 'teach' && crossed(sch.sampleEvery))
      samplePlot(paths, st, `${st.stage.name}-${String(st.images).padStart(8, '0')}`);
    if (monitor && crossed(monitor.spec.everyImages)) {
      opts.io.stdout(`${monitorLine(monitor.evaluate(st))}\n`);
    }
    if (crossed(sch.checkpointEvery) && st.iteration < sch.iterations) saveCheckpoint(paths.checkpoint, st, fileSize(paths.metrics), monitor?.state);
  }
  bar.done();
  return true;
}

/** Executes the graph in the run directory, resuming what a previous process left. */
export function runGraph(graph: ExecutionGraph, paths: RunPaths, opts: RunOptions): RunResult {
  const progress = readProgress(paths);
  const products = new Map<string, VelocityNet>();
  const budget = { left: opts.stopAfterIterations ?? Infinity };
  let evalRows: EvalRow[] = [];
  for (const stage of stageOrder(graph)) {
    if (progress.done.includes(stage.name)) {
      if (existsSync(paths.stage(stage.name))) products.set(stage.name, loadNet(paths.stage(stage.name), graph));
      if (stage.kind === 'evaluate' && existsSync(join(paths.dir, 'eval.json'))) {
        evalRows = JSON.parse(readFileSync(join(paths.dir, 'eval.json'), 'utf8')) as EvalRow[];
        opts.io.stdout(`stage ${stage.name} already done in ${paths.dir}:\n${formatEvalTable(evalRows)}\n`);
      }
      continue;
    }
    const cached = stage.name === IMPLICIT_TEACH ? implicitCachePath(paths, stage, graph) : null;
    if (cached && existsSync(cached)) {
      // the same mixture and teach settings were fitted by another run (e.g. another sweep point)
      copyFileSync(cached, paths.stage(stage.name));
      products.set(stage.name, loadNet(cached));
      progress.done.push(stage.name);
      writeJsonAtomic(paths.progress, progress);
      continue;
    }
    if (stage.kind === 'teach' && teacherFamily(graph) === 'dit') {
      // the DiT teacher trains by runtime/tfjs/nets/dit-teach.ts (dit-teach-run.ts), its state in checkpoint.safetensors
      const teacher = runDitTeach(graph, stage, paths, opts, budget);
      if (!teacher) return { evalRows, completed: false };
      products.set(stage.name, teacher);
      progress.done.push(stage.name);
      writeJsonAtomic(paths.progress, progress);
      continue;
    }
    const st = prepareStage(graph, stage, products);
    if (stage.kind === 'evaluate') {
      opts.io.stdout(`stage ${stage.name}: sampling and measuring against the true mixture\n`);
      const { rows, samples } = evaluateStage(st);
      evalRows = rows;
      writeJsonAtomic(join(paths.dir, 'eval.json'), rows);
      const table = formatEvalTable(rows);
      writeFileAtomic(join(paths.dir, 'eval.md'), table + '\n');
      opts.io.stdout(table + '\n');
      if (opts.plots !== false && st.dim >= 2) {
        for (const s of samples)
          scatterClasses(
            join(paths.samples, `eval-${s.label.replace(/[^a-z0-9-]+/gi, '_')}.png`),
            { x: s.x.subarray(0, 2000 * st.dim), c: s.c.subarray(0, 2000), dim: st.dim },
            { title: s.label, means: st.gmm!.means, modesPerClass: st.gmm!.modesPerClass, lim: st.gmm!.radius * 1.4 },
          );
      }
    } else if (stage.phases.length) {
      const finished = trainStage(paths, st, opts, budget);
      if (!finished) {
        disposeStage(st);
        return { evalRows, completed: false };
      }
      const product = productOf(st);
      if (product) {
        saveNet(paths.stage(stage.name), product, { stage: stage.name });
        products.set(stage.name, product.clone(false));
        if (stage.kind === 'sid' || stage.kind === 'adversarial') copyFileSync(paths.stage(stage.name), paths.student);
        if (cached) {
          mkdirSync(dirname(cached), { recursive: true });
          // sweep points running at once (--parallel, a job array) may fit the same init: each its own temp file
          const tmp = `${cached}.${hostname()}-${process.pid}.tmp`;
          copyFileSync(paths.stage(stage.name), tmp);
          renameSync(tmp, cached);
        }
      }
    }
    disposeStage(st);
    progress.done.push(stage.name);
    writeJsonAtomic(paths.progress, progress);
    if (existsSync(paths.checkpoint)) rmSync(paths.checkpoint);
  }
  for (const p of products.values()) p.dispose();
  return { evalRows, completed: true };
}
