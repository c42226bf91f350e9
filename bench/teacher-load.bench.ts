// Peak host memory of loading a family teacher on the torch engine (every rank of a multi-process run does it):
// a generated mid-size FLUX (D 768, 4 double + 8 single blocks, 160M weights as bf16 shards of <= 100 MB) built
// into float32 and bfloat16, by the engine's streamed loader (sidc_torch/formats/safetensors.py Checkpoint: one
// stored tensor at a time) and by reading the whole checkpoint first (read_checkpoint, the loader before it).
// Each load is a fresh process (bench/teacher_load.py) reporting its peak-RSS growth (ru_maxrss), run with
// MALLOC_MMAP_THRESHOLD_=65536 so freed tensors leave the RSS at once; beside it the bytes of the built module.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, findTorchPython } from '../runtime/torch/launch.js';

export const name = 'teacher-load';

interface Load {
  rss_growth_bytes: number;
  seconds: number;
  weights_bytes: number;
}

const mb = (b: number): number => +(b / 2 ** 20).toFixed(1);

export async function run(): Promise<Record<string, unknown>> {
  const probe = findTorchPython();
  if (!probe.found) return { status: 'torch unavailable', tried: probe.tried };
  const py = probe.found.python;
  const env = { ...childEnv(), OMP_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: '65536' };
  const dir = join('runs', 'bench-teacher-load');
  const call = (args: string[]): string => {
    const r = spawnSync(py, ['bench/teacher_load.py', ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`teacher-load: ${args.join(' ')} failed: ${(r.stderr ?? '').slice(-600)}`);
    return r.stdout.trim().split('\n').pop()!;
  };
  const teacher = existsSync(join(dir, 'transformer', 'config.json')) ? null : (JSON.parse(call(['generate', dir])) as { params: number; bytes: number });
  const rows: Record<string, unknown>[] = [];
  for (const dtype of ['float32', 'bfloat16']) {
    for (const mode of ['whole', 'streamed']) {
      const l = JSON.parse(call(['load', dir, mode, dtype])) as Load;
      rows.push({
        dtype,
        mode,
        rss_growth_mb: mb(l.rss_growth_bytes),
        weights_mb: mb(l.weights_bytes),
        rss_over_weights: +(l.rss_growth_bytes / l.weights_bytes).toFixed(3),
        seconds: +l.seconds.toFixed(2),
      });
      process.stderr.write(`teacher-load: ${JSON.stringify(rows[rows.length - 1])}\n`);
    }
  }
  return { teacher: dir, ...(teacher ? { generated: teacher } : {}), stored: 'bf16 shards of <= 100 MB', rows };
}
