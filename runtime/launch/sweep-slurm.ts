// sidc sweep-run r.sid --launcher slurm: the sweep as one Slurm job array, one task per point. The
// command is re-entrant: each invocation looks at the queue and at the run directories, then submits
// the points that are neither finished nor queued (all of them the first time), or reports progress,
// or - when every point has finished - writes the same table and plot as a local sweep-run.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { CliIO } from '../../common/io.js';
import { writeFileAtomic, writeJsonAtomic } from '../formats/atomic.js';
import { openRunDir } from '../rundir/rundir.js';
import { exitCode, isComplete, logPath, progressOf, resultRow, writeSweep, type Point, type SweepRow } from './points.js';
import { arrayScript } from './script.js';
import { launchSettings, settingsKey, type LaunchSettings } from './settings.js';
import { queued, requireSlurm, sbatch } from './slurm.js';
import { sidcCommand } from './sidc-bin.js';

export interface SlurmSweepOptions {
  recipeFile: string;
  outDir: string;
  dryRun?: boolean;
  /** report only, never submit */
  status?: boolean;
  /** poll until no point is queued, then write the table */
  wait?: boolean;
  pollSeconds?: number;
  fresh?: boolean;
  plots: boolean;
}

/** Every submission of this sweep: which task id ran which run directory. */
interface JobRecord {
  submissions: { jobId: string; submitted: string; tasks: Record<string, string> }[];
}

type PointState =
  | { kind: 'done' }
  | { kind: 'queued'; state: string; reason: string }
  | { kind: 'failed'; code: number }
  | { kind: 'cancelled' }
  | { kind: 'not run' };

const recordPath = (outDir: string) => join(outDir, 'slurm', 'jobs.json');

function readRecord(outDir: string): JobRecord {
  const f = recordPath(outDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as JobRecord) : { submissions: [] };
}

function sweepSettings(points: Point[]): LaunchSettings {
  const s = launchSettings(points[0]!.graph);
  const other = points.find((p) => settingsKey(launchSettings(p.graph)) !== settingsKey(s));
  if (other)
    throw new UserError(
      `sweep point ${other.index + 1} (${other.label}) has other launcher settings than point 1: one job array has one set of resources; do not sweep launcher.*`,
    );
  return s;
}

function states(points: Point[], record: JobRecord): Map<number, PointState> {
  const byDir = new Map(points.map((p) => [resolve(p.dir), p]));
  const inQueue = new Map<number, { state: string; reason: string }>();
  const jobs = record.submissions.map((s) => s.jobId);
  for (const t of queued(jobs)) {
    const dir = record.submissions.find((s) => s.jobId === t.jobId)?.tasks[String(t.task)];
    const p = dir ? byDir.get(resolve(dir)) : undefined;
    if (p) inQueue.set(p.index, { state: t.state, reason: t.reason });
  }
  const submitted = new Set(record.submissions.flatMap((s) => Object.values(s.tasks).map((d) => resolve(d))));
  const out = new Map<number, PointState>();
  for (const p of points) {
    const q = inQueue.get(p.index);
    const code = exitCode(p);
    out.set(
      p.index,
      isComplete(p)
        ? { kind: 'done' }
        : q
          ? { kind: 'queued', ...q }
          : code !== undefined && code !== 0
            ? { kind: 'failed', code }
            : submitted.has(resolve(p.dir))
              ? { kind: 'cancelled' }
              : { kind: 'not run' },
    );
  }
  return out;
}

function describe(st: PointState): string {
  switch (st.kind) {
    case 'queued':
      return st.state + (st.state === 'PENDING' && st.reason && st.reason !== 'None' ? ` (${st.reason})` : '');
    case 'failed':
      return `FAILED (exit ${st.code})`;
    case 'cancelled':
      return 'STOPPED (cancelled, preempted or killed)';
    case 'not run':
      return 'NOT SUBMITTED';
    default:
      return 'DONE';
  }
}

function printProgress(io: CliIO, points: Point[], st: Map<number, PointState>): void {
  const w = Math.max(...points.map((p) => p.label.length));
  for (const p of points) {
    const s = st.get(p.index)!;
    const prog = s.kind === 'done' ? '' : progressOf(p);
    io.stdout(
      `  ${String(p.index).padStart(2)}  ${p.label.padEnd(w)}  ${describe(s).padEnd(13)}  ` +
        `${p.dir}${prog ? `  ${prog}` : ''}${s.kind === 'failed' || s.kind === 'cancelled' ? `  log ${logPath(p)}` : ''}\n`,
    );
  }
}

