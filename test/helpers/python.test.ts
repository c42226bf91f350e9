// The cross-check tests' Python finder: $SIDC_PYTHON first, a skip with the reason when none has the
// modules, and under CI=true no skip but a failure that says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../runtime/formats/tmp.js';
import { pythonWith } from './python.js';

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (e: Record<string, string | undefined>) =>
    Object.entries(e).forEach(([k, v]) => (v === undefined ? delete process.env[k] : (process.env[k] = v)));
  set(env);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

const MISSING = 'sidc_no_such_module_for_this_test';

test('no python with the modules: skipped with the reason outside CI', () => {
  withEnv({ CI: undefined, SIDC_PYTHON: undefined }, () => {
    const py = pythonWith(MISSING);
    assert.equal(py.found, false);
    assert.match(String(py.skip), new RegExp(`no python with ${MISSING} \\(tried /usr/bin/python3, python3; set SIDC_PYTHON`));
    assert.throws(() => py.exe, /no python with/);
  });
});

test('under CI=true the same test is not skipped: reading the interpreter fails, saying why', () => {
  withEnv({ CI: 'true', SIDC_PYTHON: undefined }, () => {
    const py = pythonWith(MISSING);
    assert.equal(py.skip, false);
    assert.throws(() => py.exe, /CI=true and no python with .*this cross-check must run in CI/);
  });
});

test('$SIDC_PYTHON comes first when it has the modules', () => {
  const fake = join(scratchDir('python'), 'python');
  writeFileSync(fake, '#!/bin/sh\nexit 0\n'); // answers every module probe with "found"
  chmodSync(fake, 0o755);
  withEnv({ CI: 'true', SIDC_PYTHON: fake }, () => {
    const py = pythonWith(MISSING);
    assert.equal(py.found, true);
    assert.equal(py.skip, false);
    assert.equal(py.exe, fake);
  });
});
