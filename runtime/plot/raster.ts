// An RGBA picture in memory, just what sample grids need: fill, nearest-neighbour image upscaling, and
// alpha compositing of a rendered layer (the captions) on top.
export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: readonly [number, number, number] = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) this.data.set([background[0], background[1], background[2], 255], p * 4);
  }

  /** Puts an HWC RGB image with its top-left at (x, y), each pixel drawn as a scale x scale block. */
  putRGB(x: number, y: number, w: number, h: number, rgb: Uint8Array, scale = 1): void {
    for (let r = 0; r < h * scale; r++) {
      const ty = y + r;
      if (ty < 0 || ty >= this.height) continue;
      for (let c = 0; c < w * scale; c++) {
        const tx = x + c;
        if (tx < 0 || tx >= this.width) continue;
        const s = (Math.floor(r / scale) * w + Math.floor(c / scale)) * 3;
        const o = (ty * this.width + tx) * 4;
        this.data[o] = rgb[s]!;
        this.data[o + 1] = rgb[s + 1]!;
        this.data[o + 2] = rgb[s + 2]!;
        this.data[o + 3] = 255;
      }
    }
  }

  /** Composites a same-size RGBA layer (straight alpha) over this picture. */
  over(layer: { width: number; height: number; data: Uint8Array }): void {
    if (layer.width !== this.width || layer.height !== this.height)
      throw new Error(`layer is ${layer.width} x ${layer.height}, picture ${this.width} x ${this.height}`);
    const d = this.data;
    const s = layer.data;
    for (let o = 0; o < d.length; o += 4) {
      const a = s[o + 3]! / 255;
      if (a === 0) continue;
      for (let k = 0; k < 3; k++) d[o + k] = Math.round(s[o + k]! * a + d[o + k]! * (1 - a));
    }
  }
}
