import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTINGS, SETTINGS_BY_PATH } from '../compiler/recipe/settings.js';

test('settings table has unique paths', () => {
  assert.equal(SETTINGS_BY_PATH.size, SETTINGS.length);
});
