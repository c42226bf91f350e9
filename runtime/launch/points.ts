// The points of a sweep as the launchers see them: where each runs, whether it finished (its run
// directory says so, whoever ran it), how far it got, and the sweep's table and plot once they are done.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../common/io.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../formats/atomic.js';
import { linePlot } from '../rundir/plots.js';
import { readProgress, runDirName, runPaths } from '../rundir/rundir.js';

export interface Point {
  /** 0-based: the array task id under --launcher slurm */
  index: number;
  label: string;
  graph: ExecutionGraph;
  /** run directory, relative to the working directory as the user wrote --runs-dir */
  dir: string;
}

export function pointLabel(g: ExecutionGraph, i: number): string {
  const sp = g.recipe.sweepPoint;
  if (!sp) return `point ${i + 1}`;
  const show = (v: unknown): string => {
    if (Array.isArray(v)) return `(${v.map((x) => (typeof x === 'number' ? +x.toFixed(3) : x)).join(', ')})`;
    // a call value such as a guidance, as the recipe writes it: cfg(4.5)
    const call = v as { mode?: unknown; scale?: unknown } | null;
    if (call && typeof call === 'object' && typeof call.mode === 'string' && Object.keys(call).length <= 2)
      return call.scale === undefined ? call.mode : `${call.mode}(${call.scale})`;
    return JSON.stringify(v);
  };
  return Object.values(sp).map(show).join(' ');
}

export function sweepPoints(graphs: ExecutionGraph[], runsDir: string): Point[] {
  return graphs.map((graph, index) => ({ index, label: pointLabel(graph, index), graph, dir: join(runsDir, runDirName(graph)) }));
}

/** Where the table and PNG go (default: <runs-dir>/<sweep>-sweep). */
export function sweepOutDir(graphs: ExecutionGraph[], runsDir: string, out?: string): string {
  return out ?? join(runsDir, graphs[0]!.recipe.name.replace(/\W+/g, '_') + '-sweep');
}

/** The row of an evaluation table this module reads (eval.json of a mixture run). */
interface EvalRow {
  sampler: string;
  steps: number;
  coverage: number;
  precision: number;
  energy: number;
  sliced_w1: number;
}

/** Every stage of the graph finished in its run directory (an engine's own stages, such as the implicit
 * teacher fit, run before the graph's first stage). */
export function isComplete(p: Point): boolean {
  if (!existsSync(p.dir)) return false;
  const done = new Set(readProgress(runPaths(p.dir)).done);
  return p.graph.stages.every((s) => done.has(s.name));
}

/** The exit code a launcher recorded for the point's last attempt (absent: never ran, or was killed). */
export function exitCode(p: Point): number | undefined {
  const f = join(p.dir, 'exit-code');
  if (!existsSync(f)) return undefined;
  const n = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(n) ? n : undefined;
}

export const logPath = (p: Point): string => join(p.dir, 'run.log');

