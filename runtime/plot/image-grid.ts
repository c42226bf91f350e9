// Sample grids: images with values in [-1, 1] (the diffusion convention) tiled rows x cols, typically one
// row per prompt with the prompt written to the left of its row. NaN pixels show as magenta so a
// diverged sample is visible rather than silently grey. The images are composed with pngjs pixel by
// pixel; title and labels are rendered like the charts' text (vega -> resvg, same font) and laid on top.
import { writePng, decodePng } from './png.js';
import { Raster } from './raster.js';
import { renderSpec } from './render.js';
import { captionSpec, type Caption } from './specs/caption.js';

export interface ImageGridOptions {
  rows: number;
  cols: number;
  channels: 1 | 3;
  /** image height and width in pixels */
  height: number;
  width: number;
  /** memory layout of each image: HWC (tfjs' NHWC, default) or CHW (PyTorch's NCHW) */
  layout?: 'HWC' | 'CHW';
  /** one label per row (e.g. the prompt), wrapped to fit beside the row */
  labels?: string[];
  /** one label per column (e.g. the step or the seed) */
  colLabels?: string[];
  title?: string;
  /** integer upscaling (nearest neighbour) so tiny images are visible; default makes cells >= 64 px */
  scale?: number;
  /** gap between cells in px (default 2) */
  pad?: number;
  /** widest a row label may be, in px (default 180) */
  labelWidth?: number;
}

export interface GridInfo {
  width: number;
  height: number;
  scale: number;
  /** top-left pixel of cell (r, c) */
  cell(r: number, c: number): [number, number];
}

const NAN_COLOR = [255, 0, 255] as const;
const LABEL_PX = 11;
const LINE_H = 14;
const TITLE_PX = 15;
/** DejaVu Sans averages ~0.55 em per character in prose; 0.6 leaves room, so wrapped lines fit. */
const CHAR_W = 0.6 * LABEL_PX;

/** [-1, 1] -> 0..255 per channel, HWC bytes; NaN -> magenta. */
export function toRGBBytes(img: Float32Array, o: ImageGridOptions): Uint8Array {
  const { height: h, width: w, channels: ch } = o;
  const out = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      for (let c = 0; c < 3; c++) {
        const cc = ch === 1 ? 0 : c;
        const v = o.layout === 'CHW' ? img[cc * h * w + p]! : img[p * ch + cc]!;
        out[p * 3 + c] = Number.isNaN(v) ? NAN_COLOR[c]! : Math.round(Math.max(0, Math.min(1, (v + 1) / 2)) * 255);
      }
    }
  }
  return out;
}

/** Greedy word wrap into at most `maxLines` lines of `maxChars`; the last line ends in '..' if cut. */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    while (w.length > maxChars) {
      // a word longer than a line is split
      if (cur) lines.push(cur), (cur = '');
      lines.push(w.slice(0, maxChars));
      w = w.slice(maxChars);
    }
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= maxChars) cur += ' ' + w;
    else lines.push(cur), (cur = w);
  }
  if (cur) lines.push(cur);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const last = kept[maxLines - 1]!;
    kept[maxLines - 1] = (last.length + 2 <= maxChars ? last : last.slice(0, maxChars - 2)) + '..';
    return kept;
  }
  return lines;
}

export function renderImageGrid(images: Float32Array[], o: ImageGridOptions): { raster: Raster; info: GridInfo } {
  const per = o.height * o.width * o.channels;
  if (images.length > o.rows * o.cols) throw new Error(`image grid: ${images.length} images do not fit ${o.rows} x ${o.cols} cells`);
  images.forEach((img, i) => {
    if (img.length !== per) throw new Error(`image grid: image ${i} has ${img.length} values, expected ${o.height} x ${o.width} x ${o.channels} = ${per}`);
  });
  const scale = o.scale ?? Math.max(1, Math.ceil(64 / Math.max(o.height, o.width)));
  const pad = o.pad ?? 2;
  const cw = o.width * scale;
  const chh = o.height * scale;
  const labelW = o.labels?.length ? Math.ceil(Math.min(o.labelWidth ?? 180, Math.max(...o.labels.map((l) => l.length * CHAR_W)))) + 8 : 0;
  const titleH = o.title ? TITLE_PX + 12 : 0;
  const colLabelH = o.colLabels?.length ? LINE_H + 4 : 0;
  const W = labelW + o.cols * (cw + pad) + pad;
  const H = titleH + colLabelH + o.rows * (chh + pad) + pad;
  const raster = new Raster(W, H);
  const cell = (r: number, c: number): [number, number] => [labelW + pad + c * (cw + pad), titleH + colLabelH + pad + r * (chh + pad)];
  images.forEach((img, i) => {
    const [x, y] = cell(Math.floor(i / o.cols), i % o.cols);
    raster.putRGB(x, y, o.width, o.height, toRGBBytes(img, o), scale);
  });
  const captions: Caption[] = [];
  if (o.title) captions.push({ x: W / 2, y: 5, text: o.title, align: 'center', baseline: 'top', size: TITLE_PX, bold: true, color: '#000000' });
  const colChars = Math.max(1, Math.floor(cw / CHAR_W));
  o.colLabels?.forEach((l, c) => {
    const [x] = cell(0, c);
    captions.push({
      x: x + cw / 2,
      y: titleH + 2,
      text: l.length > colChars ? l.slice(0, Math.max(1, colChars - 1)) : l,
      align: 'center',
      baseline: 'top',
      size: LABEL_PX,
    });
  });
  const maxChars = Math.max(1, Math.floor((labelW - 8) / CHAR_W));
  const maxLines = Math.max(1, Math.floor(chh / LINE_H));
  o.labels?.forEach((l, r) => {
    if (r >= o.rows) return;
    const [, y] = cell(r, 0);
    const lines = wrapText(l, maxChars, maxLines);
    const top = y + chh / 2 - (lines.length * LINE_H) / 2;
    lines.forEach((line, k) => captions.push({ x: labelW - 4, y: top + (k + 0.5) * LINE_H, text: line, align: 'right', baseline: 'middle', size: LABEL_PX }));
  });
  if (captions.length) raster.over(decodePng(renderSpec(captionSpec(W, H, captions)).png));
  return { raster, info: { width: W, height: H, scale, cell } };
}

/** Writes a sample grid PNG atomically. */
export function imageGridPng(path: string, images: Float32Array[], opts: ImageGridOptions): GridInfo {
  const { raster, info } = renderImageGrid(images, opts);
  writePng(path, raster);
  return info;
}
