// Slurm's client tools, called as a user would: sbatch to submit, squeue to see the queue, scancel.
// No scheduler of our own: which task runs where and when is Slurm's business.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { LaunchSettings } from './settings.js';

/** The executable `tool` found on PATH, or undefined. */
export function onPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Fails with one line when Slurm's tools are missing. */
export function requireSlurm(): void {
  if (!onPath('sbatch'))
    throw new UserError(
      "sbatch is not on PATH: --launcher slurm submits through a Slurm cluster's tools; on this machine use --launcher local (sidc sweep-run ... --launcher local --parallel N)",
    );
}

/** Which launcher setting an sbatch error is about, by the words Slurm uses. */
const CULPRITS: readonly [RegExp, string][] = [
  [/account|association/i, 'account'],
  [/partition/i, 'partition'],
  [/qos/i, 'qos'],
  [/time limit|time specification|--time/i, 'time'],
  [/gres|gpu/i, 'gpus_per_node'],
  [/memory|--mem/i, 'memory'],
  [/node count|nodes|node configuration/i, 'nodes'],
  [/cpus?[- ]per[- ]task|cpu count/i, 'cpus_per_task'],
];

/** sbatch's message verbatim, then the recipe location of the setting it is about. */
export function sbatchFailure(message: string, s: LaunchSettings): string {
  const hit = CULPRITS.find(([re]) => re.test(message));
  const lines = [
    `sbatch rejected the job:`,
    ...message
      .trim()
      .split('\n')
      .map((l) => `  ${l}`),
  ];
  if (hit) {
    const key = hit[1];
    const where = s.from[key];
    lines.push(
      where
        ? `the setting: launcher.${key} at ${where}`
        : `the setting: launcher.${key} (not set in the recipe; set it in its launcher section or with --set launcher.${key}=...)`,
    );
  } else if (Object.keys(s.from).length) {
    lines.push(
      `launcher settings: ${Object.entries(s.from)
        .map(([k, w]) => `launcher.${k} at ${w}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

export class SbatchRejected extends UserError {}

/** Submits a script (text on stdin); returns the job id. */
export function sbatch(script: string, cwd: string, s: LaunchSettings): string {
  const r = spawnSync('sbatch', ['--parsable'], { input: script, cwd, encoding: 'utf8' });
  if (r.error) throw new UserError(`cannot start sbatch: ${r.error.message}`);
  if (r.status !== 0) throw new SbatchRejected(sbatchFailure(r.stderr || r.stdout || `sbatch exited with ${r.status}`, s), 1);
  const id = r.stdout.trim().split(';')[0]!;
  if (!/^\d+$/.test(id)) throw new UserError(`sbatch printed no job id: ${r.stdout.trim()}`);
  return id;
}

export interface QueuedTask {
  jobId: string;
  /** array task id, or undefined for a job that is not an array */
  task?: number;
  state: string;
  reason: string;
}

/** The queue's current tasks of the given jobs (array tasks one by one); finished tasks are gone from it. */
export function queued(jobIds: string[]): QueuedTask[] {
  if (!jobIds.length) return [];
  const r = spawnSync('squeue', ['-h', '-r', '-o', '%F|%K|%T|%r'], { encoding: 'utf8' });
  if (r.status !== 0) throw new UserError(`squeue failed: ${(r.stderr || r.stdout).trim()}`);
  const want = new Set(jobIds);
  const out: QueuedTask[] = [];
  for (const line of r.stdout.split('\n')) {
    const [jobId, task, state, reason] = line.trim().split('|');
    if (!jobId || !want.has(jobId)) continue;
    const t = Number(task);
    out.push({ jobId, ...(task && /^\d+$/.test(task) ? { task: t } : {}), state: state ?? '?', reason: reason ?? '' });
  }
  return out;
}
