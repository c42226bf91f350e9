// What every chart spec shares: size and title, axes (limits, log, labels), the legend position, the
// series colour scale, and data values rounded for a compact .vl.json.
import type { TopLevelSpec } from 'vega-lite';
import { paletteColor, toColor, type ColorLike } from '../color.js';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export type LegendPlace = 'auto' | 'right' | 'left' | 'none';

export interface ChartOptions {
  /** whole picture in px (SVG units), legend and labels included; default 640 x 480 */
  width?: number;
  height?: number;
  title?: string;
  xlabel?: string;
  ylabel?: string;
  xlim?: [number, number];
  ylim?: [number, number];
  logx?: boolean;
  logy?: boolean;
  /** 'auto' (default): outside, right of the data; 'right' / 'left': inside, top corner; 'none' */
  legend?: LegendPlace;
  /** PNG pixels per px (default 2: crisp on high-density screens; the SVG scales freely) */
  scale?: number;
}

/** Top-level fields: fixed overall size (autosize fit), white background, title, quiet grid. */
export function frame(o: ChartOptions): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    width: o.width ?? 640,
    height: o.height ?? 480,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    padding: 8,
    ...(o.title ? { title: { text: o.title, fontSize: 14 } } : {}),
    config: { axis: { gridColor: '#e4e4e4', labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, labelLimit: 260, symbolOpacity: 1 } },
  };
}

/**
 * A quantitative position scale: the given limits exactly (marks outside are clipped), else the data's
 * range, widened to include 0 when `zero`, and by `padPx` so points on the edge stay whole.
 */
export function positionScale(lim: [number, number] | undefined, log: boolean | undefined, zero = false, padPx = 0): Record<string, unknown> {
  if (lim) return { domain: lim, nice: false, ...(log ? { type: 'log' } : {}) };
  return { ...(log ? { type: 'log' } : { zero }), ...(padPx ? { padding: padPx } : {}) };
}

/** The legend property of a colour channel. */
export function legendOf(place: LegendPlace | undefined, values?: string[]): null | Record<string, unknown> {
  if (place === 'none') return null;
  const orient = place === 'right' ? 'top-right' : place === 'left' ? 'top-left' : 'right';
  return { orient, title: null, ...(values ? { values } : {}), ...(orient !== 'right' ? { fillColor: 'white', strokeColor: '#ccc', padding: 6 } : {}) };
}

/** Colour channel over the field `series`, in the given order and colours. */
export function seriesColor(labels: string[], colors: string[], place: LegendPlace | undefined, shown?: string[]): Record<string, unknown> {
  return { field: 'series', type: 'nominal', sort: labels, scale: { domain: labels, range: colors }, legend: legendOf(place, shown) };
}

/** 6 significant digits (plenty for a picture, a third of the JSON); non-finite -> null (not drawn). */
export const roundValue = (v: number): number | null => (Number.isFinite(v) ? +v.toPrecision(6) : null);

/** Checks x/y lengths agree: `<kind> series i (label): x has n values but y has m`. */
export function checkLengths(kind: string, series: { x: ArrayLike<number>; y: ArrayLike<number>; label?: string }[]): void {
  for (const [i, s] of series.entries()) {
    if (s.x.length !== s.y.length) throw new Error(`${kind} series ${i} (${s.label ?? 'unlabelled'}): x has ${s.x.length} values but y has ${s.y.length}`);
  }
}

/** The assembled spec, typed for vega-lite (the builders assemble plain objects). */
export const asSpec = (o: Record<string, unknown>): TopLevelSpec => o as unknown as TopLevelSpec;

/** Each series' legend label (its own, else `series N`), and the colour encoding that maps them to their
 * colours (its own, else the palette's N-th); the legend lists the series that carry a label. */
export function seriesStyles(
  kind: string,
  series: { x: ArrayLike<number>; y: ArrayLike<number>; label?: string; color?: ColorLike }[],
  legend: LegendPlace | undefined,
): { labels: string[]; color: Record<string, unknown> } {
  checkLengths(kind, series);
  const labels = series.map((s, i) => s.label ?? `series ${i + 1}`);
  const colors = series.map((s, i) => (s.color ? toColor(s.color) : paletteColor(i)));
  const shown = series.filter((s) => s.label).map((s) => s.label!);
  return { labels, color: seriesColor(labels, colors, legend, shown) };
}
