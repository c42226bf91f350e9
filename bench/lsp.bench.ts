// Language server: diagnostics latency after an edit. A real client (test/lsp/client.ts) opens a
// 1,000-line recipe file (an abstract base and ~90 variants, bench/lsp-recipe.ts), edits it once at once
// (first_edit_after_open_ms: the server is still starting its compiler thread), waits a second, then makes
// 100 edits, each changing one variant's learning rate (every 10th to 0, out of range, repaired by the next edit, so
// the diagnostics really change), and 20 edits of the base that every variant extends; it times didChange
// -> the first publishDiagnostics for that version (the check) and the second (the full compile with the
// plan's SID4xxx). Target: p95 < 50 ms on the dev machine.
import { compileSource } from '../compiler/api.js';
import { parseSid } from '../grammar/index.js';
import { LspClient, positionAt } from '../test/lsp/client.js';
import { recipeText } from './lsp-recipe.js';

export const name = 'lsp';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const round = (x: number): number => +x.toFixed(2);

async function latency(lines: number, edits: number): Promise<Record<string, number>> {
  let text = recipeText(lines);
  const uri = `file:///bench/lsp-${lines}.sid`;
  const client = await LspClient.start({ initializationOptions: {} }); // the server's default debounce
  try {
    const first = client.waitDiagnostics(uri, () => true, 60000);
    await client.open(uri, text);
    await first;
    const lrAt = [...text.matchAll(/lr = (\d)e-5/g)].map((m) => m.index! + 5);
    // an edit at once after the first diagnostics, while the server still starts its compiler thread
    const firstEdit = client.waitDiagnostics(uri, (p) => p.version === 2, 60000);
    const tFirst = performance.now();
    await client.change(uri, text, [lrAt[0]!, lrAt[0]! + 1], '5');
    await firstEdit;
    const firstEditMs = performance.now() - tFirst;
    text = text.slice(0, lrAt[0]!) + '5' + text.slice(lrAt[0]! + 1);
    await new Promise((r) => setTimeout(r, 1000)); // then typing, once the server has settled
    const times: number[] = [];
    const completeTimes: number[] = [];
    let errors = 0;
    let errorAt = -1; // an edit that wrote lr = 0 is repaired by the next one (errors do not pile up)
    for (let i = 1; i <= edits; i++) {
      const at = errorAt >= 0 ? errorAt : lrAt[(i * 7) % lrAt.length]!;
      const value = errorAt < 0 && i % 10 === 9 ? '0' : String(1 + (i % 9)); // lr = 0e-5 is out of range (SID2007)
      errorAt = value === '0' ? at : -1;
      // the server publishes twice per version: the check (first), then the full compile with the plan
      let rounds = 0;
      const published = client.waitDiagnostics(uri, (p) => p.version === i + 2, 60000);
      const complete = client.waitDiagnostics(uri, (p) => p.version === i + 2 && ++rounds === 2, 60000);
      const t0 = performance.now();
      await client.change(uri, text, [at, at + 1], value);
      await published;
      times.push(performance.now() - t0);
      const ds = await complete;
      completeTimes.push(performance.now() - t0);
      if (ds.length) errors++;
      text = text.slice(0, at) + value + text.slice(at + 1);
    }
    // edits of the abstract base that every variant extends: all of them are re-checked and re-planned
    const baseTimes: number[] = [];
    const baseComplete: number[] = [];
    const cfgAt = text.indexOf('teacher = cfg(') + 'teacher = cfg('.length;
    for (let j = 0; j < 20; j++) {
      const version = edits + 3 + j;
      let rounds = 0;
      const published = client.waitDiagnostics(uri, (p) => p.version === version, 60000);
      const complete = client.waitDiagnostics(uri, (p) => p.version === version && ++rounds === 2, 60000);
      const value = (2 + (j + 1) / 100).toFixed(2); // a new scale each time: no text repeats, no reuse
      const old = j === 0 ? 1 : 4;
      const t0 = performance.now();
      await client.change(uri, text, [cfgAt, cfgAt + old], value);
      await published;
      baseTimes.push(performance.now() - t0);
      await complete;
      baseComplete.push(performance.now() - t0);
      text = text.slice(0, cfgAt) + value + text.slice(cfgAt + old);
    }
    // hover right after an edit, while that edit compiles (the compiler runs on a worker thread)
    const hovers: number[] = [];
    const keyAt = text.indexOf('beta2') + 1;
    for (let i = 0; i < 10; i++) {
      const at = lrAt[i]!;
      const version = edits + 23 + i;
      const published = client.waitDiagnostics(uri, (p) => p.version === version, 60000);
      await client.change(uri, text, [at, at + 1], String(1 + (i % 9)));
      text = text.slice(0, at) + String(1 + (i % 9)) + text.slice(at + 1);
      const t0 = performance.now();
      await client.request('textDocument/hover', { textDocument: { uri }, position: positionAt(text, keyAt) });
      hovers.push(performance.now() - t0);
      await published;
    }
    return {
      lines: text.split('\n').length - 1,
      edits,
      first_edit_after_open_ms: round(firstEditMs),
      median_ms: round(quantile(times, 0.5)),
      p95_ms: round(quantile(times, 0.95)),
      max_ms: round(Math.max(...times)),
      // until the second round (with the plan's SID4xxx) is published too
      complete_median_ms: round(quantile(completeTimes, 0.5)),
      complete_p95_ms: round(quantile(completeTimes, 0.95)),
      edits_with_errors: errors,
      // 20 edits of the base recipe that all ~90 variants extend
      base_edit_median_ms: round(quantile(baseTimes, 0.5)),
      base_edit_p95_ms: round(quantile(baseTimes, 0.95)),
      base_edit_complete_median_ms: round(quantile(baseComplete, 0.5)),
      base_edit_complete_p95_ms: round(quantile(baseComplete, 0.95)),
      hover_during_compile_median_ms: round(quantile(hovers, 0.5)),
    };
  } finally {
    await client.stop();
  }
}

/** In-process median time of `f` (what the server spends per edit, without LSP and debounce). */
function timeOf(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    f();
    if (i >= 2) times.push(performance.now() - t0);
  }
  return round(quantile(times, 0.5));
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    edit_1000_lines: await latency(1000, 100),
    edit_200_lines: await latency(200, 100),
    // where the time goes, in process: the parser, the checks, and lowering + plan (needed for SID4xxx)
    parse_1000_lines_median_ms: timeOf(10, () => parseSid(recipeText(1000), '/bench/in-process.sid')),
    compile_1000_lines_check_only_median_ms: timeOf(10, () => compileSource(recipeText(1000), '/bench/in-process.sid', { lower: false })),
    compile_1000_lines_full_median_ms: timeOf(5, () => compileSource(recipeText(1000), '/bench/in-process.sid')),
    target_p95_ms: 50,
  };
}
