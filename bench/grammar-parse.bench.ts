// Parse (and format) a generated 5,000-line recipe file: the compiler's check budget is 200 ms in total,
// so parsing must stay well under 100 ms after warm-up. Reports wall and CPU time (CPU time is what
// counts on a shared machine).
import { formatSid, parseSid } from '../grammar/index.js';

export const name = 'grammar-parse';

/** A realistic recipe file of about `lines` lines: every construct, comments included. */
export function generateRecipes(lines: number): string {
  const out: string[] = ['// generated for the parse benchmark', 'import "./base/sid-dit.sid"', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `// recipe ${i}: FLUX.1-dev -> four-step SiD-DiT`,
      `recipe r${i} extends sid_dit {`,
      `  teacher flux { config = "flux_dev"; checkpoint = "checkpoints/${i}" }`,
      '  guidance.teacher = embedded(4.5) // embedded guidance',
      '  data { prompts = "data/prompts.txt"; resolution = 512 px; text = precomputed("cache/flux-text") }',
      '  optimizer { lr = 1e-5; eps = 1e-4 }',
      '  hardware { devices = 8 x gpu(80 GB, 989 TFLOPS); shard = fsdp }',
      '  time { distribution = logit_normal(ln(2), 1.6) on (0, 1/3) }',
      '  loss { w(t) = (1 - t)^2 * 0.5; lambda_sid = 100; alpha = 1.2 }',
      '  train { length = 1M images; checkpoint_every = 10k images; sample_every = 2k images }',
      '  stage adversarial after sid { data.images = "data/mj"; adversarial.warmup = 20k images }',
      '}',
      '',
      `sweep s${i} over r${i} {`,
      '  time.interval in [(0, 1/3), (1/3, 2/3), (2/3, 1)]',
      '  grid { loss.alpha in [1, 1.2]; optimizer.lr in [1e-6, 1e-5] }',
      '}',
      '',
    );
  }
  return out.join('\n');
}

function measure(fn: () => void, runs: number): { wall_ms: number; cpu_ms: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return { wall_ms: +median(wall).toFixed(2), cpu_ms: +median(cpu).toFixed(2) };
}

/** The same recipes in canonical format (one entry per line), cut to whole items of about `lines` lines. */
export function generateCanonical(lines: number): string {
  const text = formatSid(generateRecipes(Math.ceil(lines / 2.5)), 'gen.sid').text;
  const all = text.split('\n');
  let end = Math.min(lines, all.length);
  while (end < all.length && all[end - 1] !== '}') end++; // finish the item
  return `${all.slice(0, end).join('\n')}\n`;
}

function one(text: string): Record<string, unknown> {
  for (let i = 0; i < 10; i++) parseSid(text, 'bench.sid'); // warm-up (JIT)
  const r = parseSid(text, 'bench.sid');
  return {
    lines: text.split('\n').length - 1,
    chars: text.length,
    problems: r.problems.length,
    parse_median: measure(() => parseSid(text, 'bench.sid'), 30),
    format_median: measure(() => formatSid(text, 'bench.sid'), 10),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    dense: one(generateRecipes(5000)), // several entries per line: ~12 tokens a line
    canonical: one(generateCanonical(5000)), // `sidc fmt` output: one entry per line
  };
}
