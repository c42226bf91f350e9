// The runtime's figures, as vega-lite charts from runtime/plot (NAME.png with NAME.vl.json and NAME.svg).
import { linePlotPng, scatterPng } from '../plot/index.js';
import { paletteColor } from '../plot/color.js';

export interface ScatterSeries {
  x: Float32Array; // [n * dim], first two coordinates are drawn
  c: ArrayLike<number>;
  dim: number;
}

/** 2-D scatter coloured by class; optional ring markers at the mixture's component means. */
export function scatterClasses(path: string, s: ScatterSeries, opts: { title: string; means?: Float32Array; modesPerClass?: number; lim?: number }): void {
  const classes = new Map<number, { x: number[]; y: number[] }>();
  for (let i = 0; i < s.c.length; i++) {
    const k = Number(s.c[i]);
    if (!classes.has(k)) classes.set(k, { x: [], y: [] });
    classes.get(k)!.x.push(s.x[i * s.dim]!);
    classes.get(k)!.y.push(s.x[i * s.dim + 1]!);
  }
  const ks = [...classes.keys()].sort((a, b) => a - b);
  const series = ks.map((k) => ({ ...classes.get(k)!, label: `class ${k}`, color: paletteColor(k), radius: 1.6, alpha: 0.5 }));
  const lim: [number, number] | undefined = opts.lim ? [-opts.lim, opts.lim] : undefined;
  const m = opts.means && opts.modesPerClass ? { means: opts.means, per: opts.modesPerClass } : undefined;
  // rings take the colour of their class's series; a class with no samples gets no ring
  const ringIdx = m ? Array.from({ length: m.means.length / s.dim }, (_, j) => ks.indexOf(Math.floor(j / m.per))) : [];
  const keep = ringIdx.flatMap((idx, j) => (idx >= 0 ? [j] : []));
  const rings = m ? { x: keep.map((j) => m.means[j * s.dim]!), y: keep.map((j) => m.means[j * s.dim + 1]!), series: keep.map((j) => ringIdx[j]!) } : undefined;
  scatterPng(path, {
    series,
    ...(rings ? { rings } : {}),
    width: 560,
    height: 520,
    title: opts.title,
    xlabel: 'x1',
    ylabel: 'x2',
    ...(lim ? { xlim: lim, ylim: lim } : {}),
  });
}

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Lines through each series, or (points) one dot per value, e.g. one run per series. */
export function linePlot(path: string, series: LineSeries[], opts: { title: string; xlabel: string; ylabel: string; points?: boolean }): void {
  const common = { width: 640, height: 420, title: opts.title, xlabel: opts.xlabel, ylabel: opts.ylabel };
  if (opts.points) scatterPng(path, { ...common, series: series.map((s) => ({ ...s, radius: 3.5, alpha: 1 })) });
  else linePlotPng(path, { ...common, series });
}
