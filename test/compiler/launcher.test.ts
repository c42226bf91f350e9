// The launcher section: checked by the compiler, carried in graph.recipe.launcher, and never part of the
// graph's hash (the same run submitted to another partition is the same run directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSource } from '../../compiler/api.js';
import { graphHash } from '../../compiler/graph/hash.js';

const base = (extra: string, devices = '1 x cpu(16 GB)') => `recipe toy {
  teacher gmm { dim = 2; classes = 2; modes_per_class = 2; mode_std = 0.1; radius = 2; seed = 1 }
  data { text = labels }
  hardware { devices = ${devices} }
  batch { global = 8; per_device = 8 }
${extra}
}
`;
const codes = (text: string, set: string[] = []) =>
  compileSource(text, 'r.sid', { set })
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => d.code);

test('launcher settings do not change the graph hash; they travel in recipe.launcher with their location', () => {
  const plain = compileSource(base(''), 'r.sid');
  const withLauncher = compileSource(base('  launcher { partition = "gpu"; time = "4:00:00"; memory = 64 GiB; sbatch = ["--exclusive"] }'), 'r.sid');
  const viaSet = compileSource(base(''), 'r.sid', { set: ['launcher.account=proj'] });
  assert.ok(plain.ok && withLauncher.ok && viaSet.ok, JSON.stringify([...withLauncher.diagnostics, ...viaSet.diagnostics]));
  const [a, b, c] = [plain.graphs[0]!, withLauncher.graphs[0]!, viaSet.graphs[0]!];
  assert.equal(b.hash, a.hash);
  assert.equal(c.hash, a.hash);
  assert.equal(graphHash(b), b.hash); // the hash still verifies with the launcher field present
  assert.equal(a.recipe.launcher, undefined);
  assert.equal((a.config as Record<string, unknown>).launcher, undefined);
  assert.deepEqual(b.recipe.launcher!.settings, { partition: 'gpu', time: '4:00:00', memory: 64, sbatch: ['--exclusive'] });
  assert.match(b.recipe.launcher!.from.partition!, /^r\.sid:6:/);
  assert.deepEqual(c.recipe.launcher!.settings, { account: 'proj' });
});

test('launcher.time must be in a Slurm format (SID3033)', () => {
  for (const ok of ['90', '30:00', '4:00:00', '2-00', '2-12:00', '1-00:00:00', 'infinite'])
    assert.deepEqual(codes(base(`  launcher { time = "${ok}" }`)), [], ok);
  for (const bad of ['10 min', '4h', '1:2:3:4', '']) assert.deepEqual(codes(base(`  launcher { time = "${bad}" }`)), ['SID3033'], bad);
});

test('nodes x gpus_per_node must equal the GPUs hardware.devices declares (SID3034)', () => {
  const gpus = '8 x gpu(80 GB)';
  const b8 = (extra: string, devices = gpus) => base(extra, devices).replace('global = 8; per_device = 8', 'global = 8; per_device = 1');
  assert.deepEqual(codes(b8('  launcher { nodes = 2; gpus_per_node = 4 }')), []);
  assert.deepEqual(codes(b8('  launcher { nodes = 2 }')), []);
  assert.deepEqual(codes(b8('  launcher { nodes = 2; gpus_per_node = 8 }')), ['SID3034']);
  assert.deepEqual(codes(b8('  launcher { nodes = 3 }')), ['SID3034']);
  assert.deepEqual(codes(base('  launcher { gpus_per_node = 1 }')), ['SID3034']); // cpu devices, GPUs asked for
  assert.deepEqual(codes(base(''), ['launcher.gpus_per_node=2']), ['SID3034']);
});

test('extra sbatch lines must be options the launcher does not own (SID3035)', () => {
  assert.deepEqual(codes(base('  launcher { sbatch = ["--constraint=a100", "--exclusive"] }')), []);
  assert.deepEqual(codes(base('  launcher { sbatch = ["constraint=a100"] }')), ['SID3035']);
  assert.deepEqual(codes(base('  launcher { sbatch = ["--array=0-3"] }')), ['SID3035']);
});
