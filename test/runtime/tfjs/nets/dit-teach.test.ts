import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasm, relErr } from '../nn/setup.js';
import { ditConfig } from '../../../../runtime/tfjs/nets/dit.js';
import { TEACH_DEFAULTS, loadTeachState, loadTeacher, saveTeachState, saveTeacher, startTeach, teachStep } from '../../../../runtime/tfjs/nets/dit-teach.js';
import type { ImageSet } from '../../../../runtime/data/image-set.js';

before(() => useWasm());

/** 40 tiny 8x8 "images": class k is a bright row k. */
function toySet(): ImageSet {
  const n = 40;
  const images = new Float32Array(n * 64).fill(-1);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 4;
    for (let x = 0; x < 8; x++) images[i * 64 + (i % 4) * 8 * 2 + x] = 1;
  }
  const words = ['zero', 'one', 'two', 'three'];
  return { name: 'toy', images, labels, captions: Array.from(labels, (l) => `a digit ${words[l]}`), channels: 1, height: 8, width: 8, classes: 4 };
}

const opts = { ...TEACH_DEFAULTS, config: ditConfig('dit_tiny'), batch: 8, lr: 3e-3, warmupSteps: 1, seed: 7 };

test('the flow-matching loss goes down on a toy set', () => {
  const s = startTeach(toySet(), opts);
  const losses: number[] = [];
  for (let i = 0; i < 24; i++) losses.push(teachStep(s));
  const first = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
  const last = losses.slice(-4).reduce((a, b) => a + b) / 4;
  assert.ok(last < 0.8 * first, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
});

test('resume: 2 steps + save + load + 2 steps equals 4 uninterrupted steps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dit-teach-'));
  try {
    const data = toySet();
    const a = startTeach(data, opts);
    for (let i = 0; i < 4; i++) teachStep(a);
    const b = startTeach(data, opts);
    teachStep(b);
    teachStep(b);
    saveTeachState(join(dir, 's.safetensors'), b);
    const c = loadTeachState(join(dir, 's.safetensors'), data);
    assert.equal(c.adam.step, 2);
    teachStep(c);
    teachStep(c);
    for (const n of Object.keys(a.params)) assert.ok(relErr(c.params[n]!, a.params[n]!) < 1e-6, n);
    // the shipped teacher (EMA, F16) loads back with the same architecture
    saveTeacher(join(dir, 't.safetensors'), c, 'test');
    const t = loadTeacher(join(dir, 't.safetensors'));
    assert.equal(t.net.config.name, 'dit_tiny');
    const w = 'transformer_blocks.0.attn.to_q.weight';
    assert.ok(relErr(t.params[w]!, c.ema.shadow[w]!) < 1e-3);
    assert.equal(t.params[w]!.trainable, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
