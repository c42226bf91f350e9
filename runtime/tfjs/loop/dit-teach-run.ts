// Runs the teach stage of a dit recipe in the run directory: teachStep (runtime/tfjs/nets/dit-teach.ts) for
// ceil(length / batch) steps, progress lines and metrics.jsonl lines, the whole training state saved
// atomically to checkpoint.safetensors every checkpoint_every images (saveTeachState to a temporary file,
// then rename), automatic resume from it, and at the end the teacher file RUN/teacher.safetensors (EMA or
// raw weights, teach.weights) - the run's product, what another recipe's teacher.checkpoint points at.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { ExecutionGraph, StageGraph } from '../../../compiler/graph/types.js';
import { appendLine, writeFileAtomic } from '../../formats/atomic.js';
import { saveTeachState, teachStep } from '../nets/dit-teach.js';
import { ditTeachPlan, ditTeachProduct, ditTeachState } from './dit-teach-stage.js';
import { scheduleOf } from './stage.js';
import { readSafetensors } from '../../formats/safetensors.js';
import type { DitNet } from './dit-net.js';
import { saveNet } from './checkpoint.js';
import { Progress } from '../../rundir/progress.js';
import type { RunPaths } from '../../rundir/rundir.js';
import type { RunOptions } from './runner.js';

const TEACH_STATE_FORMAT = 'sidc-dit-teach-state';

/** A teach state left by a killed run (checkpoint.safetensors holds it while the stage runs). */
function teachStateFile(paths: RunPaths): string | null {
  if (!existsSync(paths.checkpoint)) return null;
  try {
    return readSafetensors(paths.checkpoint).metadata['format'] === TEACH_STATE_FORMAT ? paths.checkpoint : null;
  } catch {
    return null; // a torn file cannot be: writes are atomic; anything else is not ours
  }
}

/** Drops this stage's metrics lines past `images` (written after the checkpoint a resumed run restarts from). */
function trimMetrics(path: string, stage: string, images: number): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const keep = lines.filter((l) => {
    const m = JSON.parse(l) as { stage?: string; images?: number };
    return m.stage !== stage || (m.images ?? 0) <= images;
  });
  if (keep.length !== lines.length) writeFileAtomic(path, keep.map((l) => l + '\n').join(''));
}

/** Trains; returns the teacher net when the stage finished, null when the iteration budget ran out. */
export function runDitTeach(graph: ExecutionGraph, stage: StageGraph, paths: RunPaths, opts: RunOptions, budget: { left: number }): DitNet | null {
  const plan = ditTeachPlan(graph, stage);
  const { batch } = plan.opts;
  const sch = scheduleOf(graph, stage, batch);
  const stateFile = teachStateFile(paths);
  const s = ditTeachState(plan, stateFile);
  if (stateFile) {
    trimMetrics(paths.metrics, stage.name, s.adam.step * batch);
    opts.io.stdout(`resuming stage ${stage.name} at ${s.adam.step * batch} images (step ${s.adam.step}) from ${stateFile}\n`);
  } else {
    opts.io.stdout(
      `stage ${stage.name}: DiT teacher ${plan.opts.config.name} by rectified flow, ${plan.steps} steps of ` +
        `batch ${batch} (${plan.lengthImages} images), lr ${plan.opts.lr}, warm-up ${plan.opts.warmupSteps} ` +
        `steps, caption dropout ${plan.opts.captionDrop}, seed ${plan.opts.seed}\n`,
    );
  }
  const bar = new Progress(opts.io, stage.name, plan.steps * batch);
  let sum = 0;
  let count = 0;
  let t0 = performance.now();
  const save = () => {
    saveTeachState(`${paths.checkpoint}.tmp`, s);
    renameSync(`${paths.checkpoint}.tmp`, paths.checkpoint);
  };
  const dispose = () => {
    s.ema.dispose();
    for (const v of Object.values(s.params)) v.dispose();
  };
  while (s.adam.step < plan.steps) {
    if (budget.left <= 0) {
      dispose(); // as a kill would: what is not in the last checkpoint is lost
      return null;
    }
    const before = s.adam.step * batch;
    const c0 = process.cpuUsage();
    const loss = teachStep(s);
    const c1 = process.cpuUsage(c0);
    s.cpuSeconds += (c1.user + c1.system) / 1e6;
    budget.left--;
    const images = s.adam.step * batch;
    sum += loss;
    count++;
    bar.update(images, `loss ${loss.toPrecision(4)}`);
    const crossed = (every: number) => Math.floor(images / every) > Math.floor(before / every) || s.adam.step === plan.steps;
    if (crossed(sch.logEvery)) {
      const secs = (performance.now() - t0) / 1000;
      appendLine(
        paths.metrics,
        JSON.stringify({
          stage: stage.name,
          iteration: s.adam.step,
          images,
          loss: { fm_loss: sum / count },
          epoch: s.loader.state.epoch,
          cpu_seconds: s.cpuSeconds,
          images_per_s: (count * batch) / secs,
        }),
      );
      sum = 0;
      count = 0;
      t0 = performance.now();
    }
    if (crossed(sch.checkpointEvery) && s.adam.step < plan.steps) save();
  }
  bar.done();
  const teacher = ditTeachProduct(
    graph,
    s,
    paths.teacher,
    plan.weights,
    `trained by: sidc run ${graph.recipe.file ?? graph.recipe.name} (${s.adam.step} steps, batch ${batch}, seed ${plan.opts.seed}, ${plan.weights} weights)`,
  );
  saveNet(paths.stage(stage.name), teacher, { stage: stage.name });
  opts.io.stdout(`stage ${stage.name}: wrote ${paths.teacher} (${plan.weights} weights, ${s.adam.step} steps, ${s.cpuSeconds.toFixed(0)} CPU s)\n`);
  dispose();
  if (existsSync(paths.checkpoint)) rmSync(paths.checkpoint);
  return teacher;
}
