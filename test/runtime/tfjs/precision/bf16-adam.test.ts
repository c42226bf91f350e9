// The paper's bf16 claim, measured (test/runtime/fixtures/bf16-updates.ts; the README's numbers come from
// `npm run bench -- bf16-adam`, which runs the same measurement over seeds).
// What the emulation shows (docs/runtime.md): in pure bf16 small updates vanish - with lr 1e-5 only a few
// percent of the weights move, against ~all of them in fp32 - and a larger lr (the paper's 10x) brings them
// back; a larger Adam eps does not (it only shrinks the update lr * m / (sqrt(v) + eps)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { measureBf16Updates } from '../../fixtures/bf16-updates.js';

await initBackend({ prefer: 'wasm' });

test('bf16 storage: small Adam updates vanish; a larger lr brings them back, a larger eps does not', () => {
  const m = measureBf16Updates();
  const msg = `changed: ${JSON.stringify(m)}`;
  assert.ok(m.fp32 > 0.9, msg);
  assert.ok(m.bf16 < 0.2 * m.fp32, msg); // the updates underflow the bf16 weights
  assert.ok(m.bf16_lr_1e6 < m.bf16, msg); // AMP's lr 1e-6 loses even more
  assert.ok(m.bf16_lr_1e4 > 3 * m.bf16, msg); // more aggressive lr: the updates survive rounding
  assert.ok(m.bf16_eps_1e4 <= m.bf16 * 1.2 + 1e-3, msg); // eps 1e-4 does not rescue them (not reproduced)
});
