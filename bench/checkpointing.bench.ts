// hardware.gradient_checkpointing on the torch engine: speed and memory of a DiT and a FLUX block stack (D = 128,
// 256 image tokens, batch 8, fp32, one CPU thread) trained w.r.t. their weights, with checkpointing off and on.
// Each measurement is a fresh process (bench/checkpointing_torch.py) so its peak RSS is its own; it runs with
// MALLOC_MMAP_THRESHOLD_=65536 so that freed activations go back to the OS at once and RSS follows the live
// tensors (glibc's default keeps freed blocks in the heap, which hides the difference). Modes alternate over
// CHECKPOINTING_BENCH_ROUNDS (2) rounds; per mode the run with the lower CPU time is reported. Beside it: bytes
// autograd keeps after the forward and `sidc plan`'s activation model for the same stacks (activations.ts).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { passActivations } from '../compiler/plan/activations.js';
import { childEnv, findTorchPython } from '../runtime/torch/launch.js';
import { stackPlanConfig } from '../test/runtime/fixtures/block-stacks.js';

export const name = 'checkpointing';

const STACKS = {
  dit: { kind: 'dit', hidden: 128, depth: 8, heads: 4, side: 64, patch: 4, batch: 8 },
  flux: { kind: 'flux', double: 2, single: 4, heads: 4, head_dim: 32, rope: [8, 12, 12], text_tokens: 8, latent: 32, batch: 8 },
};

interface Measured {
  seconds: number;
  cpu_seconds: number;
  saved_bytes: number;
  rss_growth_bytes: number;
  params: number;
}

function planOf(kind: 'dit' | 'flux'): { params: number; checkpointed: number } {
  const { config, resolution } = kind === 'dit' ? stackPlanConfig('dit', STACKS.dit) : stackPlanConfig('flux', STACKS.flux);
  return passActivations(config, resolution, { stream: 4, act: 4, f32: 4 });
}

const mb = (b: number): number => +(b / 2 ** 20).toFixed(1);

export async function run(): Promise<Record<string, unknown>> {
  const probe = findTorchPython();
  if (!probe.found) return { status: 'torch unavailable', tried: probe.tried };
  const repeats = Number(process.env.CHECKPOINTING_BENCH_REPEATS ?? 3);
  const rounds = Number(process.env.CHECKPOINTING_BENCH_ROUNDS ?? 2);
  const env = { ...childEnv(), OMP_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: '65536' };
  const load = os.loadavg()[0];
  const out: Record<string, unknown> = {};
  for (const [kind, spec] of Object.entries(STACKS) as ['dit' | 'flux', (typeof STACKS)['dit' | 'flux']][]) {
    const best: Record<string, Measured> = {};
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['off', 'on']) {
        const p = spawnSync(probe.found.python, ['bench/checkpointing_torch.py', JSON.stringify(spec), mode, String(repeats)], { env, encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`checkpointing bench: ${kind} ${mode} failed: ${(p.stderr ?? '').slice(-600)}`);
        const m = JSON.parse(p.stdout.trim().split('\n').pop()!) as Measured;
        if (!best[mode] || m.cpu_seconds < best[mode]!.cpu_seconds) best[mode] = m;
      }
    }
    const off = best.off!;
    const on = best.on!;
    const plan = planOf(kind);
    const b = spec.batch;
    out[kind] = {
      spec,
      params: off.params,
      off: { cpu_s: +off.cpu_seconds.toFixed(3), wall_s: +off.seconds.toFixed(3), saved_mb: mb(off.saved_bytes), rss_growth_mb: mb(off.rss_growth_bytes) },
      on: { cpu_s: +on.cpu_seconds.toFixed(3), wall_s: +on.seconds.toFixed(3), saved_mb: mb(on.saved_bytes), rss_growth_mb: mb(on.rss_growth_bytes) },
      time_ratio_on_off: +(on.cpu_seconds / off.cpu_seconds).toFixed(2),
      saved_ratio_off_on: +(off.saved_bytes / on.saved_bytes).toFixed(1),
      rss_growth_ratio_off_on: +(off.rss_growth_bytes / on.rss_growth_bytes).toFixed(1),
      plan_saved_mb: { off: mb(b * plan.params), on: mb(b * plan.checkpointed) },
    };
    process.stderr.write(`checkpointing: ${kind} ${JSON.stringify(out[kind])}\n`);
  }
  return { torch: probe.found.torch, threads: 1, repeats, rounds, load_average_at_start: load, ...out };
}
