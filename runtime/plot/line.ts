// Line plots: loss curves, pi(t) densities, weighting functions w(t); optional log y axis
// (non-positive values are skipped there, and NaN/inf break the line instead of spoiling the range).
import { Axes, type AxesOptions, type PlotInfo } from './axes.js';
import { paletteColor, toRGB, type ColorLike } from './color.js';
import { writePng } from './png.js';

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

export interface LinePlotOptions extends Omit<AxesOptions, 'xTickValues' | 'xTickFormat'> {
  series: LineSeries[];
  /** legend corner: 'auto' (default: where it hides the fewest marks), 'right', 'left' (top corners) or 'none' */
  legend?: 'auto' | 'right' | 'left' | 'none';
}

function* values(series: LineSeries[], key: 'x' | 'y'): Iterable<number> {
  for (const s of series) for (let i = 0; i < s[key].length; i++) yield s[key][i]!;
}

/**
 * Long series (100k steps of a loss) collapse, per pixel column, to their first, lowest, highest and last
 * points in order: the drawn line looks the same, at a cost bounded by the plot width. Only for x that
 * never decreases; NaN gaps are kept.
 */
export function decimate(xs: Float64Array, ys: Float64Array, widthPx: number): [Float64Array, Float64Array] {
  const n = xs.length;
  if (n <= 4 * widthPx) return [xs, ys];
  for (let k = 1; k < n; k++) if (xs[k]! < xs[k - 1]!) return [xs, ys];
  const keep: number[] = [];
  let start = 0;
  while (start < n) {
    const col = Math.floor(xs[start]!);
    let end = start;
    let lo = start;
    let hi = start;
    let broken = false;
    while (end < n && Math.floor(xs[end]!) === col) {
      if (!Number.isFinite(ys[end]!)) broken = true;
      else {
        if (!(ys[end]! >= ys[lo]!)) lo = end;
        if (!(ys[end]! <= ys[hi]!)) hi = end;
      }
      end++;
    }
    if (end === start) end = start + 1; // non-finite x: keep as a gap
    if (broken) for (let k = start; k < end; k++) keep.push(k);
    else keep.push(...new Set([start, Math.min(lo, hi), Math.max(lo, hi), end - 1]));
    start = end;
  }
  return [Float64Array.from(keep, (k) => xs[k]!), Float64Array.from(keep, (k) => ys[k]!)];
}

export function renderLinePlot(opts: LinePlotOptions): Axes {
  for (const [i, s] of opts.series.entries()) {
    if (s.x.length !== s.y.length) throw new Error(`line series ${i} (${s.label ?? 'unlabelled'}): x has ${s.x.length} values but y has ${s.y.length}`);
  }
  const ax = new Axes(opts, values(opts.series, 'x'), values(opts.series, 'y'));
  ax.drawGrid();
  opts.series.forEach((s, i) => {
    const color = s.color ? toRGB(s.color) : paletteColor(i);
    const xs = new Float64Array(s.x.length);
    const ys = new Float64Array(s.x.length);
    for (let k = 0; k < s.x.length; k++) [xs[k], ys[k]] = ax.px(s.x[k]!, s.y[k]!);
    const [dx, dy] = decimate(xs, ys, ax.area.x1 - ax.area.x0);
    ax.canvas.polyline(dx, dy, color, s.width ?? 1.75);
    if (s.markers) for (let k = 0; k < xs.length; k++) ax.canvas.disk(xs[k]!, ys[k]!, 2.5, color);
  });
  ax.drawFrame();
  if (opts.legend !== 'none') {
    const entries = opts.series.flatMap((s, i) => (s.label ? [{ label: s.label, color: s.color ? toRGB(s.color) : paletteColor(i), kind: 'line' as const }] : []));
    ax.drawLegend(entries, opts.legend ?? 'auto');
  }
  return ax;
}

/** Writes a line plot PNG atomically; returns the data -> pixel mapping. */
export function linePlotPng(path: string, opts: LinePlotOptions): PlotInfo {
  const ax = renderLinePlot(opts);
  writePng(path, ax.canvas);
  return ax.info();
}
