// The run directory runs/<recipe>-<hash8>/ (docs/design.md: named by what ran): recipe source copy, graph.json,
// backend.json, metrics.jsonl, checkpoint.safetensors, stages/<stage>.safetensors, samples/*.png,
// eval.{json,md}, student.safetensors, teacher.safetensors (dit teach stage), progress.json (finished stages).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { writeJsonAtomic } from '../formats/atomic.js';

export interface RunPaths {
  dir: string;
  graph: string;
  metrics: string;
  checkpoint: string;
  progress: string;
  stage: (name: string) => string;
  samples: string;
  student: string;
  /** the teacher a dit teach stage trained (what teacher.checkpoint of another recipe points at) */
  teacher: string;
}

export function runDirName(graph: ExecutionGraph): string {
  const point = graph.recipe.sweepPoint ? '' : '';
  return `${graph.recipe.name}${point}-${graph.hash.replace(/^sha256:/, '').slice(0, 8)}`;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    graph: join(dir, 'graph.json'),
    metrics: join(dir, 'metrics.jsonl'),
    checkpoint: join(dir, 'checkpoint.safetensors'),
    progress: join(dir, 'progress.json'),
    stage: (name) => join(dir, 'stages', `${name}.safetensors`),
    samples: join(dir, 'samples'),
    student: join(dir, 'student.safetensors'),
    teacher: join(dir, 'teacher.safetensors'),
  };
}

export interface Progress {
  done: string[];
}

export function readProgress(p: RunPaths): Progress {
  if (!existsSync(p.progress)) return { done: [] };
  return JSON.parse(readFileSync(p.progress, 'utf8')) as Progress;
}

/** Creates (or, with fresh, recreates) the run directory and records what runs in it. */
export function openRunDir(runsDir: string, graph: ExecutionGraph, opts: { fresh?: boolean; recipeFile?: string; backend?: unknown }): RunPaths {
  const dir = join(runsDir, runDirName(graph));
  if (opts.fresh && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'stages'), { recursive: true });
  mkdirSync(join(dir, 'samples'), { recursive: true });
  const p = runPaths(dir);
  writeJsonAtomic(p.graph, graph);
  if (opts.recipeFile && existsSync(opts.recipeFile)) copyFileSync(opts.recipeFile, join(dir, basename(opts.recipeFile)));
  if (opts.backend) writeJsonAtomic(join(dir, 'backend.json'), opts.backend);
  return p;
}
