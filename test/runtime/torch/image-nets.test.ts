// The torch engine's image nets (runtime/torch/sidc_torch/nets: dit.py, families/) against the tfjs engine
// on the same inputs: the shipped MNIST DiT teacher and one tiny teacher per family written by
// `sidc make-tiny` (sana, sana-sprint through its TrigFlow map, sd3, flux). For each: the plain velocity,
// the CFG-guided velocity (eq. 15, doubled batch), the embedded-guided velocity where the net has a guidance
// embedder, and the discriminator features (final-norm tokens averaged). tfjs writes inputs and outputs as
// .npy; test/runtime/torch/image_nets_check.py runs the torch modules (loaded from the same files) and
// reports max abs / rel differences. One python start-up for all cases.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';
import { readNpyFloat32, writeNpy } from '../../../runtime/formats/npy.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { SplitMix32 as Rng } from '../../../runtime/rng/splitmix32.js';
import { loadDitFile } from '../../../runtime/tfjs/loop/dit-net.js';
import { mnistCaption } from '../../../runtime/data/mnist.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { loadFamilyTeacher } from '../../../runtime/tfjs/families/teacher.js';
import { FamilyNet } from '../../../runtime/tfjs/families/net.js';
import { guidedVelocity } from '../../../runtime/tfjs/loop/sampling.js';
import { makePrecision } from '../../../runtime/tfjs/precision/policy.js';
import type { VelocityNet } from '../../../runtime/tfjs/nets/net.js';

const torchPython = pythonWith('torch', 'numpy');
const skip = torchPython ? false : 'python3 with torch not found';
const B = 3;
const CFG = 4.5;
const EMBEDDED = 3.5;

interface Case {
  name: string;
  /** what image_nets_check.py loads: {kind: 'dit', file, input_scale} or {kind: 'family', root, objective, latent} */
  load: Record<string, unknown>;
  time_scale: number;
  embedded: boolean;
}

// the t the graph hands the velocity op (t in (0, 1)) and the net's time_scale
const CASES: Case[] = [
  { name: 'dit', load: { kind: 'dit', file: repoPath('examples', 'teachers', 'dit-mnist.safetensors'), input_scale: 1000 }, time_scale: 1, embedded: false },
  { name: 'sana', load: { kind: 'family', objective: 'rectified_flow' }, time_scale: 1000, embedded: false },
  { name: 'sana-sprint', load: { kind: 'family', objective: 'trigflow' }, time_scale: 1, embedded: true },
  { name: 'sd3', load: { kind: 'family', objective: 'rectified_flow' }, time_scale: 1000, embedded: false },
  { name: 'flux', load: { kind: 'family', objective: 'rectified_flow' }, time_scale: 1, embedded: true },
];
const LATENT = 8;

type Cmp = { abs: number; rel: number; scale: number };
let results: Record<
  string,
  Record<string, Cmp> & { bf16_weights_differing?: number; bf16_wrong_dtype?: number; v_bf16?: Cmp; v_amp?: Cmp; v_reference?: Cmp }
> = {};
let pythonError = '';
const reload = new Map<string, (path: string) => VelocityNet>();
const rerun = new Map<string, (net: VelocityNet) => Float32Array>();
const roundTrip: Record<string, number> = {};

function save(dir: string, name: string, t: tf.Tensor): string {
  const p = join(dir, `${name}.npy`);
  writeNpy(
    p,
    t.dtype === 'int32'
      ? { dtype: 'i4', shape: t.shape, data: t.dataSync() as Int32Array }
      : { dtype: 'f4', shape: t.shape, data: t.dataSync() as Float32Array },
  );
  return p;
}

