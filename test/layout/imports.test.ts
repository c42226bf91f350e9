// The layout's rules, read from the sources' import statements (a static scan; `import()` is lazy):
//   1. imports only point downward: common <- grammar <- compiler <- runtime <- cli;
//   2. the runtime takes from the compiler only the graph types and the settings/teacher registries;
//   3. the runtime's engine-neutral folders do not import the tfjs engine (one named exception);
//   4. `sidc check`, `fmt` and `lsp` (and the CLI's entry) never load tfjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const LAYERS = ['common', 'grammar', 'compiler', 'runtime', 'cli'] as const;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(repoRoot, dir)).sort()) {
    const p = join(dir, name);
    if (statSync(join(repoRoot, p)).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Import {
  spec: string;
  /** repo-relative .ts path for relative imports, else undefined (a package) */
  target?: string;
  lazy: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const out: Import[] = [];
  const re = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = (m[1] ?? m[2])!;
    const lazy = m[2] !== undefined;
    const target = spec.startsWith('.') ? normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts') : undefined;
    out.push({ spec, ...(target ? { target } : {}), lazy });
  }
  return out;
}

const layerOf = (path: string): number => LAYERS.indexOf(path.split('/')[0] as (typeof LAYERS)[number]);
const files = LAYERS.flatMap((l) => sources(l));

test('imports point only downward: common <- grammar <- compiler <- runtime <- cli', () => {
  const bad: string[] = [];
  for (const f of files) {
    for (const i of importsOf(f)) {
      if (i.target === undefined) continue;
      if (!existsSync(join(repoRoot, i.target))) bad.push(`${f}: '${i.spec}' does not resolve`);
      else if (layerOf(i.target) > layerOf(f)) bad.push(`${f} imports ${i.target} (upward)`);
      else if (layerOf(i.target) < 0) bad.push(`${f} imports ${i.target}, outside the layers`);
    }
  }
  assert.deepEqual(bad, []);
});

test('common imports nothing of ours but itself; the runtime takes from the compiler only graph types and registries, nothing from grammar', () => {
  // compiler/plan: the torch launcher checks the devices' memory against the plan's peak before loading
  // compiler/recipe/weightings.ts: the one table of named loss weightings w(t)
  const allowed = ['compiler/graph/', 'compiler/recipe/settings.ts', 'compiler/recipe/weightings.ts', 'compiler/teachers/', 'compiler/plan/'];
  const bad: string[] = [];
  for (const f of files) {
    for (const i of importsOf(f)) {
      if (i.target === undefined) continue;
      if (f.startsWith('common/') && !i.target.startsWith('common/')) bad.push(`${f} imports ${i.target}`);
      if (f.startsWith('runtime/') && i.target.startsWith('grammar/')) bad.push(`${f} imports ${i.target}`);
      if (f.startsWith('runtime/') && i.target.startsWith('compiler/') && !allowed.some((a) => i.target!.startsWith(a))) bad.push(`${f} imports ${i.target}`);
    }
  }
  assert.deepEqual(bad, []);
});

test("the runtime's engine-neutral folders do not import the tfjs engine", () => {
  // The eval classifier's network is tfjs layers (runtime/scoring/README.md).
  const exceptions = new Set(['runtime/scoring/classifier.ts']);
  const bad: string[] = [];
  for (const f of files) {
    if (!f.startsWith('runtime/') || f.startsWith('runtime/tfjs/') || f.startsWith('runtime/torch/') || exceptions.has(f)) continue;
    for (const i of importsOf(f)) {
      if (i.spec.startsWith('@tensorflow/') || i.target?.startsWith('runtime/tfjs/')) bad.push(`${f} imports ${i.target ?? i.spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

/** Every module a file loads eagerly (static imports, transitively), with the packages they name. */
function eagerClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (!f.endsWith('.ts')) continue;
    for (const i of importsOf(f)) {
      if (i.lazy) continue;
      todo.push(i.target ?? i.spec);
    }
  }
  return seen;
}

test('sidc check, fmt and lsp (and the CLI entry itself) load no tfjs', () => {
  // lsp.ts loads the server lazily: its closure counts as well
  for (const start of [
    'cli/main.ts',
    'cli/commands.ts',
    'cli/check.ts',
    'cli/fmt.ts',
    'cli/lsp.ts',
    'compiler/lsp/stdio.ts',
    'compiler/lsp/compile-worker.ts',
  ]) {
    const closure = [...eagerClosure(start)];
    const tf = closure.filter((m) => m.startsWith('@tensorflow/') || m.startsWith('runtime/tfjs/'));
    assert.deepEqual(tf, [], `${start} loads ${tf.join(', ')}`);
  }
  // and the check really finds tfjs where it is
  assert.ok(
    [...eagerClosure('cli/run.ts')].some((m) => m.startsWith('@tensorflow/')),
    'the scan should see tfjs behind sidc run',
  );
});

test('every folder of the layers has a README saying what it owns', () => {
  const dirs = new Set(files.map((f) => dirname(f)));
  const missing = [...dirs].filter((d) => !existsSync(join(repoRoot, d, 'README.md'))).map((d) => relative(repoRoot, join(repoRoot, d)));
  assert.deepEqual(missing.sort(), []);
});
