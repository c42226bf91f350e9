// N local worker processes of the torch engine for one run (docs/distributed.md): each is
// `python -m sidc_torch run ...` with the torchrun / Slurm environment protocol (MASTER_ADDR, MASTER_PORT,
// RANK, WORLD_SIZE, LOCAL_RANK); runtime/torch/sidc_torch/distributed.py joins them into one process group
// (gloo on cpu, nccl on cuda). We start them ourselves rather than through torchrun: Debian's torch 1.13
// torchrun dies on Python 3.11 unless given `--redirects 2 --tee 2`, and a direct start needs nothing.
// Rank 0's stdout is the progress stream; every worker's stderr is passed on once per distinct line.
// When one worker fails or is killed the others are stopped (SIGTERM, then SIGKILL after a grace period);
// rank 0 alone writes checkpoints, atomically, so a rerun resumes from the last complete one.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import type { CliIO } from '../../common/io.js';
import { childEnv } from './launch.js';
import { lines, progressRenderer } from './child-output.js';

export interface WorkersOptions {
  io: CliIO;
  python: string;
  graphFile: string;
  runDir: string;
  /** cpu, or cuda (each worker takes cuda:LOCAL_RANK) */
  device: string;
  world: number;
  verbose?: boolean;
  stopAfterIterations?: number;
  /** seconds between SIGTERM and SIGKILL for the survivors of a failed worker */
  graceSeconds?: number;
  /** tests: the workers' process ids, rank order, once all are started */
  onStart?: (pids: number[]) => void;
  /** after each monitor evaluation rank 0 reports */
  onMonitor?: () => void;
}

/** A free TCP port on this host for rank 0's rendezvous. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The environment of worker `rank` of `world` on this host. */
export function workerEnv(rank: number, world: number, port: number): NodeJS.ProcessEnv {
  return {
    ...childEnv(),
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
    RANK: String(rank),
    WORLD_SIZE: String(world),
    LOCAL_RANK: String(rank),
    LOCAL_WORLD_SIZE: String(world),
  };
}

/** Runs `world` workers to completion; resolves to the run's exit code (0, 1, 2 or 130). */
export async function runTorchWorkers(o: WorkersOptions): Promise<number> {
  const port = await freePort();
  const args = ['-m', 'sidc_torch', 'run', '--graph', o.graphFile, '--run-dir', o.runDir, '--device', o.device];
  if (o.verbose) args.push('--verbose');
  if (o.stopAfterIterations !== undefined) args.push('--stop-after-iterations', String(o.stopAfterIterations));
  // cpu workers share the cores: a torch thread pool of cores / world each, at least 1
  if (o.device === 'cpu') args.push('--threads', String(Math.max(1, Math.floor(cpus().length / o.world))));
  const children: ChildProcess[] = [];
  const said = new Set<string>();
  const errLine = (line: string) => {
    if (line && !said.has(line)) {
      said.add(line);
      o.io.stderr(line + '\n');
    }
  };
  for (let rank = 0; rank < o.world; rank++) {
    const child = spawn(o.python, args, { env: workerEnv(rank, o.world, port), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (rank === 0) lines(child.stdout!, progressRenderer(o.io, o.onMonitor));
    else child.stdout!.resume();
    lines(child.stderr!, errLine);
    children.push(child);
  }
  o.onStart?.(children.map((c) => c.pid ?? -1));
  const alive = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
  const forward = (sig: NodeJS.Signals) => () => alive().forEach((c) => c.kill(sig));
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let first: number | null = null;
  let killer: NodeJS.Timeout | null = null;
  const codes = await Promise.all(
    children.map(
      (child, rank) =>
        new Promise<number>((resolve) => {
          child.on('error', (err) => {
            errLine(`sidc: cannot start ${o.python}: ${err.message}`);
            resolve(2);
          });
          child.on('close', (code, signal) => {
            const c = code ?? (signal === 'SIGINT' ? 130 : 1);
            if (c !== 0 && first === null) {
              first = c;
              if (signal && signal !== 'SIGINT' && signal !== 'SIGTERM')
                errLine(`sidc: worker rank ${rank} of ${o.world} was killed (${signal}); stopping the others`);
              // the survivors would wait for the lost rank in their next collective: stop them
              forward('SIGTERM')();
              killer = setTimeout(forward('SIGKILL'), (o.graceSeconds ?? 10) * 1000);
              killer.unref();
            }
            resolve(c);
          });
        }),
    ),
  );
  if (killer) clearTimeout(killer);
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  if (codes.every((c) => c === 0)) return 0;
  if (codes.every((c) => c === 0 || c === 130)) return 130;
  return first ?? codes.find((c) => c !== 0) ?? 1;
}
