// The paper's pure-BF16 claim (Section 4, Table 4: eps 1e-4 and lr 1e-5 "to avoid gradient underflow") measured
// with real bf16 (torch's bfloat16 on this CPU) on the torch engine: examples/mnist-sid.sid (the shipped DiT
// teacher, batch 8, CFG 4.5, 4 steps) at six settings - pure bf16 at (lr, eps) in {1e-5, 1e-6} x {1e-8, 1e-4},
// amp at lr 1e-6 eps 1e-8 (the paper's AMP recipes) and fp32 at lr 1e-5. Each run goes through the ordinary
// compile -> run directory -> sidc_torch.runner.run_graph path (bench/bf16_torch.py wraps it to look at G after
// every iteration and to read each checkpoint back; nothing in the engine changes) and reports:
// - the fraction of G's stored parameters that changed in each step and since the start;
// - G's gradient entries that were exactly zero, the non-finite ones the engine sanitized per phase (with the
//   engine's own cumulative `nonfinite_grads` / `dropped_nan_samples` of metrics.jsonl), non-finite weights;
// - from the checkpoints: the share of G's weights whose Adam denominator sqrt(v / (1 - beta2^t)) is below
//   1e-4, i.e. where eps 1e-4 instead of 1e-8 changes the update at all;
// - the losses (means per monitor interval; per iteration in the JSON and the PNGs);
// - the student's 1-step FID / prompt alignment during training (the monitor, `monitor.steps = 1`: the
//   undistilled teacher copy is poor at one step, so it moves as soon as G learns) and, after the run, 1 and
//   4 steps as `sidc eval RUN --student-only --per-class SAMPLES/10 --seed 1` scores them; the same for the
//   undistilled teacher copy (`--student examples/teachers/dit-mnist.safetensors`) as the start;
// - emulated against real bf16 on the same graph: the first steps of two settings on the tfjs engine
//   (prepareStage + runIteration), G's changed fractions beside torch's.
// Heavy: `npm run bench -- bf16-torch`. Prints markdown tables on stderr, returns everything as JSON, and
// draws runs/bench-bf16-torch/{changed,generator-loss,fake-loss,fid-1step}.png.
//   SIDC_BF16_TORCH_IMAGES=1024     images per run          SIDC_BF16_TORCH_SAMPLES=200   monitor / eval samples
//   SIDC_BF16_TORCH_EVERY=256       monitor interval        SIDC_BF16_TORCH_ONLY=bf16-lr1e-5-eps1e-8,...  a subset
//   SIDC_BF16_TORCH_THREADS=1       torch threads           SIDC_BF16_TORCH_TFJS_STEPS=3  tfjs steps (0: none)
//   SIDC_BF16_TORCH_TFJS=bf16-lr1e-5-eps1e-8,bf16-lr1e-5-eps1e-4  the settings also run on tfjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../compiler/api.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { loadMnist } from '../runtime/data/mnist.js';
import { linePlotPng } from '../runtime/plot/index.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { loadClassifier } from '../runtime/scoring/classifier.js';
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { evaluateImageRun } from '../runtime/tfjs/evaluation/image.js';
import { runIteration } from '../runtime/tfjs/loop/iteration.js';
import { disposeStage, prepareStage } from '../runtime/tfjs/loop/stage.js';
import { childEnv, findTorchPython } from '../runtime/torch/launch.js';

export const name = 'bf16-torch';
/** Not part of a plain `npm run bench`: six short trainings, ~20 CPU-minutes. */
export const heavy = true;

interface Setting {
  id: string;
  policy: 'bf16' | 'amp' | 'fp32';
  lr: number;
  eps: number;
}

const SETTINGS: Setting[] = [
  { id: 'bf16-lr1e-5-eps1e-8', policy: 'bf16', lr: 1e-5, eps: 1e-8 },
  { id: 'bf16-lr1e-5-eps1e-4', policy: 'bf16', lr: 1e-5, eps: 1e-4 },
  { id: 'bf16-lr1e-6-eps1e-8', policy: 'bf16', lr: 1e-6, eps: 1e-8 },
  { id: 'bf16-lr1e-6-eps1e-4', policy: 'bf16', lr: 1e-6, eps: 1e-4 },
  { id: 'amp-lr1e-6-eps1e-8', policy: 'amp', lr: 1e-6, eps: 1e-8 },
  { id: 'fp32-lr1e-5-eps1e-8', policy: 'fp32', lr: 1e-5, eps: 1e-8 },
];

const TEACHER = 'examples/teachers/dit-mnist.safetensors';

