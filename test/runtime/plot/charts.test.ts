// Each chart kind: its spec compiles with vega-lite without a warning; written to disk, the PNG decodes
// to the expected size with marks at the pixels the returned mapping names, the .vl.json and .svg lie
// beside it, and nothing temporary is left. Sample grids: exact pixel colours and caption ink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHARTS,
  barPlotPng,
  barSpec,
  decimate,
  imageGridPng,
  linePlotPng,
  lineSpec,
  readPng,
  renderSpec,
  scatterPng,
  scatterSpec,
  wrapText,
  type RGBAImage,
} from '../../../runtime/plot/index.js';
import { compileSpec } from '../../../runtime/plot/render-vega.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-plot-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function pixel(img: RGBAImage, x: number, y: number): number[] {
  const o = (Math.floor(y) * img.width + Math.floor(x)) * 4;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}
/** Reddish: the mark's colour, allowing antialiasing at its edge. */
const isRed = (p: number[]): boolean => p[0]! > 200 && p[1]! < 80 && p[2]! < 80;
/** Background: white, or the light grey of a grid line. */
const isBackground = (p: number[]): boolean => p.every((v) => v >= 220) && Math.max(...p) - Math.min(...p) < 8;
function inkIn(img: RGBAImage, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, y1); y++)
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, x1); x++) if (pixel(img, x, y).some((v) => v < 160)) n++;
  return n;
}

test('every chart kind builds a spec vega-lite compiles without a warning', async () => {
  const samples = {
    scatter: scatterSpec({
      series: [{ x: [0, 1], y: [1, 2], label: 'a', annotations: ['p', 'q'] }],
      rings: { x: [0], y: [0], series: [0] },
      title: 't',
      xlabel: 'x',
      ylabel: 'y',
      legend: 'left',
    }),
    line: lineSpec({
      series: [
        { x: [0, 1, 2], y: [1, NaN, 3], label: 'a', markers: true },
        { x: [0, 1], y: [2, 2] },
      ],
      logy: true,
      legend: 'right',
    }),
    bar: barSpec({
      categories: ['u', 'v'],
      groups: [
        { label: 'g', values: [1, 2] },
        { label: 'h', values: [2, 1] },
      ],
      valueLabels: true,
      legend: 'none',
    }),
  } as const;
  assert.deepEqual(Object.keys(samples).sort(), Object.keys(CHARTS).sort(), 'a sample per registered kind');
  for (const [kind, spec] of Object.entries(samples)) {
    const { vega, warnings } = await compileSpec(spec);
    assert.deepEqual(warnings, [], kind);
    assert.ok((vega as { marks?: unknown[] }).marks?.length, `${kind}: compiled to marks`);
  }
});

test('scatter: a point at data (0, 0) lands at the centre of the data area, in its colour; files beside the PNG', () => {
  const p = join(dir, 'scatter.png');
  const opts = {
    series: [{ x: [0, 0.5], y: [0, -0.5], color: '#ff0000', radius: 4, alpha: 1, label: 'red { "quoted" }', annotations: ['', ''] }],
    xlim: [-1, 1] as [number, number],
    ylim: [-1, 1] as [number, number],
    width: 300,
    height: 240,
    title: 'T',
    xlabel: 'x',
    ylabel: 'y',
    legend: 'none' as const,
  };
  const info = scatterPng(p, opts);
  const img = readPng(p);
  assert.deepEqual([img.width, img.height], [600, 480], 'scale 2 by default');
  const a = info.area;
  const [cx, cy] = info.toPixel(0, 0);
  assert.ok(Math.abs(cx - (a.x0 + a.x1) / 2) < 1e-6 && Math.abs(cy - (a.y0 + a.y1) / 2) < 1e-6);
  assert.ok(isRed(pixel(img, cx, cy)), `centre ${pixel(img, cx, cy)}`);
  const [qx, qy] = info.toPixel(0.5, -0.5);
  assert.ok(qx > cx && qy > cy, 'x grows right, y grows up');
  assert.ok(isRed(pixel(img, qx, qy)));
  assert.ok(isBackground(pixel(img, (cx + qx) / 2, (cy + qy) / 2 + 20)), 'nothing between the points');
  assert.ok(inkIn(img, 0, 0, img.width, a.y0 - 2) > 20, 'title');
  assert.ok(inkIn(img, 0, a.y1 + 2, img.width, img.height) > 20, 'x ticks and label');
  assert.ok(inkIn(img, 0, 0, a.x0 - 2, img.height) > 20, 'y ticks and label');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'scatter.vl.json'), 'utf8')), JSON.parse(JSON.stringify(scatterSpec(opts))), 'the spec beside the PNG');
  assert.match(readFileSync(join(dir, 'scatter.svg'), 'utf8'), /^<svg[^>]* width="300" height="240"/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
    'written atomically, no temp left',
  );
});