/** "stage sid 16000/48000 images" from the run directory's metrics and progress, or undefined before any. */
export function progressOf(p: Point): string | undefined {
  if (!existsSync(p.dir)) return undefined;
  const stages = p.graph.stages;
  const allDone = readProgress(runPaths(p.dir)).done;
  const done = allDone.filter((d) => stages.some((s) => s.name === d));
  const metrics = join(p.dir, 'metrics.jsonl');
  let last: { stage?: string; images?: number; loss?: Record<string, number> } | undefined;
  if (existsSync(metrics)) {
    const lines = readFileSync(metrics, 'utf8').trim().split('\n').filter(Boolean);
    try {
      last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as typeof last) : undefined;
    } catch {
      last = undefined; // a line being written
    }
  }
  const finished = `${done.length}/${stages.length} stages done`;
  if (!last?.stage || allDone.includes(last.stage)) return done.length ? finished : undefined;
  const length = stages.find((s) => s.name === last!.stage)?.attrs.length_images;
  const loss = last.loss
    ? ' ' +
      Object.entries(last.loss)
        .map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`)
        .join(' ')
    : '';
  return `${finished}; ${last.stage} at ${last.images}${typeof length === 'number' ? `/${length}` : ''} images${loss}`;
}

/** A mixture point: its 4-step student against the true mixture (eval.json). */
export interface MixtureSweepRow {
  point: string;
  run: string;
  coverage: number;
  precision: number;
  energy: number;
  sliced_w1: number;
}

/** An image point: its student at 1 step and at its largest scored step count (eval-images.json of `sidc eval`). */
export interface ImageSweepRow {
  point: string;
  run: string;
  samples: number;
  steps: [number, number];
  fid: [number, number];
  alignment: [number, number];
}

export type SweepRow =
  | MixtureSweepRow
  | ImageSweepRow
  /** a point that did not finish: failed (a non-zero exit), stopped (cancelled, preempted, killed) or never run */
  | { point: string; run: string; failed: true; status?: 'failed' | 'stopped' | 'not run'; log: string };

/** The student rows of `sidc eval` (eval-images.json) as an image point's row: the fewest and the most steps. */
function imageRow(p: Point): ImageSweepRow | undefined {
  const f = join(p.dir, 'eval-images.json');
  if (!existsSync(f)) return undefined;
  const rows = (JSON.parse(readFileSync(f, 'utf8')) as { rows: { sampler: string; steps: number; samples: number; fid: number; alignment: number }[] }).rows
    .filter((r) => r.sampler === 'student')
    .sort((a, b) => a.steps - b.steps);
  const [lo, hi] = [rows[0], rows[rows.length - 1]];
  if (!lo || !hi) return undefined;
  return { point: p.label, run: p.dir, samples: hi.samples, steps: [lo.steps, hi.steps], fid: [lo.fid, hi.fid], alignment: [lo.alignment, hi.alignment] };
}

/** A finished point's row: the 4-step student's row of eval.json (the largest student step count) for a mixture
 * run, the scored student of an image run. */
export function resultRow(p: Point): SweepRow | undefined {
  const f = join(p.dir, 'eval.json');
  if (!existsSync(f)) return imageRow(p);
  const rows = JSON.parse(readFileSync(f, 'utf8')) as EvalRow[];
  const student = rows.filter((r) => r.sampler === 'SiD student').sort((a, b) => b.steps - a.steps)[0];
  return student
    ? { point: p.label, run: p.dir, coverage: student.coverage, precision: student.precision, energy: student.energy, sliced_w1: student.sliced_w1 }
    : undefined;
}

const isImageRow = (r: SweepRow): r is ImageSweepRow => 'fid' in r;
const isMixtureRow = (r: SweepRow): r is MixtureSweepRow => 'coverage' in r;

export function sweepTable(rows: SweepRow[]): string {
  const image = rows.find(isImageRow);
  if (image) {
    const [a, b] = image.steps;
    const line = (r: SweepRow) =>
      isImageRow(r)
        ? `| ${r.point} | ${r.fid[0].toFixed(1)} | ${r.alignment[0].toFixed(3)} | ${r.fid[1].toFixed(1)} | ${r.alignment[1].toFixed(3)} | ${r.run} |`
        : `| ${r.point} | ${'failed' in r ? (r.status ?? 'failed') : 'not scored'} | - | - | - | ${'failed' in r ? `log: ${r.log}` : r.run} |`;
    const head = `| point | FID ${a} step${a > 1 ? 's' : ''} | alignment ${a} | FID ${b} steps | alignment ${b} | run |`;
    return [head, '|:--|--:|--:|--:|--:|:--|', ...rows.map(line)].join('\n') + `\n\n(${image.samples} samples per cell, \`sidc eval RUN --student-only\`)`;
  }
  const line = (r: SweepRow) =>
    isMixtureRow(r)
      ? `| ${r.point} | ${r.coverage.toFixed(3)} | ${r.precision.toFixed(3)} | ${r.energy.toFixed(4)} | ${r.sliced_w1.toFixed(4)} | ${r.run} |`
      : `| ${r.point} | ${'failed' in r ? (r.status ?? 'failed') : 'not scored'} | - | - | - | ${'failed' in r ? `log: ${r.log}` : r.run} |`;
  return ['| point | coverage | precision | energy dist | sliced W1 | run |', '|:--|--:|--:|--:|--:|:--|', ...rows.map(line)].join('\n');
}

/** sweep.md, sweep.json and a plot of the finished points in outDir (coverage-precision.png for mixtures,
 * fid-alignment.png for images); prints the table. */
export function writeSweep(io: CliIO, outDir: string, rows: SweepRow[]): void {
  mkdirSync(outDir, { recursive: true });
  const table = sweepTable(rows);
  writeFileAtomic(join(outDir, 'sweep.md'), table + '\n');
  writeJsonAtomic(join(outDir, 'sweep.json'), rows);
  const images = rows.filter(isImageRow);
  const mixtures = rows.filter(isMixtureRow);
  let plot = 'coverage-precision.png';
  if (images.length) {
    plot = 'fid-alignment.png';
    const steps = images[0]!.steps[1];
    linePlot(
      join(outDir, plot),
      images.map((r) => ({ label: r.point, x: [r.alignment[1]], y: [r.fid[1]] })),
      { title: `students at ${steps} steps: FID vs prompt alignment`, xlabel: 'prompt alignment', ylabel: 'FID', points: true },
    );
  } else if (mixtures.length)
    linePlot(
      join(outDir, plot),
      mixtures.map((r) => ({ label: r.point, x: [r.coverage], y: [r.precision] })),
      { title: 'students: coverage vs precision', xlabel: 'mode coverage', ylabel: 'precision', points: true },
    );
  io.stdout(`\n${table}\nwrote ${join(outDir, 'sweep.md')} and ${plot}\n`);
}
