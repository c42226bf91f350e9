// Line plots: loss curves, p(t) / pi(t) densities, weightings w(t); optional log axes (values <= 0 are
// dropped there) and NaN / inf break the line instead of spoiling the range.
import type { TopLevelSpec } from 'vega-lite';
import type { ColorLike } from '../color.js';
import { plotInfo, type PlotInfo } from '../plot-info.js';
import { writePlot } from '../render.js';
import { asSpec, frame, positionScale, roundValue, seriesStyles, type ChartOptions } from './common.js';

export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  label?: string;
  color?: ColorLike;
  /** stroke width in px (default 1.75) */
  width?: number;
  /** also mark each point with a dot */
  markers?: boolean;
}

export interface LinePlotOptions extends ChartOptions {
  series: LineSeries[];
}

/**
 * Long series (100k steps of a loss) collapse, per one of `columns` equal slices of the x range, to
 * their first, lowest, highest and last points in order: the drawn line looks the same at that width,
 * and the spec stays small. Only for x that never decreases; slices with NaN are kept whole (the gap).
 */
export function decimate(xs: Float64Array, ys: Float64Array, columns: number): [Float64Array, Float64Array] {
  const n = xs.length;
  if (n <= 4 * columns) return [xs, ys];
  for (let k = 1; k < n; k++) if (!(xs[k]! >= xs[k - 1]!)) return [xs, ys];
  const x0 = xs[0]!;
  const span = xs[n - 1]! - x0 || 1;
  const column = (x: number): number => Math.min(columns - 1, Math.floor(((x - x0) / span) * columns));
  const keep: number[] = [];
  let start = 0;
  while (start < n) {
    const col = column(xs[start]!);
    let end = start;
    let lo = start;
    let hi = start;
    let broken = false;
    while (end < n && column(xs[end]!) === col) {
      if (!Number.isFinite(ys[end]!)) broken = true;
      else {
        if (!(ys[end]! >= ys[lo]!)) lo = end;
        if (!(ys[end]! <= ys[hi]!)) hi = end;
      }
      end++;
    }
    if (broken) for (let k = start; k < end; k++) keep.push(k);
    else keep.push(...new Set([start, Math.min(lo, hi), Math.max(lo, hi), end - 1]));
    start = end;
  }
  return [Float64Array.from(keep, (k) => xs[k]!), Float64Array.from(keep, (k) => ys[k]!)];
}

export function lineSpec(o: LinePlotOptions): TopLevelSpec {
  const { labels, color } = seriesStyles('line', o.series, o.legend);
  const rows: Record<string, unknown>[] = [];
  const marked: Record<string, unknown>[] = [];
  o.series.forEach((s, i) => {
    const [xs, ys] = decimate(Float64Array.from(s.x), Float64Array.from(s.y), o.width ?? 640);
    xs.forEach((xv, k) => {
      const ok = (v: number, log?: boolean) => Number.isFinite(v) && !(log && v <= 0);
      // a dropped point stays in the data as y = null so the line breaks there
      const row = {
        i: rows.length,
        x: roundValue(xv),
        y: ok(ys[k]!, o.logy) && ok(xv, o.logx) ? roundValue(ys[k]!) : null,
        series: labels[i],
        w: s.width ?? 1.75,
      };
      rows.push(row);
      if (s.markers && row.y !== null) marked.push(row);
    });
  });
  const x = { field: 'x', type: 'quantitative', title: o.xlabel ?? null, scale: positionScale(o.xlim, o.logx) };
  // densities and losses read against 0: the y range includes it unless limits or a log axis say otherwise
  const y = { field: 'y', type: 'quantitative', title: o.ylabel ?? null, scale: positionScale(o.ylim, o.logy, true) };
  const layer: Record<string, unknown>[] = [
    {
      data: { values: rows },
      mark: { type: 'line', clip: true, invalid: 'break-paths-filter-domains' },
      encoding: { x, y, color, order: { field: 'i', type: 'quantitative' }, strokeWidth: { field: 'w', type: 'quantitative', scale: null } },
    },
  ];
  if (marked.length) layer.push({ data: { values: marked }, mark: { type: 'circle', size: 25, opacity: 1, clip: true }, encoding: { x, y, color } });
  return asSpec({ ...frame(o), layer });
}

/** Writes NAME.png (+ NAME.vl.json, NAME.svg); returns where data lands in the PNG. */
export function linePlotPng(path: string, o: LinePlotOptions): PlotInfo {
  const scale = o.scale ?? 2;
  return plotInfo(writePlot(path, lineSpec(o), { scale }), scale);
}
