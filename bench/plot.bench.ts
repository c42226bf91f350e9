// Render time per plot kind (vega-lite spec -> vega SVG -> resvg PNG, files written): the first plot of a
// process, which also starts the render worker and loads vega, then each kind at the sizes the runtime
// draws (sample scatters of 512 and 2,000 points, plot-time's two curves, ...). Median of 3 runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barPlotPng, imageGridPng, linePlotPng, scatterPng, seriesByClass } from '../runtime/plot/index.js';

export const name = 'plot';

const ms = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const median = (f: () => void): number => +[ms(f), ms(f), ms(f)].sort((a, b) => a - b)[1]!.toFixed(0);

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-bench-plot-'));
  try {
    const pts = (n: number) => {
      const x = Array.from({ length: n }, (_, i) => Math.cos(i) * (1 + (i % 7)));
      const y = Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * (1 + (i % 5)));
      return seriesByClass(
        x,
        y,
        Array.from({ length: n }, (_, i) => i % 8),
      );
    };
    const t = Array.from({ length: 400 }, (_, i) => (i + 0.5) / 400);
    const out: Record<string, number> = {};
    out.first_plot_ms = +ms(() => linePlotPng(join(dir, 'first.png'), { series: [{ x: [0, 1], y: [0, 1] }] })).toFixed(0);
    out.line_2x400_ms = median(() =>
      linePlotPng(join(dir, 'pi.png'), {
        series: [
          { x: t, y: t.map((v) => 6 * v * (1 - v)), label: 'p(t)' },
          { x: t, y: t.map((v) => 2 * (1 - v)), label: 'pi(t)' },
        ],
        title: 'time density',
        xlabel: 't',
        ylabel: 'density',
      }),
    );
    out.line_log_3x2000_ms = median(() =>
      linePlotPng(join(dir, 'loss.png'), {
        series: [0, 1, 2].map((k) => ({
          x: Array.from({ length: 2000 }, (_, i) => i),
          y: Array.from({ length: 2000 }, (_, i) => Math.exp(-i / 500) + k + 0.1),
          label: `s${k}`,
        })),
        logy: true,
      }),
    );
    out.line_100k_decimated_ms = median(() =>
      linePlotPng(join(dir, 'long.png'), {
        series: [
          {
            x: Array.from({ length: 100_000 }, (_, i) => i),
            y: Array.from({ length: 100_000 }, (_, i) => 1 / (1 + i / 1000) + 0.1 * Math.sin(i)),
            label: 'loss',
          },
        ],
      }),
    );
    out.scatter_512_ms = median(() => scatterPng(join(dir, 's512.png'), { series: pts(512), title: 'bench' }));
    out.scatter_2000_ms = median(() => scatterPng(join(dir, 's2000.png'), { series: pts(2000), title: 'bench' }));
    out.scatter_20000_ms = median(() => scatterPng(join(dir, 's20k.png'), { series: pts(20000), title: 'bench' }));
    out.bar_4x2_ms = median(() =>
      barPlotPng(join(dir, 'bar.png'), {
        categories: ['a', 'b', 'c', 'd'],
        groups: [
          { label: 'coverage', values: [0.5, 0.6, 0.7, 0.8] },
          { label: 'precision', values: [0.9, 0.8, 0.7, 0.6] },
        ],
        valueLabels: true,
      }),
    );
    const imgs = Array.from({ length: 64 }, (_, k) => Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.01 + k)));
    out.grid_8x8_32px_labelled_ms = median(() =>
      imageGridPng(join(dir, 'g.png'), imgs, {
        rows: 8,
        cols: 8,
        channels: 3,
        height: 32,
        width: 32,
        labels: Array(8).fill('a photo of a cat'),
        title: 'bench',
      }),
    );
    out.grid_8x8_32px_unlabelled_ms = median(() => imageGridPng(join(dir, 'g0.png'), imgs, { rows: 8, cols: 8, channels: 3, height: 32, width: 32 }));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
