// Where data lands in a rendered plot's PNG, from the scales vega reports: callers and tests can find
// any data point's pixel without vega.
import type { Rendered, ScaleInfo } from './render-vega.js';

/** Pixel rectangle of the data area in the PNG: [x0, x1) x [y0, y1). */
export interface Area {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PlotInfo {
  /** PNG size in pixels */
  width: number;
  height: number;
  area: Area;
  xlim: [number, number];
  ylim: [number, number];
  /** data -> PNG pixel; on a band (category) axis, x = k is the centre of category k */
  toPixel(x: number, y: number): [number, number];
}

function mapper(s: ScaleInfo | undefined): { lim: [number, number]; at: (v: number) => number } {
  if (!s) return { lim: [0, 1], at: () => NaN };
  if (s.bandwidth !== undefined && s.starts) {
    const starts = s.starts;
    const half = s.bandwidth / 2;
    return { lim: [-0.5, starts.length - 0.5], at: (k) => starts[Math.round(k)]! + half };
  }
  const [d0, d1] = s.domain.map(Number) as [number, number];
  const [r0, r1] = s.range as [number, number];
  const f = s.type === 'log' ? Math.log10 : (v: number) => v;
  return { lim: [d0, d1], at: (v) => r0 + ((f(v) - f(d0)) / (f(d1) - f(d0))) * (r1 - r0) };
}

export function plotInfo(r: Rendered, scale: number): PlotInfo {
  const x = mapper(r.scales.x);
  const y = mapper(r.scales.y);
  const [ox, oy] = r.origin;
  return {
    width: r.width,
    height: r.height,
    area: { x0: ox * scale, y0: oy * scale, x1: (ox + r.plotWidth) * scale, y1: (oy + r.plotHeight) * scale },
    xlim: x.lim,
    ylim: y.lim,
    toPixel: (a, b) => [(ox + x.at(a)) * scale, (oy + y.at(b)) * scale],
  };
}