interface GradCounts {
  entries: number;
  zero: number;
  nonfinite: number;
}
interface Step {
  iteration: number;
  images: number;
  losses: Record<string, number>;
  changed: number;
  changed_since_start: number;
  nonfinite_weights: number;
  grads: Record<string, GradCounts>;
}
interface CheckpointStats {
  images: number;
  G_matches: boolean;
  adam_steps: number;
  sqrt_vhat_below: Record<string, number>;
  sqrt_vhat_median: number;
  m_zero: number;
}
interface Driver {
  completed: boolean;
  params: number;
  per_step: Step[];
  checkpoints: CheckpointStats[];
  cpu_seconds: number;
  wall_seconds: number;
  threads: number;
  student_file_matches: boolean;
}
interface MetricsLine {
  event?: string;
  images: number;
  loss?: Record<string, number>;
  nonfinite_grads?: number;
  dropped_nan_samples?: number;
  metrics?: Record<string, number | null>;
}
interface Scored {
  steps: number;
  fid: number;
  alignment: number;
}
interface Row {
  id: string;
  policy: string;
  lr: number;
  eps: number;
  images: number;
  iterations: number;
  params: number;
  changed_per_step_percent: { first: number; mean: number; mean_last_window: number; min: number; max: number };
  changed_since_start_percent: number;
  G_grad_zero_percent: number;
  nonfinite_grads: { G: number; psi: number };
  metrics_jsonl: { nonfinite_grads: number | null; dropped_nan_samples: number | null };
  nonfinite_weights_at_end: number;
  checkpoints: { images: number; sqrt_vhat_below_1e4_percent: number; sqrt_vhat_below_1e8_percent: number; sqrt_vhat_median: number }[];
  loss_windows: { iterations_per_window: number; generator: number[]; fake: number[] };
  monitor_1step: { images: number; fid: number | null; alignment: number | null }[];
  eval: Scored[];
  /** the first steps of the same graph: torch (real bf16) and the tfjs engine (emulated) */
  first_steps: { steps: number; torch_changed_percent: number[]; tfjs_changed_percent: number[]; torch_since_percent: number; tfjs_since_percent: number };
  tfjs_cpu_seconds: number;
  student_file_matches: boolean;
  checkpoints_match: boolean;
  cpu_seconds: number;
  wall_seconds: number;
  eval_seconds: number;
  run_dir: string;
}

