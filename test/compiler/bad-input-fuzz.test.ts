// Bad-input fuzzer: every recipe of recipes/ and examples/, under seeded mutations - delete, duplicate and
// swap tokens, insert random bytes (NUL and non-ASCII included), truncate, and deep nesting (brackets,
// blocks, unary minus chains, long operator chains) - through the compiler API and the printer in-process,
// and a few through the real `sidc` process. Nothing may escape as an exception: every outcome is
// diagnostics whose places lie inside a text the compiler read; the process exits 0, 1 or 2 without a
// stack trace. Seeded: a failure names the seed and the input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileText } from '../../compiler/compile.js';
import { formatSid, parseSid, printSid } from '../../grammar/index.js';
import { seededRandom } from '../helpers/rng.js';
import { repoPath } from '../helpers/paths.js';

const corpus = ['recipes', 'recipes/base', 'examples']
  .flatMap((d) =>
    readdirSync(repoPath(d))
      .filter((f) => /\.(sid|ya?ml|json)$/.test(f))
      .map((f) => join(d, f)),
  )
  .map((path) => ({ path, text: readFileSync(repoPath(path), 'utf8') }));

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\n]*"|\/\/[^\n]*|\s+|./g;

function deep(r: () => number): string {
  const n = [150, 600, 3000][Math.floor(r() * 3)]!; // the process test below covers 20,000 and 100,000
  switch (Math.floor(r() * 6)) {
    case 0:
      return '('.repeat(n) + '1' + ')'.repeat(n);
    case 1:
      return '- '.repeat(n) + '1';
    case 2:
      return Array(n * 5)
        .fill('1')
        .join(' + ');
    case 3:
      return '['.repeat(n) + ']'.repeat(n);
    case 4:
      return 'f('.repeat(n) + ')'.repeat(n);
    default:
      return '2' + '^2'.repeat(n);
  }
}

function mutate(text: string, r: () => number): string {
  const toks = text.match(TOKEN) ?? [''];
  const pick = (): number => Math.floor(r() * toks.length);
  for (let e = 1 + Math.floor(r() * 3); e > 0; e--) {
    const i = pick();
    switch (Math.floor(r() * 8)) {
      case 0:
        toks.splice(i, 1);
        break;
      case 1:
        toks.splice(i, 0, toks[i] ?? '');
        break;
      case 2: {
        const j = pick();
        [toks[i], toks[j]] = [toks[j] ?? '', toks[i] ?? ''];
        break;
      }
      case 3:
        toks.splice(i, 0, String.fromCharCode(...Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * 256))));
        break;
      case 4:
        toks.splice(i, 0, ['\u0000', '\ufffd', '\u00e9', '\ud83d\ude00', '\r', '\t', '"', '/*'][Math.floor(r() * 8)]!);
        break;
      case 5:
        toks.length = Math.max(0, i);
        break; // truncate
      case 6:
        toks.splice(i, 0, ` ${deep(r)} `);
        break;
      default:
        toks.splice(i, 0, ` x ${'{ a '.repeat(150)}${'}'.repeat(150)} `);
        break; // nested blocks
    }
  }
  return toks.join('');
}

function assertDiagnosticsInside(out: ReturnType<typeof compileText>, what: string): void {
  assert.ok(out.ok || out.diagnostics.some((d) => d.severity === 'error'), `${what}: not ok but no error`);
  for (const d of out.diagnostics) {
    const text = out.sources.get(d.loc.file);
    assert.ok(text !== undefined, `${what}: ${d.code} in unknown file ${d.loc.file}`);
    const { start, end } = d.loc.range;
    assert.ok(start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length, `${what}: ${d.code} range outside ${d.loc.file}`);
  }
}

test('about 300 mutated recipes: compile and print give diagnostics, never an exception', () => {
  assert.ok(corpus.length >= 15, `corpus of ${corpus.length}`);
  const overlay = new Map(corpus.map((c) => [c.path, c.text]));
  const t0 = Date.now();
  let runs = 0;
  let deepOnes = 0;
  for (let seed = 1; seed <= 300 && Date.now() - t0 < 15000; seed++) {
    const r = seededRandom(seed * 7919);
    const src = corpus[Math.floor(r() * corpus.length)]!;
    const mutant = mutate(src.text, r);
    const what = `seed ${seed} on ${src.path}`;
    try {
      const out = compileText(mutant, src.path, { overlay: new Map(overlay).set(src.path, mutant) });
      assertDiagnosticsInside(out, what);
      if (mutant.includes('\u0000'))
        assert.deepEqual(
          out.diagnostics.map((d) => d.code),
          ['SID1009'],
          `${what}: a NUL byte refuses the file`,
        );
      if (out.diagnostics.some((d) => d.code === 'SID1008')) deepOnes++;
      if (src.path.endsWith('.sid')) {
        formatSid(mutant, src.path); // `sidc fmt`
        printSid(parseSid(mutant, src.path).file, mutant); // the printer on a partial tree (LSP formatting of a broken file)
      }
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`${what} threw ${(e as Error).stack}\n--- input (first 400 chars) ---\n${mutant.slice(0, 400)}`);
    }
    runs++;
  }
  assert.ok(runs >= 100, `only ${runs} inputs in the time budget`);
  process.stdout.write(`# ${runs} mutants in ${Date.now() - t0} ms, ${deepOnes} too deep\n`);
  assert.ok(deepOnes > 0, 'some mutants nest too deeply (SID1008)');
});

// The real process: exit code, and no stack trace for any of these.
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

test('the sidc process answers bad input with exit 0/1/2, located errors and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-bad-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{}\n'); // the project root
    const files: Record<string, string | Buffer> = {
      'deep.sid': `recipe x { weighting = ${'('.repeat(20000)}1${')'.repeat(20000)} }\n`,
      'chain.sid': `recipe x { weighting = ${Array(100000).fill('1').join('+')} }\n`,
      'passwd.sid': 'import "../../../../../../../../../../etc/passwd"\nrecipe x { teacher sana {} }\n',
      'binary.sid': Buffer.from([0x72, 0x65, 0x63, 0x00, 0xff, 0x10, 0x0a]),
      'latin1.sid': Buffer.from('recipe caf\xe9 { }\n', 'latin1'),
      'truncated.sid': readFileSync(repoPath('recipes', 'sana-600m-512.sid'), 'utf8').slice(0, 200),
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    const bin = repoPath('bin', 'sidc.js');
    // a file that is not text stops `check` (exit 2), so latin1.sid comes last
    for (const args of [
      ['check', 'deep.sid', 'chain.sid', 'passwd.sid', 'truncated.sid', 'latin1.sid'],
      ['check', 'binary.sid'],
      ['fmt', 'deep.sid'],
    ]) {
      const p = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
      const what = `sidc ${args.join(' ')}`;
      assert.ok([0, 1, 2].includes(p.status ?? -1), `${what}: exit ${p.status} ${p.signal ?? ''}\n${p.stderr.slice(0, 2000)}`);
      assert.doesNotMatch(p.stderr, STACK, `${what}: stack trace\n${p.stderr.slice(0, 2000)}`);
      assert.doesNotMatch(p.stderr, /root:x:0:0/, `${what}: /etc/passwd leaked`);
      if (p.status === 1)
        for (const line of p.stderr.split('\n').filter((l) => /\berror SID/.test(l)))
          assert.match(line, /^[^:\s]+:\d+:\d+: error SID\d{4}: /, `${what}: unlocated error ${line}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
