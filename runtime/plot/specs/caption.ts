// Text placed at pixel positions on a transparent picture of a given size: the titles and labels of
// sample grids, rendered by the same vega -> resvg path (and font) as the charts, then composited.
import type { TopLevelSpec } from 'vega-lite';
import { SCHEMA, asSpec } from './common.js';

export interface Caption {
  /** anchor in px from the top-left */
  x: number;
  y: number;
  text: string;
  align: 'left' | 'center' | 'right';
  baseline: 'top' | 'middle' | 'bottom';
  /** font size in px */
  size: number;
  bold?: boolean;
  color?: string;
}

export function captionSpec(width: number, height: number, captions: Caption[]): TopLevelSpec {
  // vega-lite cannot encode align/baseline/weight per datum: one text layer per combination
  const layers = new Map<string, Caption[]>();
  for (const c of captions) {
    const key = `${c.align} ${c.baseline} ${c.bold ? 'bold' : 'normal'}`;
    if (!layers.has(key)) layers.set(key, []);
    layers.get(key)!.push(c);
  }
  const pixel = (field: string) => ({ field, type: 'quantitative', scale: null, axis: null });
  const layer = [...layers].map(([key, cs]) => {
    const [align, baseline, weight] = key.split(' ');
    return {
      data: { values: cs.map((c) => ({ x: c.x, y: c.y, text: c.text, size: c.size, color: c.color ?? '#3c3c3c' })) },
      mark: { type: 'text', align, baseline, fontWeight: weight },
      encoding: {
        x: pixel('x'),
        y: pixel('y'),
        text: { field: 'text' },
        size: { field: 'size', type: 'quantitative', scale: null },
        color: { field: 'color', type: 'nominal', scale: null },
      },
    };
  });
  return asSpec({
    $schema: SCHEMA,
    width,
    height,
    autosize: 'none',
    padding: 0,
    background: 'transparent',
    config: { view: { stroke: null } },
    layer: layer.length ? layer : [{ data: { values: [] }, mark: 'text' }],
  });
}
