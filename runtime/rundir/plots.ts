// The runtime's PNG figures, drawn with runtime/plot's Axes (axes, ticks, legend) and Canvas.
import { Axes, type LegendEntry } from '../plot/axes.js';
import { paletteColor } from '../plot/color.js';
import { writePng } from '../plot/png.js';

export interface ScatterSeries {
  x: Float32Array; // [n * dim], first two coordinates are drawn
  c: ArrayLike<number>;
  dim: number;
}

/** 2-D scatter coloured by class; optional ring markers at the mixture's component means. */
export function scatterClasses(path: string, s: ScatterSeries, opts: { title: string; means?: Float32Array; modesPerClass?: number; lim?: number }): void {
  const n = s.c.length;
  const xs = Array.from({ length: n }, (_, i) => s.x[i * s.dim]!);
  const ys = Array.from({ length: n }, (_, i) => s.x[i * s.dim + 1]!);
  const lim: [number, number] | undefined = opts.lim ? [-opts.lim, opts.lim] : undefined;
  const ax = new Axes({ width: 520, height: 520, title: opts.title, xlabel: 'x1', ylabel: 'x2', ...(lim ? { xlim: lim, ylim: lim } : {}) }, xs, ys);
  ax.drawGrid();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) continue;
    const [px, py] = ax.px(xs[i]!, ys[i]!);
    if (px < ax.area.x0 || px >= ax.area.x1 || py < ax.area.y0 || py >= ax.area.y1) continue;
    ax.canvas.disk(px, py, 1.6, paletteColor(Number(s.c[i])), 0.5);
  }
  if (opts.means && opts.modesPerClass) {
    for (let k = 0; k * s.dim < opts.means.length; k++) {
      const [px, py] = ax.px(opts.means[k * s.dim]!, opts.means[k * s.dim + 1]!);
      ax.canvas.ring(px, py, 6, paletteColor(Math.floor(k / opts.modesPerClass)), 1.5);
    }
  }
  ax.drawFrame();
  writePng(path, ax.canvas);
}

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export function linePlot(path: string, series: LineSeries[], opts: { title: string; xlabel: string; ylabel: string; points?: boolean }): void {
  const allX = series.flatMap((s) => Array.from(s.x));
  const allY = series.flatMap((s) => Array.from(s.y)).filter(Number.isFinite);
  const ax = new Axes({ width: 640, height: 420, title: opts.title, xlabel: opts.xlabel, ylabel: opts.ylabel }, allX, [0, ...allY]);
  ax.drawGrid();
  const legend: LegendEntry[] = [];
  series.forEach((s, i) => {
    const col = paletteColor(i);
    const px: number[] = [];
    const py: number[] = [];
    for (let j = 0; j < s.x.length; j++) {
      if (!Number.isFinite(s.y[j]!)) continue;
      const [a, b] = ax.px(s.x[j]!, s.y[j]!);
      px.push(a);
      py.push(b);
      if (opts.points) ax.canvas.disk(a, b, 3.5, col);
    }
    if (!opts.points) ax.canvas.polyline(px, py, col, 2);
    legend.push({ label: s.label, color: col, kind: opts.points ? 'point' : 'line' });
  });
  ax.drawFrame();
  ax.drawLegend(legend);
  writePng(path, ax.canvas);
}
