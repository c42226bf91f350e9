// Text widths from the font file itself (TrueType 'cmap' format 4 + 'hmtx'), so vega lays out legends,
// axis titles and label limits for the glyphs resvg will actually draw. vega alone guesses 0.8 em per
// character, which for DejaVu Sans overestimates by about a third and leaves legends far too wide.
import { readFileSync } from 'node:fs';

export interface Advances {
  /** width of `text` at `size` px */
  width(text: string, size: number): number;
}

function table(buf: Buffer, tag: string): number {
  const n = buf.readUInt16BE(4);
  for (let i = 0; i < n; i++) if (buf.toString('latin1', 12 + 16 * i, 16 + 16 * i) === tag) return buf.readUInt32BE(20 + 16 * i);
  throw new Error(`font has no '${tag}' table`);
}

/** Glyph index of a BMP code point from the first Unicode format-4 cmap subtable; 0 = missing glyph. */
function cmap4(buf: Buffer): (code: number) => number {
  const cmap = table(buf, 'cmap');
  let sub = -1;
  for (let i = 0; i < buf.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const off = cmap + buf.readUInt32BE(rec + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) if (buf.readUInt16BE(off) === 4) sub = off;
  }
  if (sub < 0) throw new Error('font has no format-4 Unicode cmap');
  const segs = buf.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segs + 2;
  const deltas = starts + 2 * segs;
  const ranges = deltas + 2 * segs;
  return (code) => {
    for (let s = 0; s < segs; s++) {
      if (buf.readUInt16BE(ends + 2 * s) < code) continue;
      const start = buf.readUInt16BE(starts + 2 * s);
      if (start > code) return 0;
      const delta = buf.readInt16BE(deltas + 2 * s);
      const ro = buf.readUInt16BE(ranges + 2 * s);
      if (ro === 0) return (code + delta) & 0xffff;
      const g = buf.readUInt16BE(ranges + 2 * s + ro + 2 * (code - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

/** Advance widths of a TrueType file, cached per character. */
export function readAdvances(path: string): Advances {
  const buf = readFileSync(path);
  const unitsPerEm = buf.readUInt16BE(table(buf, 'head') + 18);
  const nMetrics = buf.readUInt16BE(table(buf, 'hhea') + 34);
  const hmtx = table(buf, 'hmtx');
  const glyphOf = cmap4(buf);
  const cache = new Map<number, number>();
  const em = (code: number): number => {
    let w = cache.get(code);
    if (w === undefined) {
      const g = code <= 0xffff ? glyphOf(code) : 0;
      w = buf.readUInt16BE(hmtx + 4 * Math.min(g, nMetrics - 1)) / unitsPerEm;
      cache.set(code, w);
    }
    return w;
  };
  return {
    width(text, size) {
      let w = 0;
      for (const ch of text) w += em(ch.codePointAt(0)!);
      return w * size;
    },
  };
}
