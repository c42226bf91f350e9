// vega-lite spec -> vega view -> SVG -> PNG (resvg), in this thread. vega, vega-lite and resvg are
// imported on first use only, so commands that draw nothing never load them (about a second).
import type { TopLevelSpec } from 'vega-lite';
import { readAdvances } from './font-metrics.js';
import { fontSetup } from './fonts.js';

/** A scale of the rendered view, enough to map data to pixels without vega (see plot-info.ts). */
export interface ScaleInfo {
  type: string;
  domain: unknown[];
  range: number[];
  /** band scales: width of one band, and where each domain value's band starts */
  bandwidth?: number;
  starts?: number[];
}

export interface Rendered {
  svg: string;
  png: Uint8Array;
  /** PNG size in pixels (the SVG's size times `scale`) */
  width: number;
  height: number;
  /** top-left of the data rectangle in SVG units, and its size */
  origin: [number, number];
  plotWidth: number;
  plotHeight: number;
  scales: Record<string, ScaleInfo>;
}

export interface RenderOptions {
  /** PNG pixels per SVG unit (default 1) */
  scale?: number;
}

type Modules = [typeof import('vega'), typeof import('vega-lite'), typeof import('@resvg/resvg-js')];
let modules: Promise<Modules> | undefined;
const load = (): Promise<Modules> =>
  (modules ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then((m) => {
    measureWithFont(m[0]);
    return m;
  }));

/** Makes vega measure text with the font resvg draws it in (vega's own guess is 0.8 em a character). */
function measureWithFont(vega: typeof import('vega')): void {
  const files = fontSetup().metrics;
  if (!files) return; // no DejaVu to measure: keep vega's estimate
  const regular = readAdvances(files.regular);
  const bold = readAdvances(files.bold);
  const v = vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number }; fontSize: (item: TextItem) => number };
  v.textMetrics.width = (item, text) => {
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || Number(w) >= 600;
    const full = (isBold ? bold : regular).width(text == null ? '' : String(text).trim(), v.fontSize(item));
    return item.limit && item.limit > 0 ? Math.min(full, item.limit) : full; // vega truncates to `limit`
  };
}

interface TextItem {
  fontWeight?: string | number;
  limit?: number;
}

/** Compiles a vega-lite spec to vega, collecting vega-lite's warnings; throws its message if invalid. */
export async function compileSpec(spec: TopLevelSpec): Promise<{ vega: object; warnings: string[] }> {
  const [, vl] = await load();
  const warnings: string[] = [];
  const say = (...m: unknown[]) => void warnings.push(m.join(' '));
  const logger: object = { level: () => logger, error: say, warn: say, info: () => logger, debug: () => logger };
  return { vega: vl.compile(spec, { logger: logger as never }).spec, warnings };
}

export async function renderSpecAsync(spec: TopLevelSpec, opts: RenderOptions = {}): Promise<Rendered> {
  const [vega, vl, resvg] = await load();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  const scales: Record<string, ScaleInfo> = {};
  for (const name of ['x', 'y']) {
    let s: ReturnType<typeof view.scale>;
    try {
      s = view.scale(name);
    } catch {
      continue; // no such scale (caption specs)
    }
    if (!s) continue;
    const domain = s.domain() as unknown[];
    const info: ScaleInfo = { type: s.type as string, domain, range: (s.range() as number[]).map(Number) };
    if (typeof s.bandwidth === 'function') {
      info.bandwidth = s.bandwidth() as number;
      info.starts = domain.map((d) => Number(s(d)));
    }
    scales[name] = info;
  }
  const scale = opts.scale ?? 1;
  // only resvg's own keys: an unknown key makes resvg drop all options silently
  const { fontFiles, loadSystemFonts, defaultFontFamily, sansSerifFamily } = fontSetup();
  const font = { fontFiles, loadSystemFonts, defaultFontFamily, sansSerifFamily };
  const image = new resvg.Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font }).render();
  const [ox, oy] = view.origin() as [number, number];
  const pad = view.padding() as { left?: number; top?: number };
  const origin: [number, number] = [ox + (pad.left ?? 0), oy + (pad.top ?? 0)]; // the SVG's root translate
  view.finalize();
  return {
    svg,
    png: new Uint8Array(image.asPng()),
    width: image.width,
    height: image.height,
    origin,
    plotWidth: view.width(),
    plotHeight: view.height(),
    scales,
  };
}