const pct = (x: number, d = 2): number => +(100 * x).toFixed(d);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const label = (r: { policy: string; lr: number; eps: number }): string => `${r.policy} lr ${r.lr.toExponential()} eps ${r.eps.toExponential()}`;
const fmt = (x: number | null | undefined, d: number): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const mdTable = (columns: string[], body: string[][]): string =>
  [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');

/** The same graph's first `n` iterations on the tfjs engine (bf16 emulated): G's changed fractions per step. */
function tfjsSteps(graph: ExecutionGraph, n: number): { changed: number[]; since: number[]; cpu_seconds: number } {
  const c0 = process.cpuUsage();
  const st = prepareStage(graph, graph.stages.find((x) => x.kind === 'sid')!, new Map());
  const G = st.nets.get('G')!.net as unknown as { params: Map<string, { dataSync(): ArrayLike<number> }> };
  const read = (): Float32Array => Float32Array.from([...G.params.values()].flatMap((v) => Array.from(v.dataSync())));
  const first = read();
  let prev = first;
  const changed: number[] = [];
  const since: number[] = [];
  for (let i = 0; i < n; i++) {
    runIteration(st);
    const now = read();
    let a = 0;
    let b = 0;
    for (let j = 0; j < now.length; j++) {
      if (now[j] !== prev[j]) a++; // as torch's != (NaN counts as changed)
      if (now[j] !== first[j]) b++;
    }
    changed.push(a / now.length);
    since.push(b / now.length);
    prev = now;
  }
  disposeStage(st);
  const c = process.cpuUsage(c0);
  return { changed, since, cpu_seconds: (c.user + c.system) / 1e6 };
}

export async function run(): Promise<Record<string, unknown>> {
  const images = Number(process.env.SIDC_BF16_TORCH_IMAGES ?? 1024);
  const samples = Number(process.env.SIDC_BF16_TORCH_SAMPLES ?? 200);
  const every = Number(process.env.SIDC_BF16_TORCH_EVERY ?? 256);
  const threads = Number(process.env.SIDC_BF16_TORCH_THREADS ?? 1);
  // the tfjs engine's emulated bf16 costs ~40 CPU-s per DiT iteration here: a few steps of two settings
  const tfjsN = Number(process.env.SIDC_BF16_TORCH_TFJS_STEPS ?? 3);
  const tfjsOn = (process.env.SIDC_BF16_TORCH_TFJS ?? 'bf16-lr1e-5-eps1e-8,bf16-lr1e-5-eps1e-4').split(',').filter(Boolean);
  const only = (process.env.SIDC_BF16_TORCH_ONLY ?? '').split(',').filter(Boolean);
  const settings = SETTINGS.filter((s) => !only.length || only.includes(s.id));
  const load = os.loadavg()[0];
  const probe = findTorchPython();
  if (!probe.found) return { status: 'torch unavailable', tried: probe.tried };
  const py = probe.found.python;
  const recipe = 'examples/mnist-sid.sid';
  const runsDir = 'runs/bench-bf16-torch';
  mkdirSync(runsDir, { recursive: true });
  const window = Math.max(1, Math.round(every / 8)); // iterations per loss window (batch 8)

  // the scorer of `sidc eval` (tfjs, fp32): the eval classifier, the held-out digits, noise seed 1
  const backend = await initBackend({ prefer: 'wasm' });
  const classifier = loadClassifier('examples/eval/mnist-classifier.safetensors');
  const real = loadMnist({ split: 'heldout' });
  const perClass = Math.max(1, Math.floor(samples / 10));
  const score = (dir: string, graph: ExecutionGraph, student?: string): Scored[] =>
    evaluateImageRun(dir, graph, {
      teacherSteps: [],
      studentSteps: [1, 4],
      cfg: 4.5,
      perClass,
      seed: 1,
      classifier,
      real,
      ...(student ? { student } : {}),
    }).map((r) => ({ steps: r.steps, fid: r.fid, alignment: r.alignment }));

  const rows: Row[] = [];
  let start: Scored[] = [];
  const curves: { id: string; steps: Step[]; monitor: MetricsLine[] }[] = [];
  for (const s of settings) {
    const set = [
      `precision.policy=${s.policy}`,
      `optimizer.lr=${s.lr}`,
      `optimizer.eps=${s.eps}`,
      ...(s.policy === 'bf16' && s.eps < 1e-6 ? ['precision.allow_small_eps=true'] : []), // SID3003 otherwise
      `train.length=${images} images`,
      'train.log_every=8 images', // one metrics line per iteration: the loss curves and the engine's counters
      `train.sample_every=${images} images`,
      `train.checkpoint_every=${every} images`,
      `monitor.every=${every} images`,
      `monitor.samples=${samples}`,
      'monitor.steps=1',
    ];
    const compiled = compileFile(recipe, { set });
    if (!compiled.ok) throw new Error(`${recipe} does not compile with ${set.join(', ')}: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
    const graph = compiled.graphs[0]!;
    const paths = openRunDir(runsDir, graph, {
      fresh: true,
      recipeFile: recipe,
      backend: { engine: 'torch', python: py, torch: probe.found.torch, devices: probe.found.devices },
    });
    const outFile = join(paths.dir, 'bf16-steps.json');
    process.stderr.write(`bf16-torch: ${s.id} in ${paths.dir} ...\n`);
    const r = spawnSync(py, ['bench/bf16_torch.py', paths.graph, paths.dir, outFile, '--threads', String(threads)], {
      env: { ...childEnv(), OMP_NUM_THREADS: String(threads) },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0 || !existsSync(outFile))
      throw new Error(`bf16-torch: ${s.id}: the torch run failed (exit ${r.status}): ${(r.stderr ?? '').slice(-800)}`);
    const d = JSON.parse(readFileSync(outFile, 'utf8')) as Driver;
    const lines = readFileSync(paths.metrics, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as MetricsLine);
    const intervals = lines.filter((l) => !l.event && l.loss);
    const monitor = lines.filter((l) => l.event === 'monitor');
    const lastLine = intervals[intervals.length - 1];
    const steps = d.per_step;
    const grad = (net: string, k: keyof GradCounts): number => sum(steps.map((st) => st.grads[net]?.[k] ?? 0));
    const lossWindows = (key: string): number[] => {
      const out: number[] = [];
      for (let i = 0; i < steps.length; i += window) out.push(+mean(steps.slice(i, i + window).map((st) => st.losses[key] ?? Number.NaN)).toFixed(2));
      return out;
    };
    const em = tfjsN > 0 && tfjsOn.includes(s.id) ? tfjsSteps(graph, tfjsN) : { changed: [], since: [], cpu_seconds: 0 };
    const e0 = performance.now();
    if (!start.length) start = score(paths.dir, graph, TEACHER); // the undistilled copy G starts as
    const scored = score(paths.dir, graph);
    rows.push({
      id: s.id,
      policy: s.policy,
      lr: s.lr,
      eps: s.eps,
      images: steps[steps.length - 1]?.images ?? 0,
      iterations: steps.length,
      params: d.params,
      changed_per_step_percent: {
        first: pct(steps[0]?.changed ?? 0),
        mean: pct(mean(steps.map((st) => st.changed))),
        mean_last_window: pct(mean(steps.slice(-window).map((st) => st.changed))),
        min: pct(Math.min(...steps.map((st) => st.changed))),
        max: pct(Math.max(...steps.map((st) => st.changed))),
      },
      changed_since_start_percent: pct(steps[steps.length - 1]?.changed_since_start ?? 0),
      G_grad_zero_percent: pct(grad('G', 'zero') / Math.max(1, grad('G', 'entries')), 4),
      nonfinite_grads: { G: grad('G', 'nonfinite'), psi: grad('psi', 'nonfinite') },
      metrics_jsonl: { nonfinite_grads: lastLine?.nonfinite_grads ?? null, dropped_nan_samples: lastLine?.dropped_nan_samples ?? null },
      nonfinite_weights_at_end: steps[steps.length - 1]?.nonfinite_weights ?? 0,
      checkpoints: d.checkpoints.map((c) => ({
        images: c.images,
        sqrt_vhat_below_1e4_percent: pct(c.sqrt_vhat_below['1e-4'] ?? Number.NaN),
        sqrt_vhat_below_1e8_percent: pct(c.sqrt_vhat_below['1e-8'] ?? Number.NaN, 4),
        sqrt_vhat_median: +c.sqrt_vhat_median.toPrecision(3),
      })),
      loss_windows: { iterations_per_window: window, generator: lossWindows('generator'), fake: lossWindows('fake') },
      monitor_1step: monitor.map((m) => ({ images: m.images, fid: m.metrics?.fid ?? null, alignment: m.metrics?.alignment ?? null })),
      eval: scored,
      first_steps: {
        steps: em.changed.length,
        torch_changed_percent: steps.slice(0, em.changed.length).map((st) => pct(st.changed)),
        tfjs_changed_percent: em.changed.map((x) => pct(x)),
        torch_since_percent: pct(steps[em.changed.length - 1]?.changed_since_start ?? Number.NaN),
        tfjs_since_percent: pct(em.since[em.since.length - 1] ?? Number.NaN),
      },
      tfjs_cpu_seconds: +em.cpu_seconds.toFixed(1),
      student_file_matches: d.student_file_matches,
      checkpoints_match: d.checkpoints.length > 0 && d.checkpoints.every((c) => c.G_matches),
      cpu_seconds: +d.cpu_seconds.toFixed(1),
      wall_seconds: +d.wall_seconds.toFixed(1),
      eval_seconds: +((performance.now() - e0) / 1000).toFixed(1),
      run_dir: paths.dir,
    });
    curves.push({ id: s.id, steps, monitor });
    process.stderr.write(`bf16-torch: ${JSON.stringify(rows[rows.length - 1])}\n`);
  }

  // the tables the README quotes
  const at = (xs: Scored[], k: number): Scored | undefined => xs.find((x) => x.steps === k);
  const updates = mdTable(
    [
      'setting',
      `% of G's weights changed per step: first / mean / last ${window} steps`,
      '% changed since start',
      '% of G grads exactly 0',
      'non-finite grads G / psi (metrics.jsonl total; dropped NaN samples)',
      `% of G with sqrt(v_hat) < 1e-4 at ${d3(rows[0]?.checkpoints.map((c) => c.images))} images`,
      'CPU s (run + monitor)',
    ],
    rows.map((r) => {
      const c = r.changed_per_step_percent;
      return [
        label(r),
        `${fmt(c.first, 2)} / ${fmt(c.mean, 2)} / ${fmt(c.mean_last_window, 2)}`,
        fmt(r.changed_since_start_percent, 2),
        fmt(r.G_grad_zero_percent, 4),
        `${r.nonfinite_grads.G} / ${r.nonfinite_grads.psi} (${r.metrics_jsonl.nonfinite_grads}; ${r.metrics_jsonl.dropped_nan_samples})`,
        r.checkpoints.map((k) => fmt(k.sqrt_vhat_below_1e4_percent, 2)).join(' / '),
        fmt(r.cpu_seconds, 0),
      ];
    }),
  );
  const quality = mdTable(
    [
      'setting',
      `1-step FID during training (${d3(rows[0]?.monitor_1step.map((m) => m.images))} images)`,
      '1-step alignment',
      `after ${images} images: 1-step FID / alignment`,
      '4-step FID / alignment',
    ],
    [
      [
        'start: the undistilled teacher copy',
        '-',
        '-',
        `${fmt(at(start, 1)?.fid, 2)} / ${fmt(at(start, 1)?.alignment, 3)}`,
        `${fmt(at(start, 4)?.fid, 2)} / ${fmt(at(start, 4)?.alignment, 3)}`,
      ],
      ...rows.map((r) => [
        label(r),
        r.monitor_1step.map((m) => fmt(m.fid, 2)).join(' > '),
        r.monitor_1step.map((m) => fmt(m.alignment, 3)).join(' > '),
        `${fmt(at(r.eval, 1)?.fid, 2)} / ${fmt(at(r.eval, 1)?.alignment, 3)}`,
        `${fmt(at(r.eval, 4)?.fid, 2)} / ${fmt(at(r.eval, 4)?.alignment, 3)}`,
      ]),
    ],
  );
  const losses = mdTable(
    ['setting', `generator loss, mean per ${window} iterations`, `fake loss, mean per ${window} iterations`],
    rows.map((r) => [label(r), r.loss_windows.generator.join(' > '), r.loss_windows.fake.join(' > ')]),
  );
  const engines = mdTable(
    ['setting', `% of G's weights changed in steps 1-${tfjsN}: torch (real bf16)`, 'tfjs (emulated)', `% changed since start after ${tfjsN}: torch / tfjs`],
    rows
      .filter((r) => r.first_steps.steps > 0)
      .map((r) => [
        label(r),
        r.first_steps.torch_changed_percent.map((x) => fmt(x, 2)).join(', '),
        r.first_steps.tfjs_changed_percent.map((x) => fmt(x, 2)).join(', '),
        `${fmt(r.first_steps.torch_since_percent, 2)} / ${fmt(r.first_steps.tfjs_since_percent, 2)}`,
      ]),
  );
  const md = `${updates}\n\n${quality}\n\n${losses}\n\n${engines}\n`;
  process.stderr.write(`\n${md}\n`);

  // the curves, one series per setting
  const series = (f: (st: Step) => number) => curves.map((c) => ({ label: c.id, x: c.steps.map((st) => st.images), y: c.steps.map(f) }));
  const smooth = (key: string) =>
    curves.map((c) => {
      const y = c.steps.map((_, i) => mean(c.steps.slice(Math.max(0, i - 7), i + 1).map((st) => st.losses[key] ?? Number.NaN)));
      return { label: c.id, x: c.steps.map((st) => st.images), y };
    });
  const plots = {
    changed: join(runsDir, 'changed.png'),
    generator_loss: join(runsDir, 'generator-loss.png'),
    fake_loss: join(runsDir, 'fake-loss.png'),
    fid_1step: join(runsDir, 'fid-1step.png'),
  };
  const common = { xlabel: 'images', width: 900 };
  linePlotPng(plots.changed, { ...common, series: series((st) => 100 * st.changed), logy: true, ylabel: "% of G's weights changed in the step" });
  linePlotPng(plots.generator_loss, { ...common, series: smooth('generator'), ylabel: 'generator loss (mean of 8 iterations)' });
  linePlotPng(plots.fake_loss, { ...common, series: smooth('fake'), ylabel: 'fake loss (mean of 8 iterations)' });
  linePlotPng(plots.fid_1step, {
    ...common,
    series: curves.map((c) => ({ label: c.id, x: c.monitor.map((m) => m.images), y: c.monitor.map((m) => m.metrics?.fid ?? Number.NaN), markers: true })),
    ylabel: `1-step FID (${samples} samples)`,
  });

  return {
    recipe,
    images,
    monitor: { every_images: every, samples, steps: 1 },
    threads,
    torch: probe.found.torch,
    python: py,
    eval_backend: backend.name,
    load_average_at_start: load,
    start,
    rows,
    table: md,
    plots,
    per_step: Object.fromEntries(
      curves.map((c) => [c.id, c.steps.map((st) => ({ images: st.images, changed: st.changed, since: st.changed_since_start, losses: st.losses }))]),
    ),
  };
}

/** "256, 512, 768" */
function d3(xs: number[] | undefined): string {
  return (xs ?? []).join(', ');
}
