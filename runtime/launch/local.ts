// --launcher local --parallel N: the sweep's points as N concurrent processes on this machine, each
// `sidc run-graph` of its point's graph.json with its output in <run dir>/run.log. (N = 1 without
// --parallel runs the points in this process instead: cli/sweep-run.ts.)
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../common/io.js';
import { writeFileAtomic } from '../formats/atomic.js';
import { logPath, type Point } from './points.js';
import { sidcCommand } from './sidc-bin.js';

export interface LocalOptions {
  parallel: number;
  plots: boolean;
  backend?: string;
  /** tfjs | torch for every point (default: each graph's hardware.engine) */
  engine?: string;
}

function runOne(p: Point, o: LocalOptions): Promise<number> {
  const log = openSync(logPath(p), 'a');
  const args = [
    ...sidcCommand().slice(1),
    'run-graph',
    join(p.dir, 'graph.json'),
    ...(o.plots ? [] : ['--no-plots']),
    ...(o.backend ? ['--backend', o.backend] : []),
    ...(o.engine ? ['--engine', o.engine] : []),
  ];
  const child = spawn(sidcCommand()[0]!, args, { stdio: ['ignore', log, log] });
  return new Promise((resolve) => {
    const done = (code: number) => {
      closeSync(log);
      writeFileAtomic(join(p.dir, 'exit-code'), `${code}\n`);
      resolve(code);
    };
    child.on('error', () => done(127));
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** Runs the points, at most `parallel` at a time; returns each point's exit code by index. */
export async function runPointsLocally(io: CliIO, points: Point[], o: LocalOptions): Promise<Map<number, number>> {
  const codes = new Map<number, number>();
  const queue = [...points];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      io.stdout(`point ${p.index + 1}/${points.length} ${p.label}: started in ${p.dir} (log ${logPath(p)})\n`);
      const t0 = performance.now();
      const code = await runOne(p, o);
      codes.set(p.index, code);
      io.stdout(
        `point ${p.index + 1}/${points.length} ${p.label}: ${code === 0 ? 'done' : `failed (exit ${code}, log ${logPath(p)})`} after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, points.length) }, worker));
  return codes;
}
