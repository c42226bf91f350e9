// Each chart is written to disk, decoded again with pngjs, and probed at pixels whose colour follows
// from the data and the returned mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barPlotPng, imageGridPng, linePlotPng, readPng, scatterPng, wrapText } from '../../../runtime/plot/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-plot-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function pixel(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const o = (Math.floor(y) * img.width + Math.floor(x)) * 4;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}
const RED = [255, 0, 0];
const WHITE = [255, 255, 255];
/** Background: white, or the light grey of a grid line. */
const isBackground = (p: number[]): boolean => p.join() === '255,255,255' || p.join() === '228,228,228';

test('scatter: a point at data (0, 0) lands at the centre of the plot area, in its colour', () => {
  const p = join(dir, 'scatter.png');
  const info = scatterPng(p, { series: [{ x: [0, 0.5], y: [0, -0.5], color: '#ff0000', radius: 4, alpha: 1, label: 'red' }], xlim: [-1, 1], ylim: [-1, 1], width: 300, height: 240, title: 'T', xlabel: 'x', ylabel: 'y' });
  const img = readPng(p);
  assert.equal(img.width, 300);
  assert.equal(img.height, 240);
  const a = info.area;
  const cx = (a.x0 + a.x1) / 2;
  const cy = (a.y0 + a.y1) / 2;
  assert.deepEqual(info.toPixel(0, 0), [cx, cy]);
  assert.deepEqual(pixel(img, cx, cy), RED);
  const [qx, qy] = info.toPixel(0.5, -0.5);
  assert.ok(qx > cx && qy > cy, 'x grows right, y grows up');
  assert.deepEqual(pixel(img, qx, qy), RED);
  assert.ok(isBackground(pixel(img, (cx + qx) / 2, (cy + qy) / 2 + 10)), 'nothing between the points');
  // Title and axis labels put ink into the margins.
  const inkIn = (x0: number, y0: number, x1: number, y1: number): number => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pixel(img, x, y).join() !== WHITE.join()) n++;
    return n;
  };
  assert.ok(inkIn(0, 0, 300, a.y0 - 2) > 20, 'title');
  assert.ok(inkIn(0, a.y1 + 2, 300, 240) > 20, 'x ticks and label');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'written atomically, no temp left');
});

test('scatter: mismatched x/y lengths are an error naming the series', () => {
  assert.throws(() => scatterPng(join(dir, 'bad.png'), { series: [{ x: [1, 2], y: [1], label: 'mode 3' }] }), /series 0 \(mode 3\): x has 2 values but y has 1/);
});

test('line plot: a horizontal line at y = 0.5 crosses the middle of the area; log axes skip y <= 0', () => {
  const p = join(dir, 'line.png');
  const info = linePlotPng(p, { series: [{ x: [0, 1], y: [0.5, 0.5], color: '#ff0000', width: 3 }], xlim: [0, 1], ylim: [0, 1], width: 200, height: 160 });
  const img = readPng(p);
  const a = info.area;
  const y = (a.y0 + a.y1) / 2;
  assert.deepEqual(pixel(img, (a.x0 + a.x1) / 2, y), RED);
  assert.ok(isBackground(pixel(img, (a.x0 + a.x1) / 2, y - 6)));
  const logInfo = linePlotPng(join(dir, 'log.png'), { series: [{ x: [0, 1, 2, 3], y: [0, 1, 10, 100] }], logy: true });
  assert.ok(logInfo.ylim[0] > 0 && logInfo.ylim[1] >= 100);
  const [, y1] = logInfo.toPixel(1, 1);
  const [, y10] = logInfo.toPixel(2, 10);
  const [, y100] = logInfo.toPixel(3, 100);
  assert.ok(Math.abs(y1 - y10 - (y10 - y100)) < 1e-9, 'decades are equally spaced');
});

test('bar plot: bar heights follow the values; category k sits at x = k', () => {
  const p = join(dir, 'bar.png');
  const info = barPlotPng(p, { categories: ['a', 'b'], groups: [{ label: 'g', values: [1, 2], color: '#ff0000' }], ylim: [0, 4], width: 300, height: 240, valueLabels: true, legend: 'none' });
  const img = readPng(p);
  const [x0, yTop0] = info.toPixel(0, 1);
  const [x1, yTop1] = info.toPixel(1, 2);
  const [, yBase] = info.toPixel(0, 0);
  assert.deepEqual(pixel(img, x0, (yTop0 + yBase) / 2), RED);
  assert.ok(isBackground(pixel(img, x0, yTop0 - 14)), 'above bar a (and its value label)');
  assert.deepEqual(pixel(img, x1, yTop0 - 14), RED, 'bar b is taller');
  assert.ok(isBackground(pixel(img, x1, yTop1 - 14)));
  assert.throws(() => barPlotPng(join(dir, 'x.png'), { categories: ['a'], groups: [{ label: 'g', values: [1, 2] }] }), /bar group 'g' has 2 values for 1 categories/);
});

