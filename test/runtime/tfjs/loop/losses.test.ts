// sid_loss (eq. 18 with alpha, docs/algorithm.md §4) and fm_loss against hand-computed tiny cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { OP_IMPLS, type Env } from '../../../../runtime/tfjs/loop/ops.js';
import type { StageState } from '../../../../runtime/tfjs/loop/state.js';
import type { GraphNode } from '../../../../compiler/graph/types.js';

await initBackend({ prefer: 'cpu' });

const st = () => ({ batch: 2, stats: { dropped: 0, nonfinite: 0 }, graph: { bindings: {} } }) as unknown as StageState;
const node = (op: GraphNode['op'], inputs: Record<string, string>, attrs: GraphNode['attrs'] = {}): GraphNode => ({
  id: 'n',
  op,
  inputs,
  outputs: { loss: { dtype: 'float32', shape: [] } },
  attrs,
});

test('sid_loss = lambda * sum_b,el w (yr - yf)((yr - xg) - alpha (yr - yf)) / B_local', () => {
  const yr = [
    [1, 2],
    [0.5, -1],
  ];
  const yf = [
    [0.5, 1],
    [1, -2],
  ];
  const xg = [
    [0, 0],
    [1, 1],
  ];
  const w = [0.25, 2];
  const env: Env = new Map<string, tf.Tensor>([
    ['yr', tf.tensor2d(yr)],
    ['yf', tf.tensor2d(yf)],
    ['xg', tf.tensor2d(xg)],
    ['w', tf.tensor1d(w)],
  ]);
  const inputs = { y_real: 'yr', y_fake: 'yf', x_g: 'xg', w: 'w' };
  for (const [lam, alpha, acc] of [
    [100, 1, 1],
    [1, 1.2, 1],
    [3, 0.5, 2],
  ] as const) {
    let want = 0;
    for (let b = 0; b < 2; b++)
      for (let e = 0; e < 2; e++) {
        const d = yr[b]![e]! - yf[b]![e]!;
        want += w[b]! * d * (yr[b]![e]! - xg[b]![e]! - alpha * d);
      }
    want *= lam / (2 * acc); // B_local = micro-batch x accumulation rounds on one device
    const got = (OP_IMPLS.sid_loss(node('sid_loss', inputs, { lambda_sid: lam, alpha }), env, st(), acc) as tf.Tensor).dataSync()[0]!;
    assert.ok(Math.abs(got - want) < 1e-4 * Math.abs(want), `lambda ${lam} alpha ${alpha}: ${got} vs ${want}`);
  }
  // alpha = 1 is eq. 18: (yr - yf)(yf - xg)
  let eq18 = 0;
  for (let b = 0; b < 2; b++) for (let e = 0; e < 2; e++) eq18 += w[b]! * (yr[b]![e]! - yf[b]![e]!) * (yf[b]![e]! - xg[b]![e]!);
  const got = (OP_IMPLS.sid_loss(node('sid_loss', inputs, { lambda_sid: 1, alpha: 1 }), env, st(), 1) as tf.Tensor).dataSync()[0]!;
  assert.ok(Math.abs(got - eq18 / 2) < 1e-5);
});

test('sid_loss drops samples whose loss is NaN and counts them', () => {
  const s = st();
  const env: Env = new Map<string, tf.Tensor>([
    [
      'yr',
      tf.tensor2d([
        [1, NaN],
        [1, 1],
      ]),
    ],
    [
      'yf',
      tf.tensor2d([
        [0, 0],
        [0, 0],
      ]),
    ],
    [
      'xg',
      tf.tensor2d([
        [0, 0],
        [0, 0],
      ]),
    ],
    ['w', tf.tensor1d([1, 1])],
  ]);
  const got = (
    OP_IMPLS.sid_loss(node('sid_loss', { y_real: 'yr', y_fake: 'yf', x_g: 'xg', w: 'w' }, { lambda_sid: 1, alpha: 0 }), env, s, 1) as tf.Tensor
  ).dataSync()[0]!;
  assert.equal(s.stats.dropped, 1);
  assert.ok(Math.abs(got - 2 / 2) < 1e-6, `only the finite sample counts: ${got}`);
});

test('fm_loss = sum (v - (eps - x0))^2 / B_local (summed over elements, not averaged)', () => {
  const env: Env = new Map<string, tf.Tensor>([
    [
      'v',
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ],
    [
      'eps',
      tf.tensor2d([
        [1, 1],
        [1, 1],
      ]),
    ],
    [
      'x0',
      tf.tensor2d([
        [0, 0],
        [0, 1],
      ]),
    ],
  ]);
  const got = (OP_IMPLS.fm_loss(node('fm_loss', { v: 'v', eps: 'eps', x0: 'x0' }), env, st(), 1) as tf.Tensor).dataSync()[0]!;
  // targets (1,1),(1,0): residuals (0,1),(2,4) -> 0 + 1 + 4 + 16 = 21, / B_local 2
  assert.equal(got, 10.5);
});
