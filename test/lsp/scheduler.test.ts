// The server's scheduler: an isolated change is compiled at once, a burst of changes is debounced and
// coalesced (never one compile per keystroke), and a change during a compile is compiled once more after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler } from '../../compiler/lsp/scheduler.js';

test('an isolated change is validated without waiting for the debounce', async () => {
  const calls: number[] = [];
  const t0 = performance.now();
  const s = new Scheduler(2000, async () => void calls.push(performance.now() - t0));
  s.touch(['a']);
  await sleep(100);
  assert.equal(calls.length, 1);
  assert.ok(calls[0]! < 1000, `validated after ${calls[0]} ms`);
});

test('a burst is coalesced: one compile at its start, one with the latest text after the quiet', async () => {
  const seen: string[] = [];
  let text = '0';
  const s = new Scheduler(50, async (k) => void seen.push(`${k}:${text}`));
  s.touch(['a']); // isolated: at once
  await sleep(5);
  for (let i = 1; i <= 10; i++) {
    text = String(i);
    s.touch(['a']);
    await sleep(2);
  }
  await sleep(200);
  assert.deepEqual(seen, ['a:0', 'a:10']);
});

test('a change during a compile is compiled once more afterwards', async () => {
  const seen: string[] = [];
  let text = 'old';
  let release!: () => void;
  const s = new Scheduler(0, async (k) => {
    seen.push(`${k}:${text}`);
    if (seen.length === 1) await new Promise<void>((r) => (release = r));
  });
  s.touch(['a']);
  await sleep(10);
  text = 'new';
  s.touch(['a']);
  s.touch(['a']);
  release();
  await sleep(50);
  assert.deepEqual(seen, ['a:old', 'a:new']);
});