test('image grid: [-1, 1] maps to black..white, NaN to magenta, layouts HWC and CHW', () => {
  const p = join(dir, 'grid.png');
  const h = 4;
  const w = 3;
  const gray = (v: number): Float32Array => new Float32Array(h * w).fill(v);
  const nan = gray(0);
  nan[5] = NaN; // row 1, col 2
  const info = imageGridPng(p, [gray(-1), gray(0), gray(1), nan], { rows: 2, cols: 2, channels: 1, height: h, width: w, scale: 2, pad: 1, labels: ['first prompt', 'second'] });
  const img = readPng(p);
  assert.equal(img.width, info.width);
  assert.equal(img.height, info.height);
  const at = (r: number, c: number, y: number, x: number): number[] => {
    const [cx, cy] = info.cell(r, c);
    return pixel(img, cx + x * 2, cy + y * 2);
  };
  assert.deepEqual(at(0, 0, 0, 0), [0, 0, 0]);
  assert.deepEqual(at(0, 1, 3, 2), [128, 128, 128]);
  assert.deepEqual(at(1, 0, 2, 1), [255, 255, 255]);
  assert.deepEqual(at(1, 1, 1, 2), [255, 0, 255]);
  assert.deepEqual(at(1, 1, 1, 1), [128, 128, 128]);
  // Row labels are drawn left of the first column.
  const [gx] = info.cell(0, 0);
  let ink = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < gx - 1; x++) if (pixel(img, x, y).join() !== '255,255,255') ink++;
  assert.ok(ink > 30, 'labels have ink');

  // 1x2 RGB image: pixel 0 red, pixel 1 blue, given in both layouts.
  const hwc = Float32Array.from([1, -1, -1, -1, -1, 1]);
  const chw = Float32Array.from([1, -1, -1, -1, -1, 1]); // R: [1,-1], G: [-1,-1], B: [-1,1]
  const q = join(dir, 'rgb.png');
  for (const [layout, data] of [['HWC', hwc], ['CHW', chw]] as const) {
    const gi = imageGridPng(q, [data], { rows: 1, cols: 1, channels: 3, height: 1, width: 2, layout, scale: 1, pad: 0 });
    const im = readPng(q);
    const [cx, cy] = gi.cell(0, 0);
    assert.deepEqual(pixel(im, cx, cy), [255, 0, 0], layout);
    assert.deepEqual(pixel(im, cx + 1, cy), [0, 0, 255], layout);
  }
  assert.throws(() => imageGridPng(q, [new Float32Array(5)], { rows: 1, cols: 1, channels: 3, height: 1, width: 2 }), /image 0 has 5 values, expected 1 x 2 x 3 = 6/);
});

test('wrapText wraps on words, splits long words and marks a cut with ..', () => {
  assert.deepEqual(wrapText('a photo of a cat', 8, 3), ['a photo', 'of a cat']);
  assert.deepEqual(wrapText('abcdefghij', 4, 5), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapText('one two three four five', 9, 2), ['one two', 'three..']);
});

test('line decimation keeps each pixel column\'s extremes and leaves short series alone', async () => {
  const { decimate } = await import('../../../runtime/plot/line.js');
  const n = 10000;
  const xs = Float64Array.from({ length: n }, (_, i) => (i / n) * 100); // 100 px wide
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const [dx, dy] = decimate(xs, ys, 100);
  assert.ok(dx.length <= 400 && dx.length >= 200, `${dx.length} points`);
  for (let col = 0; col < 100; col++) {
    const idx = [...xs.keys()].filter((k) => Math.floor(xs[k]!) === col);
    const want = [Math.min(...idx.map((k) => ys[k]!)), Math.max(...idx.map((k) => ys[k]!))];
    const got = [...dx.keys()].filter((k) => Math.floor(dx[k]!) === col).map((k) => dy[k]!);
    assert.equal(Math.min(...got), want[0]);
    assert.equal(Math.max(...got), want[1]);
  }
  const short = Float64Array.from([0, 1, 2]);
  assert.equal(decimate(short, short, 100)[0], short);
});
