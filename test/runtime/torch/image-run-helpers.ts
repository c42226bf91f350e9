// Shared by image-run-flux.test.ts and image-run-dit.test.ts (`sidc run --engine torch` on image teachers end
// to end): the student of a torch run, checked from the tfjs engine.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';
import type { VelocityNet } from '../../../runtime/tfjs/nets/net.js';
import { makePrecision } from '../../../runtime/tfjs/precision/policy.js';
import { sidc } from '../../helpers/cli.js';

export const skip = pythonWith('torch', 'numpy') ? false : 'python3 with torch not found';

/** `sidc run RECIPE --engine torch --device cpu --runs-dir RUNS --no-plots` with `--set` for each of ``sets``. */
export const sidcRunOnTorch = (recipe: string, runs: string, sets: string[], extra: string[] = []) =>
  sidc('run', recipe, ...extra, '--engine', 'torch', '--device', 'cpu', '--runs-dir', runs, '--no-plots', ...sets.flatMap((s) => ['--set', s]));

export const runDirOf = (runs: string): string => join(runs, readdirSync(runs).find((d) => !d.startsWith('.'))!);

export function maxWeightChange(a: VelocityNet, student: Record<string, { data: Float32Array }>): number {
  let m = 0;
  for (const [n, v] of a.params) {
    const s = student[n];
    assert.ok(s, `student lacks ${n}`);
    const t = v.dataSync() as Float32Array;
    for (let i = 0; i < t.length; i++) m = Math.max(m, Math.abs(t[i]! - s.data[i]!));
  }
  return m;
}

export function finiteVelocity(net: VelocityNet, dim: number): boolean {
  const v = net.forward(
    tf.randomNormal([2, dim], 0, 1, 'float32', 3) as tf.Tensor2D,
    tf.tensor1d([0.5, 0.5]),
    tf.tensor1d([1, 2], 'int32'),
    makePrecision('fp32'),
  );
  return (v.dataSync() as Float32Array).every(Number.isFinite);
}
