// Class and series colours as '#rrggbb' (the widely used "tab10" colours, which stay distinguishable for
// up to 10 classes; beyond that they repeat darker, then lighter). Specs carry them as vega-lite ranges.
export type RGB = readonly [number, number, number];

export const PALETTE: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** '#rrggbb' or '#rgb' -> RGB. */
export function parseHex(hex: string): RGB {
  const h = hex.replace(/^#/, '');
  const full =
    h.length === 3
      ? h
          .split('')
          .map((c) => c + c)
          .join('')
      : h;
  if (!/^[0-9a-fA-F]{6}$/.test(full)) throw new Error(`colour '${hex}' is not #rrggbb`);
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16)];
}

export const toHex = (c: RGB): string => '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');

/** Colour of class / series i: the palette, then shaded variants so classes 10..29 still differ. */
export function paletteColor(i: number): string {
  const base = PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  const round = Math.floor(i / PALETTE.length) % 3;
  if (round === 0) return base;
  // darker (60%), then lighter (45% of the way to white)
  const shade = (c: number): number => Math.round(round === 1 ? c * 0.6 : c + (255 - c) * 0.45);
  const [r, g, b] = parseHex(base);
  return toHex([shade(r), shade(g), shade(b)]);
}

/** A colour given as RGB or hex string. */
export type ColorLike = RGB | string;
export const toColor = (c: ColorLike): string => (typeof c === 'string' ? toHex(parseHex(c)) : toHex(c));