function rows(points: Point[], st: Map<number, PointState>): SweepRow[] {
  const status = { failed: 'failed', cancelled: 'stopped', 'not run': 'not run', queued: 'failed', done: 'failed' } as const;
  return points.map(
    (p) =>
      (st.get(p.index)!.kind === 'done' ? resultRow(p) : undefined) ?? {
        point: p.label,
        run: p.dir,
        failed: true as const,
        status: status[st.get(p.index)!.kind],
        log: logPath(p),
      },
  );
}

function script(points: Point[], indices: number[], s: LaunchSettings, o: SlurmSweepOptions): string {
  return arrayScript({
    jobName: `sidc-${points[0]!.graph.recipe.name}`,
    settings: s,
    runDirs: points.map((p) => resolve(p.dir)),
    indices,
    slurmLogDir: resolve(o.outDir, 'slurm', 'logs'),
    workDir: process.cwd(),
    runGraph: [...sidcCommand(), 'run-graph', ...(o.plots ? [] : ['--no-plots'])],
  });
}

function submit(io: CliIO, points: Point[], todo: Point[], s: LaunchSettings, o: SlurmSweepOptions): void {
  for (const p of todo) {
    openRunDir(join(p.dir, '..'), p.graph, { fresh: !!o.fresh, recipeFile: o.recipeFile });
    rmSync(join(p.dir, 'exit-code'), { force: true });
  }
  mkdirSync(join(o.outDir, 'slurm', 'logs'), { recursive: true });
  const text = script(
    points,
    todo.map((p) => p.index),
    s,
    o,
  );
  writeFileAtomic(join(o.outDir, 'slurm', 'sweep.sbatch'), text);
  const jobId = sbatch(text, process.cwd(), s);
  const record = readRecord(o.outDir);
  record.submissions.push({ jobId, submitted: new Date().toISOString(), tasks: Object.fromEntries(todo.map((p) => [String(p.index), p.dir])) });
  writeJsonAtomic(recordPath(o.outDir), record);
  io.stdout(
    `submitted job array ${jobId}: ${todo.length} of ${points.length} points (tasks ${todo.map((p) => p.index).join(',')}); script ${join(o.outDir, 'slurm', 'sweep.sbatch')}\n`,
  );
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** Returns the exit code: 0 when the table is complete or the work is queued, 1 when points failed. */
export async function slurmSweep(io: CliIO, points: Point[], o: SlurmSweepOptions): Promise<number> {
  const s = sweepSettings(points);
  if (o.dryRun) {
    const todo = o.fresh ? points : points.filter((p) => !isComplete(p));
    io.stdout(
      todo.length
        ? script(
            points,
            todo.map((p) => p.index),
            s,
            o,
          )
        : `all ${points.length} points are finished; nothing to submit\n`,
    );
    return 0;
  }
  requireSlurm();
  let submitted = false;
  for (;;) {
    const st = states(points, readRecord(o.outDir));
    const active = points.filter((p) => st.get(p.index)!.kind === 'queued');
    const open = points.filter((p) => st.get(p.index)!.kind !== 'done');
    // points this call saw queued are not submitted again by it when they fail: the next call does that
    if (active.length) submitted = true;
    if (!open.length && !(o.fresh && !submitted)) {
      io.stdout(`all ${points.length} points finished\n`);
      writeSweep(io, o.outDir, rows(points, st));
      return 0;
    }
    if (!active.length && !submitted && !o.status) {
      submit(io, points, o.fresh ? points : open, s, o);
      submitted = true;
      if (o.fresh) o = { ...o, fresh: false };
      continue;
    }
    io.stdout(
      `sweep ${points[0]!.graph.recipe.name}: ${points.length - open.length} of ${points.length} points done (${new Date().toISOString().slice(11, 19)})\n`,
    );
    printProgress(io, points, st);
    if (!active.length) {
      // nothing left in the queue, yet not all done: report the failures, submit again on the next call
      writeSweep(io, o.outDir, rows(points, st));
      io.stdout(`${open.length} point(s) did not finish; run the same command again to submit only those (they resume from their checkpoints)\n`);
      return 1;
    }
    if (!o.wait) {
      io.stdout(`${active.length} point(s) queued or running; run the same command again to see progress and, once all are done, the table\n`);
      return 0;
    }
    await sleep(o.pollSeconds ?? 10);
  }
}
