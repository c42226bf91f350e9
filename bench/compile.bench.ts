// Compiler speed: `sidc check` of every recipe under recipes/ (target < 1 s in total) and of a generated
// 5,000-line recipe file (target < 200 ms). Reports the median of several runs, in milliseconds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileText } from '../compiler/compile.js';
import { parseSid } from '../grammar/index.js';

export const name = 'compile';

function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!readdirSync(d).includes('package.json') || !readdirSync(d).includes('grammar')) d = dirname(d);
  return d;
}

function sidFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sidFiles(p, out);
    else if (f.endsWith('.sid')) out.push(p);
  }
  return out;
}

/** ~5,000 lines: 600 abstract parts (names, types, units checked) and one recipe extending a chain of them. */
export function generatedRecipe(lines = 5000): string {
  const out: string[] = ['// generated for bench/compile.bench.ts'];
  let i = 0;
  while (out.length < lines - 12) {
    const ext = i > 0 && i % 10 !== 0 ? ` extends part_${i - 1}` : '';
    out.push(
      `abstract recipe part_${i}${ext} {`,
      `  optimizer { lr = ${i + 1}e-7; beta2 = 0.999 }`,
      `  time.interval = (0, ${(1 + (i % 9)) / 10})`,
      `  train.seed = ${i}`,
      '  // a comment line',
      `  loss.lambda_sid = ${10 + i}`,
      `  w(t) = (1 - t)^2 + ${i} * t / 1000`,
      '}',
    );
    i++;
  }
  out.push(
    `recipe big extends part_${i - 1} {`,
    '  teacher sana { config = sana_600m }',
    '  data { prompts = "p.txt"; resolution = 512 px }',
    '  hardware.devices = 8 x gpu(80 GB, 989 TFLOPS)',
    '  hardware.shard = fsdp',
    '  batch { global = 256; per_device = 16; accumulate = 2 }',
    '}',
  );
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => void, runs: number): number {
  f(); // warm-up
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return +median(ts).toFixed(2);
}

export async function run(): Promise<Record<string, unknown>> {
  const root = findRoot();
  const files = sidFiles(join(root, 'recipes'));
  const texts = files.map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  let errors = 0;
  const recipesMs = time(() => {
    errors = 0;
    for (const { f, text } of texts) if (!compileText(text, f).ok) errors++;
  }, 7);
  const big = generatedRecipe();
  let bigOk = false;
  const bigMs = time(() => {
    bigOk = compileText(big, 'generated.sid').ok;
  }, 7);
  const bigCheckMs = time(() => void compileText(big, 'generated.sid', { lower: false }), 7);
  const bigParseMs = time(() => void parseSid(big, 'generated.sid'), 7); // the grammar's share of the total
  return {
    recipes: { files: files.length, files_with_errors: errors, ms_median: recipesMs, target_ms: 1000 },
    generated: {
      lines: big.split('\n').length - 1,
      ok: bigOk,
      ms_median: bigMs,
      check_only_ms_median: bigCheckMs,
      parse_only_ms_median: bigParseMs,
      target_ms: 200,
    },
  };
}
