// Scatter plots: 2-D samples coloured by class (e.g. student samples against the mixture's modes),
// optionally with a text label beside each point (e.g. per-interval coverage vs precision).
import { Axes, type AxesOptions, type PlotInfo } from './axes.js';
import { paletteColor, toRGB, type ColorLike } from './color.js';
import { drawText } from './font.js';
import { writePng } from './png.js';

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

export interface ScatterOptions extends Omit<AxesOptions, 'xTickValues' | 'xTickFormat'> {
  series: ScatterSeries[];
  /** legend corner: 'auto' (default: where it hides the fewest marks), 'right', 'left' (top corners) or 'none' */
  legend?: 'auto' | 'right' | 'left' | 'none';
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

function* values(series: ScatterSeries[], key: 'x' | 'y'): Iterable<number> {
  for (const s of series) for (let i = 0; i < s[key].length; i++) yield s[key][i]!;
}

export function renderScatter(opts: ScatterOptions): Axes {
  for (const [i, s] of opts.series.entries()) {
    if (s.x.length !== s.y.length) throw new Error(`scatter series ${i} (${s.label ?? 'unlabelled'}): x has ${s.x.length} values but y has ${s.y.length}`);
  }
  const ax = new Axes(opts, values(opts.series, 'x'), values(opts.series, 'y'));
  ax.drawGrid();
  opts.series.forEach((s, i) => {
    const color = s.color ? toRGB(s.color) : paletteColor(i);
    const n = s.x.length;
    const r = s.radius ?? (s.annotations ? 4 : 2.5);
    const alpha = s.alpha ?? (n > 5000 ? 0.25 : n > 1000 ? 0.45 : 0.8);
    for (let k = 0; k < n; k++) {
      const [px, py] = ax.px(s.x[k]!, s.y[k]!);
      ax.canvas.disk(px, py, r, color, alpha);
      const note = s.annotations?.[k];
      if (note && Number.isFinite(px) && Number.isFinite(py)) drawText(ax.canvas, note, px + r + 3, py, [40, 40, 40], { valign: 'middle' });
    }
  });
  ax.drawFrame();
  if (opts.legend !== 'none') {
    const entries = opts.series.flatMap((s, i) => (s.label ? [{ label: s.label, color: s.color ? toRGB(s.color) : paletteColor(i), kind: 'point' as const }] : []));
    ax.drawLegend(entries, opts.legend ?? 'auto');
  }
  return ax;
}

/** Writes a scatter plot PNG atomically; returns the data -> pixel mapping. */
export function scatterPng(path: string, opts: ScatterOptions): PlotInfo {
  const ax = renderScatter(opts);
  writePng(path, ax.canvas);
  return ax.info();
}