before(async () => {
  if (!torchPython) return;
  await useWasm();
  const fp32 = makePrecision('fp32');
  const jobs: Record<string, unknown>[] = [];
  for (const k of CASES) {
    const dir = scratchDir(`torchnets-${k.name}`);
    let net: VelocityNet & { features(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D): tf.Tensor2D };
    let conds: number[];
    const load = { ...k.load };
    if (k.name === 'dit') {
      net = loadDitFile(String(load.file), {
        captions: Array.from({ length: 10 }, (_, d) => mnistCaption(d)),
        inputScale: Number(load.input_scale),
        trainable: false,
      });
      conds = [3, 10, 7]; // 10 = the empty caption (null condition)
    } else {
      const t = writeTinyFamilyTeacher(k.name, join(dir, 'teacher'), { seed: 5 });
      const loaded = loadFamilyTeacher({ checkpoint: t.root, text: t.text, latent: { height: LATENT, width: LATENT } });
      net =
        load.objective === 'trigflow'
          ? new FamilyNet({ ...loaded.net.opts, weights: Object.fromEntries(loaded.net.params), objective: 'trigflow' })
          : loaded.net;
      Object.assign(load, { root: t.root, text: t.text, latent: LATENT });
      conds = [1, net.nullCondition, 3];
    }
    const rng = new Rng(11);
    const dim = (net as unknown as { dim: number }).dim;
    const x = tf.tensor2d(
      Float32Array.from({ length: B * dim }, () => rng.normal()),
      [B, dim],
    );
    const t = tf.tensor1d([0.15, 0.5, 0.85]);
    const c = tf.tensor1d(conds, 'int32');
    const out: Record<string, string> = { x: save(dir, 'x', x), t: save(dir, 't', t), c: save(dir, 'c', c) };
    const ts = tf.mul(t, k.time_scale) as tf.Tensor1D;
    out.v = save(dir, 'v', guidedVelocity(net, x, t, c, { mode: 'none', scale: 1 }, k.time_scale, fp32));
    out.v_cfg = save(dir, 'v_cfg', guidedVelocity(net, x, t, c, { mode: 'cfg', scale: CFG }, k.time_scale, fp32));
    if (k.embedded) out.v_embedded = save(dir, 'v_embedded', guidedVelocity(net, x, t, c, { mode: 'embedded', scale: EMBEDDED }, k.time_scale, fp32));
    out.features = save(dir, 'features', net.features(x, ts, c));
    out.saved = join(dir, 'torch-saved.safetensors');
    jobs.push({ name: k.name, load, time_scale: k.time_scale, cfg: CFG, embedded: k.embedded ? EMBEDDED : null, files: out });
    reload.set(k.name, (path) => (net instanceof FamilyNet ? net.withWeights(readSafetensors(path).tensors, false) : loadDitFile(path, { trainable: false })));
    rerun.set(k.name, (n) => guidedVelocity(n, x, t, c, { mode: 'none', scale: 1 }, k.time_scale, fp32).dataSync() as Float32Array);
  }
  const jobFile = join(scratchDir('torchnets'), 'jobs.json');
  const resultFile = jobFile.replace('jobs.json', 'results.json');
  writeFileSync(jobFile, JSON.stringify(jobs));
  const r = spawnSync(torchPython, [repoPath('test', 'runtime', 'torch', 'image_nets_check.py'), jobFile, resultFile], { encoding: 'utf8', cwd: repoPath() });
  if (r.status !== 0) pythonError = r.stderr || `exit ${r.status}`;
  else results = JSON.parse(readFileSync(resultFile, 'utf8')) as typeof results;
  // the net the torch engine saved (save_net: format sidc.net), loaded back by the tfjs engine
  for (const job of jobs) {
    const name = String(job.name);
    const files = job.files as Record<string, string>;
    if (pythonError) break;
    const back = reload.get(name)!(files.saved!);
    const v = rerun.get(name)!(back);
    const ref = readNpyFloat32(files.v!).data;
    roundTrip[name] = Math.max(...Array.from(v, (a, i) => Math.abs(a - ref[i]!)));
    back.dispose();
  }
});

// fp32 tolerance: max |torch - tfjs| / (1 + max |tfjs|) (the two engines order float sums differently)
const TOL = 2e-5;

