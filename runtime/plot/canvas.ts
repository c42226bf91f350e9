// A small RGBA raster with alpha blending and antialiased shapes: enough for plots and sample grids.
// Coordinates are pixels, x right, y down; pixel (i, j) covers [i, i+1) x [j, j+1), centre (i+.5, j+.5).
import type { RGB } from './color.js';

export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: RGB = [255, 255, 255],
  ) {
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new Error(`canvas size must be positive integers, got ${width} x ${height}`);
    }
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set([background[0], background[1], background[2], 255], i * 4);
  }

  /** Colour at a pixel (for tests and inspection). */
  get(x: number, y: number): [number, number, number, number] {
    const o = (y * this.width + x) * 4;
    return [this.data[o]!, this.data[o + 1]!, this.data[o + 2]!, this.data[o + 3]!];
  }

  /** Blends `color` over pixel (x, y) with opacity `alpha` in [0, 1]; outside pixels are ignored. */
  blend(x: number, y: number, color: RGB, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const o = (y * this.width + x) * 4;
    const a = Math.min(1, alpha);
    for (let c = 0; c < 3; c++) this.data[o + c] = Math.round(this.data[o + c]! * (1 - a) + color[c]! * a);
    this.data[o + 3] = 255;
  }

  /** Sets a pixel outright (no blending). */
  set(x: number, y: number, color: RGB): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    this.data[o] = color[0];
    this.data[o + 1] = color[1];
    this.data[o + 2] = color[2];
    this.data[o + 3] = 255;
  }

  /** Axis-aligned rectangle filled over pixels [x, x+w) x [y, y+h) (integer-aligned). */
  fillRect(x: number, y: number, w: number, h: number, color: RGB, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let j = y0; j < y1; j++) for (let i = x0; i < x1; i++) this.blend(i, j, color, alpha);
  }

  /** One-pixel outline of the pixels [x, x+w) x [y, y+h). */
  strokeRect(x: number, y: number, w: number, h: number, color: RGB, alpha = 1): void {
    this.fillRect(x, y, w, 1, color, alpha);
    this.fillRect(x, y + h - 1, w, 1, color, alpha);
    this.fillRect(x, y + 1, 1, h - 2, color, alpha);
    this.fillRect(x + w - 1, y + 1, 1, h - 2, color, alpha);
  }

  /**
   * Antialiased line segment of the given width: each pixel is covered by how far its centre lies
   * inside the stroke (distance to the segment vs half the width, with a 1-pixel soft edge).
   */
  line(x0: number, y0: number, x1: number, y1: number, color: RGB, width = 1, alpha = 1): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    const hw = width / 2;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - hw - 1));
    const maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + hw + 1));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - hw - 1));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + hw + 1));
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let j = minY; j <= maxY; j++) {
      for (let i = minX; i <= maxX; i++) {
        const px = i + 0.5;
        const py = j + 0.5;
        const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2)) : 0;
        const d = Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
        const cover = Math.max(0, Math.min(1, hw + 0.5 - d));
        if (cover > 0) this.blend(i, j, color, cover * alpha);
      }
    }
  }

  /** Connected line through points; a non-finite point breaks the line. Joins are drawn once per segment. */
  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, color: RGB, width = 1.5, alpha = 1): void {
    for (let k = 1; k < xs.length; k++) {
      const a = [xs[k - 1]!, ys[k - 1]!, xs[k]!, ys[k]!];
      if (a.every(Number.isFinite)) this.line(a[0]!, a[1]!, a[2]!, a[3]!, color, width, alpha);
    }
  }

  /** Antialiased filled disk of radius r centred at (cx, cy). */
  disk(cx: number, cy: number, r: number, color: RGB, alpha = 1): void {
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
    const x0 = Math.max(0, Math.floor(cx - r - 1));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r + 1));
    const y0 = Math.max(0, Math.floor(cy - r - 1));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r + 1));
    for (let j = y0; j <= y1; j++) {
      for (let i = x0; i <= x1; i++) {
        const cover = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(i + 0.5 - cx, j + 0.5 - cy)));
        if (cover > 0) this.blend(i, j, color, cover * alpha);
      }
    }
  }

  /** Antialiased circle outline. */
  ring(cx: number, cy: number, r: number, color: RGB, width = 1, alpha = 1): void {
    const x0 = Math.max(0, Math.floor(cx - r - width));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r + width));
    const y0 = Math.max(0, Math.floor(cy - r - width));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r + width));
    for (let j = y0; j <= y1; j++) {
      for (let i = x0; i <= x1; i++) {
        const d = Math.abs(Math.hypot(i + 0.5 - cx, j + 0.5 - cy) - r);
        const cover = Math.max(0, Math.min(1, width / 2 + 0.5 - d));
        if (cover > 0) this.blend(i, j, color, cover * alpha);
      }
    }
  }

  /** Copies an RGB image (values 0..255, row-major HWC) with its top-left at (x, y), upscaled by `scale`. */
  putRGB(x: number, y: number, w: number, h: number, rgb: Uint8Array, scale = 1): void {
    for (let j = 0; j < h * scale; j++) {
      for (let i = 0; i < w * scale; i++) {
        const o = (Math.floor(j / scale) * w + Math.floor(i / scale)) * 3;
        this.set(x + i, y + j, [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!]);
      }
    }
  }
}
