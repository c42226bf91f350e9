// The README's bf16 numbers (paper Section 4: do Adam updates survive bf16 weights?): the fraction of the
// generator's stored weights that change in 6 SiD iterations of a small 2-D distillation, per setting,
// over seeds (SIDC_BF16_SEEDS, default 0,1,2; the measurement is test/runtime/fixtures/bf16-updates.ts).
// Prints one line per setting (mean and range over seeds, in percent) and returns them as JSON.
import { initBackend } from '../runtime/tfjs/backend/select.js';
import { measureBf16Updates, type Bf16Updates } from '../test/runtime/fixtures/bf16-updates.js';

export const name = 'bf16-adam';

const LABELS: Record<keyof Bf16Updates, string> = {
  fp32: 'fp32, lr 1e-5, eps 1e-8',
  bf16: 'bf16, lr 1e-5, eps 1e-8',
  bf16_eps_1e4: 'bf16, lr 1e-5, eps 1e-4',
  bf16_lr_1e6: 'bf16, lr 1e-6, eps 1e-8',
  bf16_lr_1e4: 'bf16, lr 1e-4, eps 1e-8',
};

export async function run(): Promise<Record<string, unknown>> {
  await initBackend({ prefer: 'wasm' });
  const seeds = (process.env.SIDC_BF16_SEEDS ?? '0,1,2').split(',').map(Number);
  const perSeed = seeds.map((s) => measureBf16Updates(s));
  const summary: Record<string, { mean_percent: number; min_percent: number; max_percent: number }> = {};
  for (const key of Object.keys(LABELS) as (keyof Bf16Updates)[]) {
    const xs = perSeed.map((m) => 100 * m[key]);
    const row = {
      mean_percent: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2),
      min_percent: +Math.min(...xs).toFixed(2),
      max_percent: +Math.max(...xs).toFixed(2),
    };
    summary[key] = row;
    process.stderr.write(
      `bf16-adam: ${LABELS[key].padEnd(24)} weights changed ${row.mean_percent.toFixed(1)}% (seeds ${seeds.join(',')}: ${row.min_percent.toFixed(1)}-${row.max_percent.toFixed(1)}%)\n`,
    );
  }
  return { seeds, steps: 6, summary, per_seed: perSeed };
}
