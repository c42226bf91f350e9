// Grouped bar charts: one group of bars per category (e.g. per t-interval), one bar per measure
// (e.g. coverage and precision), with the value printed above each bar when asked.
import { Axes, type AxesOptions, type PlotInfo } from './axes.js';
import { AXIS, paletteColor, toRGB, type ColorLike } from './color.js';
import { ADVANCE, drawText } from './font.js';
import { formatTick } from './ticks.js';
import { writePng } from './png.js';

export interface BarGroup {
  label: string;
  /** one value per category */
  values: ArrayLike<number>;
  color?: ColorLike;
}

export interface BarPlotOptions extends Omit<AxesOptions, 'xlim' | 'logx' | 'xTickValues' | 'xTickFormat'> {
  categories: string[];
  groups: BarGroup[];
  /** print each bar's value above it */
  valueLabels?: boolean;
  /** legend corner: 'auto' (default: where it hides the fewest marks), 'right', 'left' (top corners) or 'none' */
  legend?: 'auto' | 'right' | 'left' | 'none';
}

/** Bars grow from 0 (from the bottom limit on a log axis), so 0 is always in the range. */
function barLimits(groups: BarGroup[], logy: boolean | undefined): [number, number] {
  const vals = groups.flatMap((g) => Array.from(g.values)).filter((v) => Number.isFinite(v) && (!logy || v > 0));
  if (vals.length === 0) return logy ? [0.1, 10] : [0, 1];
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  if (logy) return [lo / 2, hi * 2];
  const a = Math.min(0, lo);
  const b = Math.max(0, hi);
  const pad = (b - a || 1) * 0.1;
  return [a < 0 ? a - pad : 0, b > 0 ? b + pad : 0];
}

export function renderBarPlot(opts: BarPlotOptions): Axes {
  const n = opts.categories.length;
  for (const g of opts.groups) {
    if (g.values.length !== n) throw new Error(`bar group '${g.label}' has ${g.values.length} values for ${n} categories`);
  }
  const width = opts.width ?? 640;
  const slotChars = Math.max(3, Math.floor((width - 100) / Math.max(1, n) / ADVANCE));
  const short = (s: string): string => (s.length <= slotChars ? s : s.slice(0, slotChars - 2) + '..');
  const ax = new Axes(
    {
      ...opts,
      xlim: [-0.5, n - 0.5],
      ylim: opts.ylim ?? barLimits(opts.groups, opts.logy),
      xTickValues: opts.categories.map((_, i) => i),
      xTickFormat: (v) => short(opts.categories[Math.round(v)] ?? ''),
    },
    [],
    [],
  );
  ax.drawGrid();
  const m = Math.max(1, opts.groups.length);
  const slot = (ax.area.x1 - ax.area.x0) / Math.max(1, n);
  const barW = (slot * 0.8) / m;
  const base = opts.logy ? ax.ylim[0] : 0;
  opts.groups.forEach((g, gi) => {
    const color = g.color ? toRGB(g.color) : paletteColor(gi);
    for (let k = 0; k < n; k++) {
      const v = g.values[k]!;
      if (!Number.isFinite(v) || (opts.logy && !(v > 0))) continue;
      const xLeft = ax.px(k, 0)[0] - slot * 0.4 + gi * barW;
      const yv = ax.px(k, v)[1];
      const y0 = Math.max(ax.area.y0, Math.min(ax.area.y1, ax.px(k, base)[1]));
      const top = Math.max(ax.area.y0, Math.min(ax.area.y1, yv));
      ax.canvas.fillRect(xLeft, Math.min(top, y0), Math.max(1, barW - 1), Math.abs(y0 - top), color);
      if (opts.valueLabels) drawText(ax.canvas, formatTick(+v.toPrecision(3)), xLeft + barW / 2, v >= base ? top - 3 : top + 3, AXIS, { align: 'center', valign: v >= base ? 'bottom' : 'top' });
    }
  });
  ax.drawFrame();
  if (opts.legend !== 'none') {
    ax.drawLegend(opts.groups.map((g, i) => ({ label: g.label, color: g.color ? toRGB(g.color) : paletteColor(i), kind: 'box' as const })), opts.legend ?? 'auto');
  }
  return ax;
}

/** Writes a grouped bar chart PNG atomically; in the returned mapping category k sits at x = k. */
export function barPlotPng(path: string, opts: BarPlotOptions): PlotInfo {
  const ax = renderBarPlot(opts);
  writePng(path, ax.canvas);
  return ax.info();
}
