// Mutation fuzzer: take every recipe we have (recipes/, examples/, test fixtures, golden cases), apply
// thousands of seeded random edits (delete / duplicate / swap tokens, insert random characters, change
// numbers) and assert the compiler never throws and always answers either cleanly or with at least one
// diagnostic whose range lies inside a file it read. Seeded: a failure names the seed and the mutant.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { compileText } from '../../compiler/compile.js';
import { seededRandom } from '../helpers/rng.js';
import { repoPath, repoRoot } from '../helpers/paths.js';

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(sid|ya?ml|json)$/.test(f) && !/\.errors\./.test(f)) out.push(p);
  }
  return out;
}

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[kM]?|"[^"\n]*"|\/\/[^\n]*|\s+|./g;
const NOISE = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  '=',
  '.',
  '"',
  '/*',
  '*/',
  'x',
  '-',
  '^',
  ' px',
  ' GB',
  ' images',
  'on',
  'in',
  'zip',
  'grid',
  'stage',
  'after',
  'recipe',
  'extends',
  'import',
  'abstract',
  'sweep',
  '1e-',
  '0',
  '1M',
  'NaN',
  '\u00e9',
  '\t',
  '\n',
  'w(t)',
  ':',
  '- ',
  '  ',
];

function mutate(text: string, r: () => number): string {
  const toks = text.match(TOKEN) ?? [''];
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(r() * toks.length);
    const kind = Math.floor(r() * 6);
    if (kind === 0) toks.splice(i, 1);
    else if (kind === 1) toks.splice(i, 0, toks[i] ?? '');
    else if (kind === 2) {
      const j = Math.floor(r() * toks.length);
      [toks[i], toks[j]] = [toks[j] ?? '', toks[i] ?? ''];
    } else if (kind === 3) toks.splice(i, 0, NOISE[Math.floor(r() * NOISE.length)]!);
    else if (kind === 4) toks.splice(i, 0, String.fromCharCode(32 + Math.floor(r() * 95)));
    else {
      const nums = toks.map((t, k) => (/^\d/.test(t) ? k : -1)).filter((k) => k >= 0);
      const k = nums[Math.floor(r() * nums.length)];
      if (k !== undefined) toks[k] = ['0', '-1', '1e9', '0.5', '3', '1/0', '2.5', '999999999999', '1e-300'][Math.floor(r() * 9)]!;
    }
  }
  return toks.join('');
}

const corpus = [
  ...walk(repoPath('recipes')),
  ...walk(repoPath('examples')),
  ...walk(repoPath('test', 'compiler', 'fixtures')),
  ...walk(repoPath('test', 'golden', 'diagnostics', 'cases')),
];

test('mutated recipes never crash the compiler and every diagnostic has a valid range', () => {
  assert.ok(corpus.length >= 10, `corpus of ${corpus.length}`);
  const texts = corpus.map((p) => ({ path: relative(repoRoot, p), text: readFileSync(p, 'utf8') }));
  const overlay = new Map(texts.map((t) => [t.path, t.text]));
  const budgetMs = 15000; // a cap for loaded machines; normally the mutant count ends the loop first
  const t0 = Date.now();
  let runs = 0;
  let withDiags = 0;
  for (let seed = 1; Date.now() - t0 < budgetMs && runs < 1500; seed++) {
    const r = seededRandom(seed);
    const src = texts[Math.floor(r() * texts.length)]!;
    const mutant = mutate(src.text, r);
    const ov = new Map(overlay).set(src.path, mutant);
    let out;
    try {
      out = compileText(mutant, src.path, { overlay: ov });
    } catch (e) {
      assert.fail(`seed ${seed} on ${src.path} threw ${(e as Error).stack}\n--- mutant ---\n${mutant}`);
    }
    runs++;
    if (out.diagnostics.length) withDiags++;
    assert.ok(out.ok || out.diagnostics.some((d) => d.severity === 'error'), `seed ${seed}: not ok but no error`);
    for (const d of out.diagnostics) {
      const text = out.sources.get(d.loc.file);
      assert.ok(text !== undefined, `seed ${seed}: ${d.code} in unknown file ${d.loc.file}`);
      const { start, end } = d.loc.range;
      assert.ok(
        start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length,
        `seed ${seed}: ${d.code} range ${start.offset}-${end.offset} outside ${d.loc.file} (${text.length})`,
      );
      const lines = text.split('\n');
      assert.ok(start.line < lines.length && start.column <= lines[start.line]!.length, `seed ${seed}: ${d.code} line/column outside the file`);
      assert.doesNotMatch(d.message, /\{\w+\}/, `seed ${seed}: unfilled placeholder in ${d.message}`);
    }
  }
  assert.ok(runs >= 100, `only ${runs} mutants in the time budget`);
  process.stdout.write(`# fuzz: ${runs} mutants, ${withDiags} with diagnostics, ${Date.now() - t0} ms\n`);
  assert.ok(withDiags > runs / 4, `mutations rarely produced diagnostics (${withDiags}/${runs})`);
});
