// `npm run bench`: runs every bench/*.bench.ts module (compiled to dist/bench/*.bench.js) and writes one
// JSON report to bench-results.json (and stdout). Each module exports
//   export const name: string;
//   export async function run(): Promise<Record<string, unknown>>;
// Usage: node dist/bench/run.js [substring-filter ...] [--out file.json]
import { readdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1]! : 'bench-results.json';
// without --out, outIdx + 1 is 0: compare against -1 then, or the first filter would be dropped
const filters = args.filter((a, i) => a !== '--out' && (outIdx < 0 || i !== outIdx + 1));

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .sort();
const results: Record<string, unknown> = {};
for (const f of files) {
  if (filters.length && !filters.some((s) => f.includes(s))) continue;
  const mod = (await import(join(here, f))) as { name: string; heavy?: boolean; run: () => Promise<Record<string, unknown>> };
  if (mod.heavy && !filters.some((s) => mod.name.includes(s))) continue; // long trainings run only when named
  process.stderr.write(`bench: ${mod.name} ...\n`);
  const t0 = performance.now();
  results[mod.name] = await mod.run();
  process.stderr.write(`bench: ${mod.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const report = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version },
  results,
};
const text = JSON.stringify(report, null, 2) + '\n';
writeFileSync(out + '.tmp', text);
renameSync(out + '.tmp', out);
process.stdout.write(text);
