// Snapshots a run keeps by monitor.keep (docs/runtime.md "Monitor"): snapshots/<name>.safetensors, a student
// file in the format of student.safetensors (what sidc sample / eval load), and snapshots/<name>.json, the
// record of what was kept (stage, image count, metric values); the record also rides in the safetensors
// metadata, so the net file describes itself. Names: `last`, `best-<metric>` for `best(<metric>)`.
// A run is addressed with a snapshot as RUN@<name> (runs/mnist_sid-1a2b3c4d@best-fid).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../common/errors.js';
import { writeJsonAtomic } from '../../formats/atomic.js';
import type { VelocityNet } from '../nets/net.js';
import { saveNet } from './checkpoint.js';

export interface SnapshotRecord {
  name: string;
  /** the monitor.keep rule that kept it: `last` or `best(<metric>)` */
  rule: string;
  stage: string;
  iteration: number;
  images: number;
  /** generation steps and sample count the metrics were measured with */
  steps: number;
  samples: number;
  metrics: Record<string, number>;
}

/** `best(fid)` -> `best-fid`; `last` -> `last`. */
export function snapshotName(rule: string): string {
  const m = /^best\((\w+)\)$/.exec(rule);
  return m ? `best-${m[1]}` : rule;
}

export const snapshotsDir = (runDir: string): string => join(runDir, 'snapshots');
export const snapshotFile = (runDir: string, name: string): string => join(snapshotsDir(runDir), `${name}.safetensors`);

/** Writes the net, then its record (each atomically: a crash leaves the old or the new file). */
export function writeSnapshot(runDir: string, rec: SnapshotRecord, net: VelocityNet): void {
  saveNet(snapshotFile(runDir, rec.name), net, { stage: rec.stage, snapshot: JSON.stringify(rec) });
  writeJsonAtomic(join(snapshotsDir(runDir), `${rec.name}.json`), rec);
}

export function readSnapshotRecords(runDir: string): SnapshotRecord[] {
  const dir = snapshotsDir(runDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && existsSync(join(dir, f.replace(/\.json$/, '.safetensors'))))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SnapshotRecord);
}

export function listSnapshots(runDir: string): string[] {
  const dir = snapshotsDir(runDir);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.safetensors'))
        .map((f) => f.replace(/\.safetensors$/, ''))
        .sort()
    : [];
}

export interface RunRef {
  /** the run directory */
  dir: string;
  /** the snapshot's name, or null for the run's own student */
  snapshot: string | null;
  /** the student file: snapshots/<name>.safetensors, else RUN/student.safetensors (which may not exist yet) */
  student: string;
}

/** RUN or RUN@<snapshot>; a wrong snapshot name is a usage error listing the ones the run has. */
export function resolveRunRef(arg: string): RunRef {
  const at = arg.lastIndexOf('@');
  if (at <= 0 || existsSync(arg)) return { dir: arg, snapshot: null, student: join(arg, 'student.safetensors') };
  const dir = arg.slice(0, at);
  const name = arg.slice(at + 1);
  if (!existsSync(dir)) throw new UserError(`${dir}: no such run directory (sidc run prints the one it makes: runs/<recipe>-<hash8>)`);
  const file = snapshotFile(dir, name);
  if (existsSync(file)) return { dir, snapshot: name, student: file };
  const have = listSnapshots(dir);
  const hint = have.length
    ? `available: ${have.map((s) => `${dir}@${s}`).join(', ')}`
    : "it has none (snapshots are kept by a recipe's `monitor { every = ...; keep = [...] }`, docs/language.md)";
  throw new UserError(`${arg}: run ${dir} has no snapshot '${name}'; ${hint}`);
}
