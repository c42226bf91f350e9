// Crash safety: a run killed with SIGKILL mid-stage resumes from its last checkpoint, and its final
// student equals that of an uninterrupted run bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';
import { mkdirSync } from 'node:fs';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { runPaths } from '../../../../runtime/rundir/rundir.js';
import { gmmGraph } from '../../fixtures/gmm-graph.js';

const here = dirname(fileURLToPath(import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const script = join(here, '..', '..', 'fixtures', `run-fixture${ext}`);
const opts = JSON.stringify({ batch: 32, width: 16, depth: 1, teachImages: 128 * 10, sidImages: 32 * 24, checkpointEvery: 32 * 4, evalSamples: 60 });

async function runInProcess(dir: string): Promise<void> {
  await initBackend({ prefer: 'cpu' });
  const graph = gmmGraph(JSON.parse(opts));
  mkdirSync(join(dir, 'stages'), { recursive: true });
  const quiet = { stdout: () => {}, stderr: () => {}, isTTY: false };
  const res = runGraph(graph, runPaths(dir), { io: quiet, plots: false });
  assert.ok(res.completed);
}

function runTo(dir: string, slow = 0) {
  return spawnSync(process.execPath, [...process.execArgv, script, dir, opts, String(slow)], { encoding: 'utf8' });
}

test('kill -9 mid-run, rerun: resumes from the checkpoint and ends with the same weights', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sidc-resume-'));
  try {
    const a = join(root, 'a');
    await runInProcess(a);
    const b = join(root, 'b');
    const child = spawn(process.execPath, [...process.execArgv, script, b, opts, '60'], { stdio: 'ignore' });
    // wait for the sid stage's second checkpoint (teach is done, sid is part way), then SIGKILL
    const ck = join(b, 'checkpoint.safetensors');
    let seen = 0;
    let last = 0;
    const { statSync } = await import('node:fs');
    for (let i = 0; i < 3000 && seen < 2; i++) {
      await new Promise((res) => setTimeout(res, 10));
      if (existsSync(join(b, 'progress.json')) && existsSync(ck)) {
        const m = statSync(ck).mtimeMs;
        if (m !== last) (last = m), seen++;
      }
    }
    assert.ok(seen >= 2, 'the child never wrote a sid checkpoint');
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    assert.ok(!existsSync(join(b, 'student.safetensors')), 'the run was killed before it finished');
    const r2 = runTo(b);
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(r2.stdout, /resuming stage sid at \d+ images/);
    const sa = readSafetensors(join(a, 'student.safetensors')).tensors;
    const sb = readSafetensors(join(b, 'student.safetensors')).tensors;
    assert.deepEqual(Object.keys(sa).sort(), Object.keys(sb).sort());
    for (const k of Object.keys(sa)) assert.deepEqual(sb[k]!.data, sa[k]!.data, `tensor ${k} differs after resume`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
