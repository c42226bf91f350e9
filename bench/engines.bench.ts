// One SiD iteration (docs/algorithm.md §4: fake phase, then generator phase) of the same compiled recipe on
// both engines on this CPU, and the torch engine against plain PyTorch of the same model - the graph
// interpreter's overhead (goal <= 10%). Two cases: the DiT of examples/mnist-sid.sid (batch 8, CFG 4.5) and
// the tiny FLUX family teacher (`sidc make-tiny flux`, the recipe of test/runtime/torch/fixtures/tiny-fp32.sid,
// batch 2, embedded guidance). tfjs: prepareStage + runIteration on wasm (one thread). torch engine and plain
// PyTorch: bench/engines_torch.py, both with torch.set_num_threads(1), their iterations alternating. Medians over
// ENGINES_BENCH_ITERS (default 5) iterations after one warm-up; without torch the torch columns say why they are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { compileFile } from '../compiler/api.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { registerAllGradients } from '../runtime/tfjs/backend/gradients.js';
import { registerWasmFastKernels } from '../runtime/tfjs/backend/wasm-kernels.js';
import { writeTinyFamilyTeacher } from '../runtime/tfjs/families/tiny-teacher.js';
import { runIteration } from '../runtime/tfjs/loop/iteration.js';
import { prepareStage } from '../runtime/tfjs/loop/stage.js';

export const name = 'engines';

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  name: string;
  recipe: string;
  recipeName?: string;
  tiny?: string;
  sets: (teacherDir: string) => string[];
}

const CASES: Case[] = [
  // plain PyTorch keeps every activation, so the engine runs without block recomputation here (the recipe leaves
  // hardware.gradient_checkpointing at its default, true; its cost is the checkpointing bench's)
  { name: 'dit_mnist_sid', recipe: join(repoRoot(), 'examples', 'mnist-sid.sid'), sets: () => ['hardware.gradient_checkpointing=false'] },
  {
    name: 'flux_tiny',
    recipe: join(repoRoot(), 'test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid'),
    recipeName: 'flux_tiny_fp32',
    tiny: 'flux',
    sets: (d) => [`teacher.checkpoint="${d}"`, `data.text=precomputed("${d}")`],
  },
];

function tfjsIterations(graph: ExecutionGraph, iters: number): { wall: number[]; cpu: number[] } {
  const stage = graph.stages.find((s) => s.name === 'sid')!;
  const st = prepareStage(graph, stage, new Map());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i <= iters; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    runIteration(st); // returns after reading the losses and applying Adam on Float32Arrays: synchronous
    const c1 = process.cpuUsage(c0);
    if (i > 0) {
      wall.push((performance.now() - t0) / 1000);
      cpu.push((c1.user + c1.system) / 1e6);
    }
  }
  return { wall, cpu };
}

function torchIterations(graphPath: string, iters: number): Record<string, unknown> {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const script = join(repoRoot(), 'bench', 'engines_torch.py');
  const r = spawnSync(py, [script, '--graph', graphPath, '--iters', String(iters), '--warmup', '1', '--profile'], { env, encoding: 'utf8', timeout: 1800e3 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return { status: 'ok', ...(JSON.parse(line) as Record<string, unknown>) };
  } catch {
    return { status: 'torch unavailable', detail: (r.error?.message ?? r.stderr ?? '').slice(-400) };
  }
}

export async function run(): Promise<Record<string, unknown>> {
  await registerAllGradients();
  await tf.setBackend('wasm');
  registerWasmFastKernels();
  const iters = Number(process.env['ENGINES_BENCH_ITERS'] ?? 5);
  const out: Record<string, unknown> = { iterations: iters, load_average_at_start: os.loadavg()[0] };
  for (const k of CASES) {
    const dir = mkdtempSync(join(tmpdir(), `sidc-bench-engines-${k.name}-`));
    try {
      if (k.tiny) writeTinyFamilyTeacher(k.tiny, join(dir, 'teacher'), { seed: 4 });
      const r = compileFile(k.recipe, { ...(k.recipeName ? { recipe: k.recipeName } : {}), set: k.sets(join(dir, 'teacher')) });
      if (!r.ok) throw new Error(`${k.recipe}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
      const graph = r.graphs[0] as ExecutionGraph;
      const graphPath = join(dir, 'graph.json');
      writeFileSync(graphPath, JSON.stringify(graph));
      const { wall: tfjs, cpu: tfjsCpu } = tfjsIterations(graph, iters);
      const torch = torchIterations(graphPath, iters);
      const ok = torch['status'] === 'ok';
      out[k.name] = {
        tfjs_seconds_per_iteration: median(tfjs),
        torch_engine_seconds_per_iteration: ok ? torch['engine_median'] : null,
        plain_torch_seconds_per_iteration: ok ? torch['plain_median'] : null,
        torch_engine_overhead: ok ? +(torch['overhead'] as number).toFixed(3) : null,
        torch_engine_overhead_cpu_seconds: ok ? +(torch['overhead_cpu'] as number).toFixed(3) : null,
        tfjs_over_torch_engine: ok ? +(median(tfjs) / (torch['engine_median'] as number)).toFixed(2) : null,
        tfjs_cpu_seconds_per_iteration: median(tfjsCpu),
        tfjs_seconds: tfjs,
        torch,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  out['note'] =
    'one thread each (tfjs wasm; torch.set_num_threads(1)); medians after one warm-up. ' +
    'plain torch: the same nets and losses (the generator phase differentiates phi and psi with respect to their input, as the engines do) ' +
    'with torch.randn draws and torch.optim.Adam, no graph interpreter and no Python PRNG, its iterations alternating with the engine iterations; ' +
    'overhead = engine / plain - 1 (wall; _cpu_seconds: by process CPU time, steadier on a loaded machine). ' +
    'The machine is shared: compare numbers from one run.';
  return out;
}
