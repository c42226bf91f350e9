// The text measure vega lays out with comes from the font file resvg draws with; the palette.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAdvances } from '../../../runtime/plot/font-metrics.js';
import { fontSetup } from '../../../runtime/plot/fonts.js';
import { PALETTE, paletteColor, parseHex } from '../../../runtime/plot/index.js';

test('fonts: DejaVu Sans from the npm package, system fonts not loaded', () => {
  const f = fontSetup();
  assert.equal(f.loadSystemFonts, false);
  assert.ok(
    f.fontFiles.some((p) => p.includes('dejavu-fonts-ttf') && p.endsWith('DejaVuSans.ttf')),
    f.fontFiles.join(),
  );
});

test('advance widths read from DejaVu Sans match its published metrics (units of 2048 per em)', () => {
  const m = readAdvances(fontSetup().metrics!.regular);
  assert.equal(m.width(' ', 2048), 651); // space
  for (const d of '0123456789') assert.equal(m.width(d, 2048), 1303, `digit ${d}`); // tabular digits
  assert.ok(m.width('i', 10) < m.width('m', 10));
  assert.equal(m.width('mi', 10), m.width('m', 10) + m.width('i', 10));
  assert.ok(m.width('π', 10) > 0, 'Greek letters have glyphs');
  const bold = readAdvances(fontSetup().metrics!.bold);
  assert.ok(bold.width('density', 12) > m.width('density', 12));
});

test('vega, vega-lite and resvg are only ever imported dynamically (commands that do not plot never load them)', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  const offenders: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js') && /^\s*import\s[^(]*from\s+'(vega|vega-lite|@resvg\/resvg-js)'/m.test(readFileSync(p, 'utf8'))) offenders.push(p);
    }
  };
  for (const d of ['runtime', 'compiler', 'grammar']) walk(join(root, d));
  assert.deepEqual(offenders, []);
});

test('palette: 10 distinct class colours, then shaded variants, and hex parsing', () => {
  assert.equal(new Set(PALETTE).size, 10);
  const first30 = Array.from({ length: 30 }, (_, i) => paletteColor(i));
  assert.equal(new Set(first30).size, 30);
  assert.ok(first30.every((c) => /^#[0-9a-f]{6}$/.test(c)));
  assert.deepEqual(parseHex('#1f77b4'), [31, 119, 180]);
  assert.deepEqual(parseHex('#fff'), [255, 255, 255]);
  assert.throws(() => parseHex('blue'), /not #rrggbb/);
});