test('scatter: mismatched x/y lengths are an error naming the series', () => {
  assert.throws(
    () => scatterPng(join(dir, 'bad.png'), { series: [{ x: [1, 2], y: [1], label: 'mode 3' }] }),
    /scatter series 0 \(mode 3\): x has 2 values but y has 1/,
  );
  assert.equal(existsSync(join(dir, 'bad.png')), false);
});

test('line plot: a horizontal line at y = 0.5 crosses the middle of the area; on a log axis decades are straight', () => {
  const p = join(dir, 'line.png');
  const info = linePlotPng(p, {
    series: [{ x: [0, 1], y: [0.5, 0.5], color: '#ff0000', width: 3 }],
    xlim: [0, 1],
    ylim: [0, 1],
    width: 200,
    height: 160,
    scale: 1,
  });
  const img = readPng(p);
  assert.deepEqual([img.width, img.height], [200, 160]);
  const a = info.area;
  const y = (a.y0 + a.y1) / 2;
  assert.ok(isRed(pixel(img, (a.x0 + a.x1) / 2, y)));
  assert.ok(isBackground(pixel(img, (a.x0 + a.x1) / 2, y - 6)));
  // (1, 1), (2, 10), (3, 100) lie on one straight line on a log y axis: the polyline passes (2, 10) exactly
  const q = join(dir, 'log.png');
  const logInfo = linePlotPng(q, { series: [{ x: [0, 1, 3], y: [0, 1, 100], color: '#ff0000', width: 3 }], logy: true });
  const logImg = readPng(q);
  assert.ok(logInfo.ylim[0] > 0 && logInfo.ylim[0] <= 1 && logInfo.ylim[1] >= 100, `${logInfo.ylim}`);
  const [x10, y10] = logInfo.toPixel(2, 10);
  assert.ok(isRed(pixel(logImg, x10, y10)), `${pixel(logImg, x10, y10)} at (2, 10)`);
  assert.ok(isBackground(pixel(logImg, x10, y10 - 20)));
});

test('bar plot: bar heights follow the values; category k sits at x = k', () => {
  const p = join(dir, 'bar.png');
  const info = barPlotPng(p, {
    categories: ['a', 'b'],
    groups: [{ label: 'g', values: [1, 2], color: '#ff0000' }],
    ylim: [0, 4],
    width: 300,
    height: 240,
    valueLabels: true,
    legend: 'none',
  });
  const img = readPng(p);
  const [x0, yTop0] = info.toPixel(0, 1);
  const [x1, yTop1] = info.toPixel(1, 2);
  const [, yBase] = info.toPixel(0, 0);
  assert.ok(isRed(pixel(img, x0, (yTop0 + yBase) / 2)));
  assert.ok(isBackground(pixel(img, x0, yTop0 - 40)), 'above bar a (and its value label)');
  assert.ok(isRed(pixel(img, x1, yTop0 - 40)), 'bar b is taller');
  assert.ok(isBackground(pixel(img, x1, yTop1 - 40)));
  assert.throws(
    () => barPlotPng(join(dir, 'x.png'), { categories: ['a'], groups: [{ label: 'g', values: [1, 2] }] }),
    /bar group 'g' has 2 values for 1 categories/,
  );
});

test('a spec vega cannot render is an error naming it, and the renderer keeps working', () => {
  assert.throws(() => renderSpec({ mark: 'no-such-mark', data: { values: [] } } as never), /^Error: plot rendering failed: \S/);
  assert.equal(renderSpec(lineSpec({ series: [{ x: [0, 1], y: [0, 1] }], width: 100, height: 80 }), { scale: 1 }).width, 100);
});

