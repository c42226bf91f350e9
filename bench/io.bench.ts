// Throughput of the file formats and plots the runtime writes every run: safetensors write/read per
// dtype (bf16/f16 rounding included), header-only reads of a many-tensor file, .npy, and PNG charts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type WritableDtype } from '../runtime/formats/safetensors.js';
import { readNpy, writeNpy } from '../runtime/formats/npy.js';
import { imageGridPng, linePlotPng, scatterPng } from '../runtime/plot/index.js';

export const name = 'io';

const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-bench-io-'));
  try {
    const n = 1 << 24; // 16M values = 64 MiB as F32
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const out: Record<string, unknown> = { values: n };
    for (const dtype of ['F32', 'BF16', 'F16'] as WritableDtype[]) {
      const p = join(dir, `${dtype}.safetensors`);
      const w = time(() => writeSafetensors(p, { w: { dtype, shape: [n], data } }));
      const r = time(() => readSafetensors(p));
      out[`safetensors_${dtype}`] = {
        write_s: +w.toFixed(3),
        read_s: +r.toFixed(3),
        write_Mvalues_per_s: +(n / w / 1e6).toFixed(1),
        read_Mvalues_per_s: +(n / r / 1e6).toFixed(1),
      };
    }
    const many: Record<string, { dtype: WritableDtype; shape: number[]; data: Float32Array }> = {};
    for (let i = 0; i < 2000; i++) many[`transformer_blocks.${i % 28}.attn.to_q.weight_${i}`] = { dtype: 'BF16', shape: [4], data: new Float32Array(4) };
    const mp = join(dir, 'many.safetensors');
    writeSafetensors(mp, many);
    out.header_2000_tensors_ms = +(time(() => readSafetensorsHeader(mp)) * 1000).toFixed(2);
    const np = join(dir, 'x.npy');
    const m = 1 << 20;
    out.npy_1M_f32 = {
      write_s: +time(() => writeNpy(np, { dtype: 'f4', shape: [m / 2, 2], data: data.subarray(0, m) })).toFixed(3),
      read_s: +time(() => readNpy(np)).toFixed(3),
    };
    const xs = Array.from({ length: 20000 }, (_, i) => Math.cos(i) * (1 + (i % 7)));
    const ys = Array.from({ length: 20000 }, (_, i) => Math.sin(i * 1.3) * (1 + (i % 5)));
    out.scatter_20k_points_s = +time(() => scatterPng(join(dir, 's.png'), { series: [{ x: xs, y: ys, label: 'samples' }], title: 'bench' })).toFixed(3);
    out.line_3x2000_s = +time(() =>
      linePlotPng(join(dir, 'l.png'), {
        series: [0, 1, 2].map((k) => ({ x: xs.slice(0, 2000).map((_, i) => i), y: ys.slice(0, 2000).map((v) => Math.abs(v) + k + 0.1), label: `s${k}` })),
        logy: true,
      }),
    ).toFixed(3);
    const imgs = Array.from({ length: 64 }, () => data.subarray(0, 32 * 32 * 3).map((v) => v / 3));
    out.grid_8x8_32px_rgb_s = +time(() =>
      imageGridPng(join(dir, 'g.png'), imgs, { rows: 8, cols: 8, channels: 3, height: 32, width: 32, labels: Array(8).fill('a photo of a cat') }),
    ).toFixed(3);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
