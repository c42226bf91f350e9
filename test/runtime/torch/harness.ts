// Shared set-up of the torch engine's tests: compile a recipe, cut it down to a few iterations, give both
// engines the same starting nets, run the graph in tfjs (in-process) and in torch (child process).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { compileFile } from '../../../compiler/api.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { MlpNet } from '../../../runtime/tfjs/nets/mlp.js';
import { Rng } from '../../../runtime/rng/prng.js';
import { saveNet } from '../../../runtime/tfjs/loop/checkpoint.js';
import { runPaths } from '../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../runtime/tfjs/loop/runner.js';
import { gmmOf, mlpConfigOf } from '../../../runtime/tfjs/loop/teacher-spec.js';
import { repoPath } from '../../helpers/paths.js';

export function compileGraph(file: string, set: string[] = []): ExecutionGraph {
  const r = compileFile(file, { set });
  if (!r.ok) throw new Error(`${file} does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.graphs[0]!;
}

/** A random MLP (every parameter drawn, the output layer too, so the teacher is not v = 0). */
export function randomMlp(graph: ExecutionGraph, seed: number): MlpNet {
  const cfg = mlpConfigOf(graph, gmmOf(graph));
  const shape = new MlpNet(cfg, new Rng(seed), false);
  const rng = new Rng(seed + 1);
  const m = new Map<string, tf.Tensor>();
  for (const [k, v] of shape.params)
    m.set(
      k,
      tf.tensor(
        rng.normals(v.size).map((x) => x * 0.3),
        v.shape,
      ),
    );
  const net = new MlpNet(cfg, m, false);
  shape.dispose();
  for (const t of m.values()) t.dispose();
  return net;
}

/** A run directory whose stage `done` is finished with `net` as its product. */
export function seededRunDir(dir: string, graph: ExecutionGraph, done: string, net: MlpNet): string {
  mkdirSync(join(dir, 'stages'), { recursive: true });
  mkdirSync(join(dir, 'samples'), { recursive: true });
  writeFileSync(join(dir, 'graph.json'), JSON.stringify(graph));
  saveNet(join(dir, 'stages', `${done}.safetensors`), net, { stage: done });
  writeFileSync(join(dir, 'progress.json'), JSON.stringify({ done: [done] }));
  return dir;
}

export const quietIO = { stdout: () => {}, stderr: () => {}, isTTY: false };

export function runTfjs(graph: ExecutionGraph, dir: string, stopAfterIterations?: number): boolean {
  return runGraph(graph, runPaths(dir), { io: quietIO, plots: false, ...(stopAfterIterations !== undefined ? { stopAfterIterations } : {}) }).completed;
}

export function runTorch(py: string, dir: string, extra: string[] = [], graphFile = join(dir, 'graph.json')): SpawnSyncReturns<string> {
  return spawnSync(py, ['-m', 'sidc_torch', 'run', '--graph', graphFile, '--run-dir', dir, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
    timeout: 120000,
  });
}

/** The sid stage only, `iterations` iterations long, checkpointing and logging after every iteration. */
export function sidOnly(graph: ExecutionGraph, iterations: number): ExecutionGraph {
  const g = JSON.parse(JSON.stringify(graph)) as ExecutionGraph;
  g.stages = g.stages.filter((s) => s.kind !== 'evaluate');
  const sid = g.stages.find((s) => s.kind === 'sid')!;
  const B = Number(sid.attrs.batch_per_device ?? g.bindings.B);
  Object.assign(sid.attrs, { length_images: B * iterations, checkpoint_every_images: B, log_every_images: B, sample_every_images: 1e9 });
  return g;
}