for (const k of CASES) {
  const quantities = ['v', 'v_cfg', ...(k.embedded ? ['v_embedded'] : []), 'features'];
  test(`${k.name}: torch velocity, guided velocity and features equal the tfjs engine's (fp32)`, { skip }, (t) => {
    assert.equal(pythonError, '', pythonError);
    const r = results[k.name]!;
    for (const q of quantities) {
      if (r[q]) t.diagnostic(`${q}: max abs ${r[q]!.abs.toExponential(2)}, rel ${r[q]!.rel.toExponential(2)}, max |tfjs| ${r[q]!.scale.toFixed(3)}`);
      assert.ok(r[q], `${k.name}: no result for ${q}`);
      assert.ok(r[q]!.scale > 1e-3, `${k.name} ${q}: the outputs are all ~0, the comparison would prove nothing`);
      assert.ok(r[q]!.rel < TOL, `${k.name} ${q}: max abs ${r[q]!.abs}, rel ${r[q]!.rel} (tolerance ${TOL})`);
    }
  });
}

// dtype on load: a family teacher read as bfloat16 straight from its BF16 shards holds exactly the stored
// values, and its velocity agrees with the fp32 tfjs engine's to bfloat16 accuracy (8 mantissa bits)
const BF16_TOL = 5e-2;
for (const k of CASES.filter((c) => c.load.kind === 'family')) {
  test(`${k.name}: loaded as bfloat16 from BF16 shards, weights are the stored values and v agrees to bf16 accuracy`, { skip }, (t) => {
    assert.equal(pythonError, '', pythonError);
    const r = results[k.name]!;
    assert.equal(r.bf16_wrong_dtype, 0, 'parameters not in bfloat16');
    assert.equal(r.bf16_weights_differing, 0, 'weights differ from the BF16 shards');
    t.diagnostic(`v_bf16: max abs ${r.v_bf16!.abs.toExponential(2)}, rel ${r.v_bf16!.rel.toExponential(2)}`);
    assert.ok(r.v_bf16!.rel < BF16_TOL, `rel ${r.v_bf16!.rel}`);
  });
}

// independent oracles: scripts/reference/families.py (diffusers' module tree, strict load of the same shards)
// and scripts/reference/sid_dit_torch.py's DiT
for (const k of CASES) {
  const ref = k.load.kind === 'dit' ? 'sid_dit_torch.py' : 'families.py (diffusers module tree)';
  test(`${k.name}: the transformer pass equals scripts/reference/${ref}`, { skip }, (t) => {
    assert.equal(pythonError, '', pythonError);
    const r = results[k.name]!.v_reference!;
    t.diagnostic(`v_reference: max abs ${r.abs.toExponential(2)}, rel ${r.rel.toExponential(2)}, max |ref| ${r.scale.toFixed(3)}`);
    assert.ok(r.scale > 1e-3 && r.rel < TOL, `rel ${r.rel}`);
  });
}

// amp: the CFG-guided velocity under the engine's bfloat16 autocast (fp32 weights) within bf16 accuracy
for (const k of CASES) {
  test(`${k.name}: under amp (bf16 autocast) the guided velocity agrees to bf16 accuracy`, { skip }, (t) => {
    assert.equal(pythonError, '', pythonError);
    const r = results[k.name]!.v_amp!;
    t.diagnostic(`v_amp: max abs ${r.abs.toExponential(2)}, rel ${r.rel.toExponential(2)}`);
    assert.ok(r.rel < BF16_TOL, `rel ${r.rel}`);
  });
}

// checkpoint names: a net saved by the torch engine (save_net) loads in the tfjs engine and gives the same v
for (const k of CASES) {
  test(`${k.name}: the torch engine's saved net loads in the tfjs engine with the same velocity`, { skip }, () => {
    assert.equal(pythonError, '', pythonError);
    assert.equal(roundTrip[k.name], 0, `max |v(reloaded) - v| = ${roundTrip[k.name]}`);
  });
}
