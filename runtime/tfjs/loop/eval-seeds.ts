// The evaluate stage of a finished vector (gmm / mlp) run, repeated over evaluation seeds: the same teacher
// and student, other noise for the samplers and other true-mixture draws for the metrics. What one table
// cannot show - whether a gap between two rows is larger than the evaluation's own noise - shows here as
// mean, standard deviation and range over seeds. Seed s draws the samplers' noise from Rng.derive(s,
// "stage:<evaluate stage>") and the metrics' reference from seed 12345 + (s - train.seed), so s = train.seed
// reproduces the table the run printed.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../../../common/errors.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import type { VelocityNet } from '../nets/net.js';
import { disposeStage, prepareStage, stageSeed } from './stage.js';
import { evaluateStage, type EvalRow } from '../evaluation/mixture.js';
import { isVectorFamily, teacherFamily } from './teacher-spec.js';
import { Rng } from '../../rng/prng.js';
import { loadNet } from './checkpoint.js';
import { readProgress, runPaths } from '../../rundir/rundir.js';
import { stageOrder } from './runner.js';

export const METRICS = ['energy', 'sliced_w1', 'coverage', 'precision'] as const;
export type MetricName = (typeof METRICS)[number];

export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export interface SeedRow {
  sampler: string;
  steps: number;
  metrics: Record<MetricName, Spread>;
}

export function spreadOf(xs: number[]): Spread {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** Reruns RUN's evaluate stage once per seed; rows[i] aggregates sampler i over the seeds. */
export function evaluateOverSeeds(run: string, seeds: number[], log: (s: string) => void = () => {}): { rows: SeedRow[]; perSeed: EvalRow[][] } {
  const paths = runPaths(run);
  if (!existsSync(paths.graph)) throw new UserError(`${run}: no graph.json - not a run directory (runs/<recipe>-<hash8>, made by sidc run)`);
  const graph = JSON.parse(readFileSync(paths.graph, 'utf8')) as ExecutionGraph;
  if (!isVectorFamily(teacherFamily(graph))) throw new UserError(`${run}: --seeds repeats the evaluate stage of vector (gmm, mlp) runs`);
  const order = stageOrder(graph);
  const evaluate = order.find((s) => s.kind === 'evaluate');
  if (!evaluate) throw new UserError(`${run}: the recipe has no evaluate stage`);
  const done = readProgress(paths).done;
  const products = new Map<string, VelocityNet>();
  try {
    for (const s of order) {
      if (s === evaluate) break;
      if (!done.includes(s.name)) throw new UserError(`${run}: stage ${s.name} has not finished (rerun sidc run first)`);
      if (existsSync(paths.stage(s.name))) products.set(s.name, loadNet(paths.stage(s.name), graph));
    }
    const base = stageSeed(graph, evaluate);
    const perSeed: EvalRow[][] = [];
    for (const seed of seeds) {
      const st = prepareStage(graph, evaluate, products);
      st.rng = Rng.derive(seed, `stage:${evaluate.name}`);
      try {
        perSeed.push(evaluateStage(st, undefined, 12345 + (seed - base)).rows);
      } finally {
        disposeStage(st);
      }
      log(`seed ${seed} done\n`);
    }
    const rows = perSeed[0]!.map((r, i) => ({
      sampler: r.sampler,
      steps: r.steps,
      metrics: Object.fromEntries(METRICS.map((m) => [m, spreadOf(perSeed.map((rs) => rs[i]![m]))])) as Record<MetricName, Spread>,
    }));
    return { rows, perSeed };
  } finally {
    for (const p of products.values()) p.dispose();
  }
}

/** Markdown table: mean ± sd [min, max] per metric. */
export function formatSeedTable(rows: SeedRow[], seeds: number[]): string {
  const cell = (s: Spread, digits: number) => `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} [${s.min.toFixed(digits)}, ${s.max.toFixed(digits)}]`;
  const head = `| sampler | steps | energy dist | sliced W1 | coverage | precision |\n|:--|--:|--:|--:|--:|--:|`;
  const body = rows.map(
    (r) =>
      `| ${r.sampler} | ${r.steps === 0 ? '-' : r.steps} | ${cell(r.metrics.energy, 4)} | ${cell(r.metrics.sliced_w1, 3)} | ${cell(r.metrics.coverage, 3)} | ${cell(r.metrics.precision, 3)} |`,
  );
  return [`evaluation seeds ${seeds.join(', ')}: mean ± sd [min, max]`, head, ...body].join('\n');
}
