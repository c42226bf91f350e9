// A plot frame: margins, data -> pixel mapping (linear or log), grid, ticks, labels, title, legend.
// Charts (scatter, line, bar) build on this and draw their marks inside `area`.
import { Canvas } from './canvas.js';
import { AXIS, GRID, WHITE, type RGB } from './color.js';
import { LINE_H, drawText, textWidth } from './font.js';
import { dataRange, formatTicks, linearTicks, logTicks } from './ticks.js';

export interface AxesOptions {
  width?: number;
  height?: number;
  title?: string;
  xlabel?: string;
  ylabel?: string;
  xlim?: [number, number];
  ylim?: [number, number];
  logx?: boolean;
  logy?: boolean;
  /** fixed x tick positions and their labels (categorical axes, e.g. bar charts) */
  xTickValues?: number[];
  xTickFormat?: (v: number) => string;
}

/** Pixel rectangle of the plotting area: [x0, x1) x [y0, y1). */
export interface Area {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface LegendEntry {
  label: string;
  color: RGB;
  kind: 'point' | 'line' | 'box';
}

/** What plot functions return: enough to find any data point's pixel (tests use this). */
export interface PlotInfo {
  width: number;
  height: number;
  area: Area;
  xlim: [number, number];
  ylim: [number, number];
  toPixel(x: number, y: number): [number, number];
}

export class Axes {
  readonly canvas: Canvas;
  readonly area: Area;
  readonly xlim: [number, number];
  readonly ylim: [number, number];

  constructor(
    readonly opts: AxesOptions,
    xs: Iterable<number>,
    ys: Iterable<number>,
  ) {
    const width = opts.width ?? 640;
    const height = opts.height ?? 480;
    this.canvas = new Canvas(width, height, WHITE);
    this.xlim = opts.xlim ?? limits(xs, opts.logx);
    this.ylim = opts.ylim ?? limits(ys, opts.logy);
    if (opts.logx && !(this.xlim[0] > 0)) throw new Error(`log x axis needs positive limits, got [${this.xlim}]`);
    if (opts.logy && !(this.ylim[0] > 0)) throw new Error(`log y axis needs positive limits, got [${this.ylim}]`);
    // Margins sized to the text they hold: tick labels on the left, axis labels, title on top.
    const yTickW = Math.max(...formatTicks(this.yTicks()).map((l) => textWidth(l)), 10);
    const left = 10 + yTickW + 6 + (opts.ylabel ? LINE_H + 6 : 0);
    const top = opts.title ? 12 + 2 * LINE_H : 14;
    const bottom = 8 + LINE_H + 6 + (opts.xlabel ? LINE_H + 6 : 0);
    this.area = { x0: left, y0: top, x1: width - 16, y1: height - bottom };
    if (this.area.x1 - this.area.x0 < 20 || this.area.y1 - this.area.y0 < 20) {
      throw new Error(`plot size ${width} x ${height} px leaves no room for the data; make it larger`);
    }
  }

  private scale(v: number, lim: [number, number], log: boolean | undefined): number {
    if (log) return (Math.log(v) - Math.log(lim[0])) / (Math.log(lim[1]) - Math.log(lim[0]));
    return (v - lim[0]) / (lim[1] - lim[0]);
  }

  /** Data -> pixel coordinates (continuous; pixel centres are at +0.5). NaN for invalid log values. */
  px(x: number, y: number): [number, number] {
    const a = this.area;
    const fx = this.opts.logx && !(x > 0) ? NaN : this.scale(x, this.xlim, this.opts.logx);
    const fy = this.opts.logy && !(y > 0) ? NaN : this.scale(y, this.ylim, this.opts.logy);
    return [a.x0 + fx * (a.x1 - a.x0), a.y1 - fy * (a.y1 - a.y0)];
  }

  xTicks(): number[] {
    if (this.opts.xTickValues) return this.opts.xTickValues;
    return this.opts.logx ? logTicks(this.xlim[0], this.xlim[1]) : linearTicks(this.xlim[0], this.xlim[1], Math.max(2, Math.floor((this.opts.width ?? 640) / 80)));
  }

  yTicks(): number[] {
    return this.opts.logy ? logTicks(this.ylim[0], this.ylim[1]) : linearTicks(this.ylim[0], this.ylim[1], Math.max(2, Math.floor((this.opts.height ?? 480) / 50)));
  }

  /** Grid lines under the data. */
  drawGrid(): void {
    const a = this.area;
    for (const t of this.xTicks()) {
      const x = Math.floor(this.px(t, this.ylim[0])[0]);
      if (x >= a.x0 && x < a.x1) this.canvas.fillRect(x, a.y0, 1, a.y1 - a.y0, GRID);
    }
    for (const t of this.yTicks()) {
      const y = Math.floor(this.px(this.xlim[0], t)[1]);
      if (y >= a.y0 && y < a.y1) this.canvas.fillRect(a.x0, y, a.x1 - a.x0, 1, GRID);
    }
  }

