// The monitor's part of the run directory, whichever engine ran it (docs/runtime.md "Monitor"): a stage's
// monitor spec from the graph, the `event: "monitor"` lines of metrics.jsonl, and monitor-<metric>.png drawn
// from them - by the tfjs loop after each evaluation, by the torch launcher as its child reports one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionGraph, StageGraph } from '../../compiler/graph/types.js';
import { linePlot } from './plots.js';

export interface MonitorSpec {
  everyImages: number;
  metrics: string[];
  samples: number;
  steps: number;
  keep: string[];
}

/** The metrics.jsonl line of one evaluation. */
export interface MonitorEvent {
  event: 'monitor';
  stage: string;
  iteration: number;
  images: number;
  steps: number;
  samples: number;
  /** null in the file where a metric was not finite (JSON has no NaN) */
  metrics: Record<string, number>;
  /** snapshots (re)written by this evaluation */
  kept: string[];
  seconds: number;
}

export function monitorSpec(stage: StageGraph): MonitorSpec | null {
  const m = stage.attrs.monitor as { every_images: number; metrics: string[]; samples: number; steps: number; keep: string[] } | undefined;
  if (!m) return null;
  return { everyImages: m.every_images, metrics: m.metrics, samples: m.samples, steps: m.steps, keep: m.keep };
}

/** The monitor of a graph's first monitored stage (the compiler gives every training stage the same one), or null. */
export function graphMonitorSpec(graph: ExecutionGraph): MonitorSpec | null {
  for (const s of graph.stages) {
    const spec = monitorSpec(s);
    if (spec) return spec;
  }
  return null;
}

/** The monitor events of a metrics.jsonl (other lines are skipped). */
export function readMonitorEvents(path: string): MonitorEvent[] {
  if (!existsSync(path)) return [];
  const out: MonitorEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes('"event":"monitor"')) continue;
    try {
      out.push(JSON.parse(line) as MonitorEvent);
    } catch {
      // a line cut by a crash: not an event
    }
  }
  return out;
}

/** monitor-<metric>.png in the run directory: each metric against images, a series per stage. */
export function plotMonitorCurves(runDir: string, metricsPath: string, spec: MonitorSpec): void {
  const events = readMonitorEvents(metricsPath);
  const stages = [...new Set(events.map((e) => e.stage))];
  for (const metric of spec.metrics) {
    const series = stages.map((s) => {
      const es = events.filter((e) => e.stage === s && typeof e.metrics[metric] === 'number');
      return { label: s, x: es.map((e) => e.images), y: es.map((e) => e.metrics[metric]!) };
    });
    linePlot(join(runDir, `monitor-${metric}.png`), series, {
      title: `${metric} during training (${spec.samples} samples, ${spec.steps} steps)`,
      xlabel: 'images',
      ylabel: metric,
      points: true,
    });
  }
}

/** The line both engines print for an evaluation: `monitor sid at 512 images: fid 41.40, alignment 0.8250 (kept best-fid, last)`. */
export function monitorLine(e: Pick<MonitorEvent, 'stage' | 'images' | 'metrics' | 'kept'>): string {
  const m = Object.entries(e.metrics)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(4) : 'NaN'}`)
    .join(', ');
  return `monitor ${e.stage} at ${e.images} images: ${m}${e.kept.length ? ` (kept ${e.kept.join(', ')})` : ''}`;
}
