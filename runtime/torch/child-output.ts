// What the torch engine's child prints on stdout: one JSON event per line (docs/engines.md, "The torch
// child's stdout"), rendered like the tfjs engine's progress; a line that is not JSON is passed on as it is.
// Shared by the one-process launcher (launch.ts) and the N-worker launcher (workers.ts, rank 0's stream).
import type { CliIO } from '../../common/io.js';
import { monitorLine } from '../rundir/monitor-events.js';
import { Progress } from '../rundir/progress.js';

export interface EngineEvent {
  event: string;
  stage?: string;
  images?: number;
  total?: number;
  losses?: Record<string, number>;
  final?: boolean;
  message?: string;
  table?: string;
  completed?: boolean;
  /** monitor events (an evaluation during training; its full line is in metrics.jsonl) */
  metrics?: Record<string, number>;
  kept?: string[];
}

/** `onMonitor` runs after each evaluation the child reports (the launcher redraws monitor-<metric>.png). */
export function progressRenderer(io: CliIO, onMonitor?: () => void): (line: string) => void {
  const bars = new Map<string, Progress>();
  return (line) => {
    let e: EngineEvent;
    try {
      e = JSON.parse(line) as EngineEvent;
    } catch {
      io.stdout(line + '\n');
      return;
    }
    if (e.event === 'progress' && e.stage) {
      let bar = bars.get(e.stage);
      if (!bar) bars.set(e.stage, (bar = new Progress(io, e.stage, e.total ?? 0)));
      bar.update(
        e.images ?? 0,
        Object.entries(e.losses ?? {})
          .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
          .join(' '),
      );
      if (e.final) bar.done();
    } else if (e.event === 'log' && e.message) io.stdout(`${e.message}\n`);
    else if (e.event === 'eval' && e.table) io.stdout(`${e.table}\n`);
    else if (e.event === 'monitor' && e.stage) {
      io.stdout(`${monitorLine({ stage: e.stage, images: e.images ?? 0, metrics: e.metrics ?? {}, kept: e.kept ?? [] })}\n`);
      onMonitor?.();
    }
  };
}

export function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      each(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => buf && each(buf));
}