  /** Frame, ticks, tick labels, axis labels and title over the data; clears what spilled outside the area. */
  drawFrame(): void {
    const c = this.canvas;
    const a = this.area;
    // Marks may spill past the area (big points near the edge): clear the margins first.
    c.fillRect(0, 0, c.width, a.y0, WHITE);
    c.fillRect(0, a.y1, c.width, c.height - a.y1, WHITE);
    c.fillRect(0, a.y0, a.x0, a.y1 - a.y0, WHITE);
    c.fillRect(a.x1, a.y0, c.width - a.x1, a.y1 - a.y0, WHITE);
    c.strokeRect(a.x0 - 1, a.y0 - 1, a.x1 - a.x0 + 2, a.y1 - a.y0 + 2, AXIS);
    const xt = this.xTicks();
    const xl = this.opts.xTickFormat ? xt.map(this.opts.xTickFormat) : formatTicks(xt);
    xt.forEach((t, i) => {
      const x = Math.floor(this.px(t, this.ylim[0])[0]);
      if (x < a.x0 - 1 || x > a.x1) return;
      c.fillRect(x, a.y1 + 1, 1, 4, AXIS);
      drawText(c, xl[i]!, x + 0.5, a.y1 + 7, AXIS, { align: 'center' });
    });
    const yt = this.yTicks();
    const yl = formatTicks(yt);
    yt.forEach((t, i) => {
      const y = Math.floor(this.px(this.xlim[0], t)[1]);
      if (y < a.y0 - 1 || y > a.y1) return;
      c.fillRect(a.x0 - 5, y, 4, 1, AXIS);
      drawText(c, yl[i]!, a.x0 - 8, y + 0.5, AXIS, { align: 'right', valign: 'middle' });
    });
    const o = this.opts;
    if (o.xlabel) drawText(c, o.xlabel, (a.x0 + a.x1) / 2, c.height - 6, AXIS, { align: 'center', valign: 'bottom' });
    if (o.ylabel) drawText(c, o.ylabel, 6, (a.y0 + a.y1) / 2, AXIS, { align: 'center', vertical: true });
    if (o.title) drawText(c, o.title, c.width / 2, 8, [0, 0, 0], { align: 'center', scale: 2 });
  }

  /**
   * Legend box in a corner of the area. 'auto' (the default) picks the corner whose box would hide the
   * fewest already-drawn data pixels, so the legend does not sit on the curves.
   */
  drawLegend(entries: LegendEntry[], where: 'auto' | 'right' | 'left' = 'auto'): void {
    if (entries.length === 0) return;
    const c = this.canvas;
    const a = this.area;
    const w = Math.max(...entries.map((e) => textWidth(e.label))) + 30;
    const h = entries.length * (LINE_H + 3) + 8;
    const corners: [number, number][] = [
      [a.x1 - w - 6, a.y0 + 6],
      [a.x0 + 6, a.y0 + 6],
      [a.x1 - w - 6, a.y1 - h - 6],
      [a.x0 + 6, a.y1 - h - 6],
    ];
    const [x, y] = where === 'right' ? corners[0]! : where === 'left' ? corners[1]! : corners.reduce((best, cand) => (this.inked(...cand, w, h) < this.inked(...best, w, h) ? cand : best));
    c.fillRect(x, y, w, h, WHITE, 0.85);
    c.strokeRect(x, y, w, h, [190, 190, 190]);
    entries.forEach((e, i) => {
      const cy = y + 6 + i * (LINE_H + 3) + 3.5;
      if (e.kind === 'point') c.disk(x + 11, cy, 3.5, e.color);
      else if (e.kind === 'line') c.line(x + 5, cy, x + 18, cy, e.color, 2);
      else c.fillRect(x + 6, cy - 4, 11, 8, e.color);
      drawText(c, e.label, x + 24, cy, AXIS, { valign: 'middle' });
    });
  }

  /** Pixels in a box that are neither background nor grid (i.e. data marks). */
  private inked(x: number, y: number, w: number, h: number): number {
    let n = 0;
    for (let j = Math.max(0, Math.round(y)); j < Math.min(this.canvas.height, y + h); j++) {
      for (let i = Math.max(0, Math.round(x)); i < Math.min(this.canvas.width, x + w); i++) {
        const [r, g, b] = this.canvas.get(i, j);
        if (!((r === 255 && g === 255 && b === 255) || (r === GRID[0] && g === GRID[1] && b === GRID[2]))) n++;
      }
    }
    return n;
  }

  info(): PlotInfo {
    return { width: this.canvas.width, height: this.canvas.height, area: { ...this.area }, xlim: [...this.xlim], ylim: [...this.ylim], toPixel: (x, y) => this.px(x, y) };
  }
}

/** Padded range of the data; for a log axis, the range of the positive values padded in log space. */
function limits(values: Iterable<number>, log: boolean | undefined): [number, number] {
  if (!log) return dataRange(values);
  const logs: number[] = [];
  for (const v of values) if (v > 0 && Number.isFinite(v)) logs.push(Math.log10(v));
  const [lo, hi] = dataRange(logs);
  return [10 ** lo, 10 ** hi];
}
