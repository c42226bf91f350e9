import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Canvas } from '../../../runtime/plot/canvas.js';
import { paletteColor, parseHex, PALETTE } from '../../../runtime/plot/color.js';
import { GLYPH_H, drawText, hasGlyph, textWidth } from '../../../runtime/plot/font.js';

const isWhite = (p: number[]): boolean => p[0] === 255 && p[1] === 255 && p[2] === 255;

test('blend mixes by alpha; pixels outside the canvas are ignored', () => {
  const c = new Canvas(4, 4);
  c.blend(1, 1, [0, 0, 0], 0.5);
  assert.deepEqual(c.get(1, 1), [128, 128, 128, 255]);
  c.blend(-1, 0, [0, 0, 0]);
  c.blend(4, 0, [0, 0, 0]);
  c.fillRect(2, 2, 10, 10, [255, 0, 0]);
  assert.deepEqual(c.get(3, 3), [255, 0, 0, 255]);
  assert.deepEqual(c.get(1, 2), [255, 255, 255, 255]);
});

test('disk: fully covered at the centre, untouched beyond its radius, soft at the edge', () => {
  const c = new Canvas(21, 21);
  c.disk(10.5, 10.5, 5, [0, 0, 255]);
  assert.deepEqual(c.get(10, 10), [0, 0, 255, 255]);
  assert.deepEqual(c.get(10, 16), [255, 255, 255, 255]); // centre distance 6 > 5.5
  const edge = c.get(10, 15); // centre distance 5: half covered
  assert.ok(edge[0]! > 0 && edge[0]! < 255, `edge pixel is blended: ${edge}`);
});

test('line: a horizontal 1-px line at a pixel centre fills that row only between its ends', () => {
  const c = new Canvas(20, 10);
  c.line(2.5, 4.5, 15.5, 4.5, [0, 0, 0], 1);
  for (let x = 3; x <= 15; x++) assert.deepEqual(c.get(x, 4), [0, 0, 0, 255], `x=${x}`);
  assert.ok(isWhite(c.get(8, 2)) && isWhite(c.get(8, 6)));
  assert.ok(isWhite(c.get(18, 4)));
  const diag = new Canvas(10, 10);
  diag.line(0, 0, 10, 10, [0, 0, 0], 1.5);
  assert.deepEqual(diag.get(5, 5), [0, 0, 0, 255]);
  assert.ok(isWhite(diag.get(8, 2)));
});

test('every printable ASCII character has a glyph, and all but space have ink', () => {
  for (let code = 32; code <= 126; code++) {
    const ch = String.fromCharCode(code);
    assert.ok(hasGlyph(ch), `glyph for '${ch}'`);
    const c = new Canvas(8, 10);
    drawText(c, ch, 1, 1, [0, 0, 0]);
    const inked = [...Array(80).keys()].some((i) => !isWhite(c.get(i % 8, Math.floor(i / 8))));
    assert.equal(inked, ch !== ' ', `ink for '${ch}'`);
  }
});

test('text ink stays inside the box drawText reports, and alignment moves it', () => {
  const c = new Canvas(120, 30);
  const box = drawText(c, 'Hello, SiD', 60, 15, [0, 0, 0], { align: 'center', valign: 'middle' });
  assert.equal(box.w, textWidth('Hello, SiD'));
  assert.equal(box.h, GLYPH_H);
  let inside = 0;
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < 120; x++) {
      if (isWhite(c.get(x, y))) continue;
      const inBox = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
      assert.ok(inBox, `ink at (${x}, ${y}) outside ${JSON.stringify(box)}`);
      inside++;
    }
  }
  assert.ok(inside > 50);
  assert.ok(Math.abs(box.x + box.w / 2 - 60) <= 1, 'centred');
  const v = new Canvas(30, 120);
  const vb = drawText(v, 'vertical', 10, 100, [0, 0, 0], { vertical: true });
  assert.equal(vb.h, textWidth('vertical'));
  assert.equal(vb.w, GLYPH_H);
});

test('palette: 10 distinct class colours, then shaded variants, and hex parsing', () => {
  assert.equal(new Set(PALETTE.map((c) => c.join())).size, 10);
  const first30 = Array.from({ length: 30 }, (_, i) => paletteColor(i).join());
  assert.equal(new Set(first30).size, 30);
  assert.deepEqual(parseHex('#1f77b4'), [31, 119, 180]);
  assert.deepEqual(parseHex('#fff'), [255, 255, 255]);
  assert.throws(() => parseHex('blue'), /not #rrggbb/);
});
