// Grouped bar charts: one group of bars per category (e.g. per t-interval), one bar per measure (e.g.
// coverage and precision), with the value printed above each bar when asked.
import type { TopLevelSpec } from 'vega-lite';
import { paletteColor, toColor, type ColorLike } from '../color.js';
import { plotInfo, type PlotInfo } from '../plot-info.js';
import { writePlot } from '../render.js';
import { asSpec, frame, positionScale, roundValue, seriesColor, type ChartOptions } from './common.js';

export interface BarGroup {
  label: string;
  /** one value per category */
  values: ArrayLike<number>;
  color?: ColorLike;
}

export interface BarPlotOptions extends Omit<ChartOptions, 'xlim' | 'logx'> {
  categories: string[];
  groups: BarGroup[];
  /** print each bar's value above it */
  valueLabels?: boolean;
}

export function barSpec(o: BarPlotOptions): TopLevelSpec {
  const n = o.categories.length;
  for (const g of o.groups) {
    if (g.values.length !== n) throw new Error(`bar group '${g.label}' has ${g.values.length} values for ${n} categories`);
  }
  const labels = o.groups.map((g) => g.label);
  const rows = o.groups.flatMap((g) =>
    o.categories.map((c, k) => ({
      category: c,
      series: g.label,
      y: roundValue(g.values[k]!),
      text: Number.isFinite(g.values[k]!) ? String(+g.values[k]!.toPrecision(3)) : '',
    })),
  );
  const x = { field: 'category', type: 'nominal', sort: o.categories, title: o.xlabel ?? null, axis: { labelAngle: 0, labelLimit: 120 } };
  const y = { field: 'y', type: 'quantitative', title: o.ylabel ?? null, scale: positionScale(o.ylim, o.logy, true) };
  const xOffset = { field: 'series', type: 'nominal', sort: labels };
  const color = seriesColor(
    labels,
    o.groups.map((g, i) => (g.color ? toColor(g.color) : paletteColor(i))),
    o.legend,
  );
  const layer: Record<string, unknown>[] = [{ mark: { type: 'bar', clip: true }, encoding: { x, y, xOffset, color } }];
  if (o.valueLabels)
    layer.push({ mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, color: '#3c3c3c' }, encoding: { x, y, xOffset, text: { field: 'text' } } });
  return asSpec({ ...frame(o), data: { values: rows }, layer });
}

/** Writes NAME.png (+ NAME.vl.json, NAME.svg); in the returned mapping category k sits at x = k. */
export function barPlotPng(path: string, o: BarPlotOptions): PlotInfo {
  const scale = o.scale ?? 2;
  return plotInfo(writePlot(path, barSpec(o), { scale }), scale);
}
