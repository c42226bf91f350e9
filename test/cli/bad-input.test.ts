// The command line on bad input and in pipes: `--version`, a closed stdout (`sidc ... | head`), `sidc run`
// on a recipe naming a missing checkpoint (nothing created), imports bounded by the project root
// (`--root` widens it), files that are not text, absurd-but-typed values, empty files, folded repeats.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFile } from '../../compiler/api.js';
import { compileText } from '../../compiler/compile.js';
import { foldRepeats } from '../../compiler/diagnostics/group.js';
import { rangeText } from '../../compiler/check/typical.js';
import { SETTINGS } from '../../compiler/recipe/settings.js';
import type { Diagnostic } from '../../compiler/diagnostics/types.js';
import { sidc } from '../helpers/cli.js';
import { repoPath, sidFilesUnder } from '../helpers/paths.js';

const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.code);

test('sidc --version prints the version of package.json', async () => {
  const r = await sidc('--version');
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version);
});

test('a reader that closes the pipe early: exit 0, nothing on stderr', async () => {
  // like `sidc --help | true`: the reader is gone before sidc writes (before the fix: an unhandled EPIPE
  // 'error' event, its stack on stderr, exit 1)
  const p = spawn(process.execPath, [repoPath('bin', 'sidc.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (b: Buffer) => (err += b.toString()));
  p.stdout.destroy();
  const code = await new Promise<number | null>((res) => p.on('close', (c) => res(c)));
  assert.ok(code === 0 || code === 141, `exit ${code}`);
  assert.equal(err, '');
});

test('sidc run with a missing teacher checkpoint stops before creating any run directory', async () => {
  const runs = join(mkdtempSync(join(tmpdir(), 'sidc-runs-')), 'runs');
  const r = await sidc('run', repoPath('examples', 'mnist-sid.sid'), '--set', 'teacher.checkpoint="teachers/missing.safetensors"', '--runs-dir', runs);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /SID3025/);
  assert.match(r.err, /not started, nothing written/);
  assert.equal(existsSync(runs), false, 'no runs directory');
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-root-'));
  mkdirSync(join(dir, 'proj', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'proj', 'package.json'), '{}\n');
  writeFileSync(join(dir, 'outside.sid'), 'abstract recipe outside { teacher.family = sana } // SECRET\n');
  writeFileSync(join(dir, 'proj', 'sub', 'r.sid'), 'import "../../outside.sid"\nabstract recipe r extends outside {}\n');
  return dir;
}

test('an import outside the project root is an error at the import and is not read; --root widens the root', () => {
  const dir = project();
  const file = join(dir, 'proj', 'sub', 'r.sid');
  const out = compileText(readFileSync(file, 'utf8'), file);
  assert.deepEqual(codes(out.diagnostics), ['SID2027']); // the failed extends adds nothing (no follow-ons)
  assert.equal(out.diagnostics[0]!.loc.range.start.line, 0);
  assert.equal(out.diagnostics[0]!.loc.range.start.column, 7);
  assert.equal(
    [...out.sources.values()].some((t) => t.includes('SECRET')),
    false,
    'outside.sid was not read',
  );
  assert.deepEqual(codes(compileText(readFileSync(file, 'utf8'), file, { root: dir }).diagnostics), []);
});

test('files that are not text: refused before their bytes reach a message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-bin-'));
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'nul.sid'), Buffer.from('recipe SECRET {\u0000}\n'));
  writeFileSync(join(dir, 'latin1.sid'), Buffer.from('recipe SECRET\xe9 {}\n', 'latin1'));
  writeFileSync(join(dir, 'imports.sid'), 'import "./nul.sid"\nimport "./latin1.sid"\n');
  for (const f of ['nul.sid', 'latin1.sid']) {
    const api = compileFile(join(dir, f));
    assert.deepEqual(codes(api.diagnostics), ['SID1009']);
    const cli = await sidc('check', join(dir, f));
    assert.equal(cli.code, 2);
    assert.match(cli.err, /not a text file/);
    assert.doesNotMatch(cli.err + api.diagnostics[0]!.message, /SECRET/);
  }
  const imp = await sidc('check', join(dir, 'imports.sid'));
  assert.equal(imp.code, 1);
  assert.equal((imp.err.match(/error SID2014: cannot read `.*`: it is not a text file/g) ?? []).length, 2);
  assert.doesNotMatch(imp.err, /SECRET/);
});

test("absurd but typed values warn with the paper's range (SID3031); the shipped recipes do not", () => {
  const file = repoPath('recipes', 'sana-600m-512.sid');
  const out = compileText(readFileSync(file, 'utf8'), file, { set: ['optimizer.lr=1e5', 'guidance.teacher=cfg(0.5)', 'loss.lambda_sid=1e6'], lower: false });
  const typical = out.diagnostics.filter((d) => d.code === 'SID3031');
  assert.equal(typical.length, 3);
  assert.ok(typical.every((d) => d.severity === 'warning'));
  assert.match(
    typical.map((d) => `${d.message} ${d.help}`).join('\n'),
    /`optimizer.lr` = 1e5 is outside the typical range 1e-7 to 1e-3 the paper uses 1e-6 to 1e-5 \(Tables 3-4\)/,
  );
  for (const f of [...sidFilesUnder(repoPath('recipes')), ...sidFilesUnder(repoPath('examples'))]) {
    const o = compileText(readFileSync(f, 'utf8'), f, { lower: false });
    assert.deepEqual(
      codes(o.diagnostics).filter((c) => c === 'SID3031'),
      [],
      f,
    );
  }
});

test('an empty or comments-only file warns (SID3032) instead of checking clean', () => {
  for (const text of ['', '// only a comment\n']) {
    const out = compileText(text, 'empty.sid');
    assert.deepEqual(codes(out.diagnostics), ['SID3032']);
    assert.equal(out.ok, true);
  }
});

test('foldRepeats: the same warning across files is shown once with the others listed; errors never fold', () => {
  const at = (file: string): Diagnostic['loc'] => ({ file, range: { start: { line: 2, column: 4, offset: 20 }, end: { line: 2, column: 9, offset: 25 } } });
  const w = (file: string): Diagnostic => ({ code: 'SID3025', severity: 'warning', message: '`data.text` names cache/t, which does not exist', loc: at(file) });
  const e = (file: string): Diagnostic => ({ code: 'SID3001', severity: 'error', message: 'same', loc: at(file) });
  const f = foldRepeats([[w('a.sid'), e('a.sid')], [w('b.sid'), e('b.sid')], [w('c.sid')]]);
  assert.deepEqual(f.folded, [0, 1, 1]);
  assert.deepEqual(
    f.shown.map((l) => codes(l)),
    [['SID3025', 'SID3001'], ['SID3001'], []],
  );
  assert.equal(f.shown[0]![0]!.related?.at(-1)?.message, 'and 2 more like this: b.sid:3:5, c.sid:3:5');
});

test('docs/language.md lists every typical range of the settings table as it is', () => {
  const md = readFileSync(repoPath('docs', 'language.md'), 'utf8').split('\n');
  for (const s of SETTINGS.filter((x) => x.typical)) {
    const row = md.find((l) => l.startsWith('|') && l.includes(`\`${s.path}\``));
    assert.ok(row, `no row for ${s.path}`);
    assert.ok(row.includes(rangeText(s.typical!)), `${s.path}: docs say ${row}, settings.ts ${rangeText(s.typical!)}`);
  }
});
