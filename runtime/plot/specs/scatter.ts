// Scatter plots: 2-D samples coloured by class (student samples against the mixture's modes, drawn as
// rings), or one labelled point per run (coverage vs precision), with optional text beside each point.
import type { TopLevelSpec } from 'vega-lite';
import { paletteColor, type ColorLike } from '../color.js';
import { plotInfo, type PlotInfo } from '../plot-info.js';
import { writePlot } from '../render.js';
import { asSpec, frame, positionScale, roundValue, seriesStyles, type ChartOptions } from './common.js';

export interface ScatterSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: ColorLike;
  label?: string;
  /** point radius in px (default 2.5, or 4 with annotations) */
  radius?: number;
  /** opacity; default falls with the number of points so dense clouds still show their density */
  alpha?: number;
  /** text drawn beside each point */
  annotations?: string[];
}

/** Open circles at given points (e.g. a mixture's component means), in the colour of series `series`. */
export interface Rings {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** index into `series` per ring */
  series: ArrayLike<number>;
  /** radius in px (default 9) */
  radius?: number;
}

export interface ScatterOptions extends ChartOptions {
  series: ScatterSeries[];
  rings?: Rings;
}

/** Splits points into one series per class, labelled by `names[k]` (or "class k"), coloured by palette. */
export function seriesByClass(x: ArrayLike<number>, y: ArrayLike<number>, cls: ArrayLike<number>, names?: string[]): ScatterSeries[] {
  const groups = new Map<number, { x: number[]; y: number[] }>();
  for (let i = 0; i < cls.length; i++) {
    const k = cls[i]!;
    if (!groups.has(k)) groups.set(k, { x: [], y: [] });
    groups.get(k)!.x.push(x[i]!);
    groups.get(k)!.y.push(y[i]!);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => ({ ...groups.get(k)!, color: paletteColor(k), label: names?.[k] ?? `class ${k}` }));
}

export function scatterSpec(o: ScatterOptions): TopLevelSpec {
  const { labels, color } = seriesStyles('scatter', o.series, o.legend);
  const points: Record<string, unknown>[] = [];
  const notes: Record<string, unknown>[] = [];
  o.series.forEach((s, i) => {
    const r = s.radius ?? (s.annotations ? 4 : 2.5);
    const alpha = s.alpha ?? (s.x.length > 5000 ? 0.25 : s.x.length > 1000 ? 0.45 : 0.8);
    for (let k = 0; k < s.x.length; k++) {
      const x = roundValue(s.x[k]!);
      const y = roundValue(s.y[k]!);
      if (x === null || y === null || (o.logx && x <= 0) || (o.logy && y <= 0)) continue;
      points.push({ x, y, series: labels[i], size: (2 * r) ** 2, opacity: alpha });
      if (s.annotations?.[k]) notes.push({ x, y, text: s.annotations[k], dx: r + 3 });
    }
  });
  const x = { field: 'x', type: 'quantitative', title: o.xlabel ?? null, scale: positionScale(o.xlim, o.logx, false, 10) };
  const y = { field: 'y', type: 'quantitative', title: o.ylabel ?? null, scale: positionScale(o.ylim, o.logy, false, 10) };
  const layer: Record<string, unknown>[] = [
    {
      data: { values: points },
      mark: { type: 'circle', clip: true },
      encoding: { x, y, color, size: { field: 'size', type: 'quantitative', scale: null }, opacity: { field: 'opacity', type: 'quantitative', scale: null } },
    },
  ];
  if (o.rings?.x.length) {
    const rs = o.rings;
    const rings = Array.from({ length: rs.x.length }, (_, k) => ({
      x: roundValue(rs.x[k]!),
      y: roundValue(rs.y[k]!),
      series: labels[rs.series[k]!] ?? labels[0],
    }));
    layer.push({
      data: { values: rings },
      mark: { type: 'point', shape: 'circle', filled: false, strokeWidth: 2, opacity: 1, size: (2 * (rs.radius ?? 9)) ** 2, clip: true },
      encoding: { x, y, color },
    });
  }
  if (notes.length) {
    layer.push({
      data: { values: notes },
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: notes[0]!.dx, fontSize: 11, color: '#282828' },
      encoding: { x, y, text: { field: 'text' } },
    });
  }
  return asSpec({ ...frame(o), layer });
}

/** Writes NAME.png (+ NAME.vl.json, NAME.svg); returns where data lands in the PNG. */
export function scatterPng(path: string, o: ScatterOptions): PlotInfo {
  const scale = o.scale ?? 2;
  return plotInfo(writePlot(path, scatterSpec(o), { scale }), scale);
}
