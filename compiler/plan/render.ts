// Text form of a PlanReport for `sidc plan` (the CLI may also print the report as JSON).
import type { PlanReport } from './plan.js';

const f1 = (x: number): string => x.toFixed(1);

export function renderPlan(p: PlanReport): string {
  const lines: string[] = [];
  lines.push(`${p.recipe}: teacher ${p.teacher} (${(p.params / 1e9).toFixed(2)}B parameters) on ${p.devices}`);
  lines.push(
    `  peak memory ${f1(p.peak_gb_per_device)} GB allocated per device (stage ${p.peak_stage}, ` +
      `${p.peak_phase} phase); ~${f1(p.reserved_gb_per_device)} GB reserved with fragmentation and CUDA context`,
  );
  lines.push(`  ${p.fits ? 'fits' : 'DOES NOT FIT'} ${p.device_memory_gb} GB devices`);
  const width = Math.max(...p.terms.map((t) => t.name.length));
  for (const t of p.terms) lines.push(`    ${t.name.padEnd(width)}  ${f1(t.gb).padStart(6)} GB   ${t.formula}`);
  if (p.host_gb_per_device > 0) lines.push(`    (host memory per device: ${f1(p.host_gb_per_device)} GB)`);
  lines.push(
    `  time: ${p.seconds_per_1k_images.toFixed(0)} s per 1k images (${(p.seconds_per_1k_images / 3.6).toFixed(0)} h per 1M); ${(p.flops_per_image / 1e12).toFixed(1)} TFLOP per image`,
  );
  for (const t of p.time_terms) lines.push(`    ${t.name.padEnd(26)} ${t.seconds.toFixed(1).padStart(8)} s   ${t.formula}`);
  if (p.stages.length > 1) {
    for (const s of p.stages)
      lines.push(`  stage ${s.name} (${s.kind}, ${s.policy}): ${f1(s.peak_gb)} GB, ${s.seconds_per_1k_images.toFixed(0)} s per 1k images`);
  }
  return lines.join('\n');
}
