// The diagnostics catalogue: well-formed unique codes in the right ranges, every code used somewhere in
// the compiler or runtime, and messages whose placeholders are all filled when rendered.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOGUE, fill } from '../../../compiler/diagnostics/catalogue.js';
import { diag } from '../../../compiler/diagnostics/make.js';
import { SYNTAX_CODES } from '../../../compiler/diagnostics/syntax.js';
import { repoPath } from '../../helpers/paths.js';

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (f.endsWith('.ts') && !p.endsWith(join('diagnostics', 'catalogue.ts'))) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

test('codes are SID + 4 digits, unique, with a severity and a message', () => {
  const codes = Object.keys(CATALOGUE);
  assert.equal(new Set(codes).size, codes.length);
  const text = readFileSync(repoPath('compiler', 'diagnostics', 'catalogue.ts'), 'utf8');
  for (const c of codes) {
    assert.match(c, /^SID[1-5]\d{3}$/);
    assert.equal(text.split(`${c}:`).length - 1, 1, `${c} defined more than once in the source`);
    const e = CATALOGUE[c as keyof typeof CATALOGUE] as { severity: string; message: string };
    assert.ok(['error', 'warning', 'info'].includes(e.severity));
    assert.ok(e.message.length > 0);
  }
});

test('every code is used by some stage (no dead entries)', () => {
  const all = [...sources(repoPath('compiler')), ...sources(repoPath('runtime'))].join('\n');
  const unused = Object.keys(CATALOGUE).filter((c) => !all.includes(`'${c}'`) && !all.includes(`"${c}"`));
  assert.deepEqual(unused, []);
});

test('every syntax reason maps to a SID1xxx code', () => {
  for (const code of Object.values(SYNTAX_CODES)) assert.match(code, /^SID1/);
});

test('fill replaces placeholders and leaves unknown ones visible', () => {
  assert.equal(fill('`{path}` needs {unit}', { path: 'data.resolution', unit: 'px' }), '`data.resolution` needs px');
  assert.equal(fill('{missing}', {}), '{missing}');
  const d = diag(
    'SID2003',
    { file: 'f', range: { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 3, offset: 3 } } },
    { path: 'data.resolution', unit: 'px', value: '512' },
  );
  assert.equal(d.help, 'write `512 px`');
  assert.equal(d.severity, 'error');
});