test('image grid: [-1, 1] maps to black..white, NaN to magenta, layouts HWC and CHW; captions have ink', () => {
  const p = join(dir, 'grid.png');
  const h = 4;
  const w = 3;
  const gray = (v: number): Float32Array => new Float32Array(h * w).fill(v);
  const nan = gray(0);
  nan[5] = NaN; // row 1, col 2
  const info = imageGridPng(p, [gray(-1), gray(0), gray(1), nan], {
    rows: 2,
    cols: 2,
    channels: 1,
    height: h,
    width: w,
    scale: 2,
    pad: 1,
    labels: ['first prompt', 'second'],
    title: 'Grid',
  });
  const img = readPng(p);
  assert.deepEqual([img.width, img.height], [info.width, info.height]);
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('grid.') && f !== 'grid.png').length, 0, 'a grid is a PNG only');
  const at = (r: number, c: number, y: number, x: number): number[] => {
    const [cx, cy] = info.cell(r, c);
    return pixel(img, cx + x * 2, cy + y * 2);
  };
  assert.deepEqual(at(0, 0, 0, 0), [0, 0, 0]);
  assert.deepEqual(at(0, 1, 3, 2), [128, 128, 128]);
  assert.deepEqual(at(1, 0, 2, 1), [255, 255, 255]);
  assert.deepEqual(at(1, 1, 1, 2), [255, 0, 255]);
  assert.deepEqual(at(1, 1, 1, 1), [128, 128, 128]);
  const [gx, gy] = info.cell(0, 0);
  assert.ok(inkIn(img, 0, gy, gx - 1, img.height) > 30, 'row labels left of the first column');
  assert.ok(inkIn(img, 0, 0, img.width, gy - 1) > 30, 'title above the cells');

  // 1x2 RGB image: pixel 0 red, pixel 1 blue, given in both layouts.
  const hwc = Float32Array.from([1, -1, -1, -1, -1, 1]);
  const chw = Float32Array.from([1, -1, -1, -1, -1, 1]); // R: [1,-1], G: [-1,-1], B: [-1,1]
  const q = join(dir, 'rgb.png');
  for (const [layout, data] of [
    ['HWC', hwc],
    ['CHW', chw],
  ] as const) {
    const gi = imageGridPng(q, [data], { rows: 1, cols: 1, channels: 3, height: 1, width: 2, layout, scale: 1, pad: 0 });
    const im = readPng(q);
    const [cx, cy] = gi.cell(0, 0);
    assert.deepEqual(pixel(im, cx, cy), [255, 0, 0], layout);
    assert.deepEqual(pixel(im, cx + 1, cy), [0, 0, 255], layout);
  }
  assert.throws(
    () => imageGridPng(q, [new Float32Array(5)], { rows: 1, cols: 1, channels: 3, height: 1, width: 2 }),
    /image 0 has 5 values, expected 1 x 2 x 3 = 6/,
  );
});

test('wrapText wraps on words, splits long words and marks a cut with ..', () => {
  assert.deepEqual(wrapText('a photo of a cat', 8, 3), ['a photo', 'of a cat']);
  assert.deepEqual(wrapText('abcdefghij', 4, 5), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapText('one two three four five', 9, 2), ['one two', 'three..']);
});

test("line decimation keeps each column's extremes and leaves short series alone", () => {
  const n = 10000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const col = (x: number): number => Math.min(99, Math.floor((x / (n - 1)) * 100));
  const [dx, dy] = decimate(xs, ys, 100);
  assert.ok(dx.length <= 400 && dx.length >= 200, `${dx.length} points`);
  for (let c = 0; c < 100; c++) {
    const idx = [...xs.keys()].filter((k) => col(xs[k]!) === c);
    const want = [Math.min(...idx.map((k) => ys[k]!)), Math.max(...idx.map((k) => ys[k]!))];
    const got = [...dx.keys()].filter((k) => col(dx[k]!) === c).map((k) => dy[k]!);
    assert.equal(Math.min(...got), want[0]);
    assert.equal(Math.max(...got), want[1]);
  }
  const short = Float64Array.from([0, 1, 2]);
  assert.equal(decimate(short, short, 100)[0], short);
});
