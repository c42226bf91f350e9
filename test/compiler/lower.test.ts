// Lowering: the SiD iteration of docs/algorithm.md §3-4 node by node, adversarial stage (§6), precision
// dtypes, family shape bindings (§7), edge integrity, the graph schema, and the content hash.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileFile } from '../../compiler/api.js';
import { compileText } from '../../compiler/compile.js';
import { graphHash } from '../../compiler/graph/hash.js';
import { graphSchema } from '../../compiler/graph/schema.js';
import type { ExecutionGraph, StageGraph } from '../../compiler/graph/types.js';
import { OPS } from '../../compiler/graph/types.js';
import { newAjv } from '../../compiler/schema/validate.js';
import { repoPath } from '../helpers/paths.js';

const fx = (f: string): string => repoPath('test', 'compiler', 'fixtures', f);
const validate = newAjv().compile(graphSchema());

function one(path: string, set: string[] = []): ExecutionGraph {
  const r = compileFile(path, { set });
  assert.ok(r.ok, JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`)));
  assert.equal(r.graphs.length, 1);
  return r.graphs[0]!;
}

function ops(stage: StageGraph, phase: string): string[] {
  return stage.phases.find((p) => p.name === phase)!.nodes.map((n) => n.op + (typeof n.attrs.net === 'string' ? `:${n.attrs.net}:${n.attrs.grad}` : ''));
}

test('the SiD stage follows docs/algorithm.md §3-4 exactly', () => {
  const g = one(fx('sana.sid'));
  assert.ok(validate(g), JSON.stringify(validate.errors));
  const sid = g.stages.find((s) => s.name === 'sid')!;
  assert.deepEqual(
    sid.shared.map((n) => [n.op, n.attrs.steps]),
    [['sample_k', 4]],
  );
  assert.deepEqual(
    sid.phases.map((p) => [p.name, p.updates]),
    [
      ['fake', 'psi'],
      ['generator', 'G'],
    ],
  );
  assert.deepEqual(ops(sid, 'fake'), ['sample_condition', 'generate:G:false', 'sample_t', 'sample_noise', 'diffuse', 'velocity:psi:params', 'fm_loss']);
  assert.deepEqual(ops(sid, 'generator'), [
    'sample_condition',
    'generate:G:true',
    'sample_t',
    'sample_noise',
    'diffuse',
    'velocity:phi:input',
    'x0_from_v',
    'velocity:psi:input',
    'x0_from_v',
    'weighting',
    'sid_loss',
  ]);
  const gen = sid.phases[1]!;
  const vPhi = gen.nodes.find((n) => n.attrs.net === 'phi')!;
  assert.deepEqual(vPhi.attrs.guidance, { mode: 'cfg', scale: 4.5 });
  assert.equal(vPhi.attrs.time_scale, 1000); // SANA rectified flow (docs/algorithm.md §1)
  const sidLoss = gen.nodes.find((n) => n.op === 'sid_loss')!;
  assert.deepEqual(sidLoss.attrs, { lambda_sid: 100, alpha: 1 });
  assert.equal(gen.loss, `${sidLoss.id}.loss`);
  assert.deepEqual(
    sid.nets.map((n) => [n.name, n.trainable, n.init]),
    [
      ['phi', false, 'teacher'],
      ['psi', true, 'teacher'],
      ['G', true, 'teacher'],
    ],
  );
  assert.equal(gen.optimizer.lr, 5e-6);
  assert.equal(gen.accumulate, 2);
  assert.ok(vPhi.provenance?.['guidance.teacher']?.includes('base.sid'), 'provenance names the base file');
});

test('the adversarial stage: G from stage:sid, psi fresh, discriminator and GAN losses, its own lr', () => {
  const g = one(fx('sana.sid'));
  const adv = g.stages.find((s) => s.name === 'adversarial')!;
  assert.deepEqual(adv.after, ['sid']);
  assert.deepEqual(
    adv.nets.map((n) => [n.name, n.init]),
    [
      ['phi', 'teacher'],
      ['psi', 'teacher'],
      ['G', 'stage:sid'],
    ],
  );
  const all: string[] = adv.phases.flatMap((p) => p.nodes.map((n) => n.op));
  for (const op of ['disc_logits', 'disc_loss', 'gan_loss', 'sample_data', 'combine']) assert.ok(all.includes(op), op);
  assert.ok(adv.phases.every((p) => p.optimizer.lr === 1e-6));
  assert.equal(adv.attrs.warmup_images, 20000);
  const numel = adv.phases[0]!.nodes.find((n) => n.op === 'disc_loss')!.attrs.numel;
  assert.equal(numel, 32 * 16 * 16);
});

test('every edge refers to an output of an earlier node in scope, and every op is in the catalogue', () => {
  for (const g of [one(fx('sana.sid')), one(fx('gmm.sid'))]) {
    for (const s of g.stages) {
      const shared = new Set(s.shared.flatMap((n) => Object.keys(n.outputs).map((o) => `${n.id}.${o}`)));
      for (const p of s.phases) {
        const avail = new Set(shared);
        for (const n of p.nodes) {
          assert.ok(n.op in OPS, n.op);
          for (const ref of Object.values(n.inputs)) assert.ok(avail.has(ref), `${s.name}/${n.id} reads ${ref}`);
          for (const o of Object.keys(n.outputs)) avail.add(`${n.id}.${o}`);
        }
        assert.ok(avail.has(p.loss), p.loss);
      }
    }
  }
});

test('precision policies set dtypes (docs/algorithm.md §5)', () => {
  const amp = one(fx('sana.sid')).stages[0]!.precision;
  assert.deepEqual([amp.weights, amp.compute, amp.optimizer_state], ['float32', 'bfloat16', 'float32']);
  const bf = one(fx('sana.sid'), ['precision.policy=bf16', 'optimizer.eps=1e-4']).stages[0]!;
  assert.deepEqual([bf.precision.weights, bf.precision.optimizer_state, bf.nets[0]!.dtype], ['bfloat16', 'bfloat16', 'bfloat16']);
  const x = bf.phases[1]!.nodes.find((n) => n.op === 'generate')!.outputs.x_g!;
  assert.equal(x.dtype, 'float32'); // x_g stays fp32
});

test('shape bindings per family (docs/algorithm.md §7)', () => {
  const sana = one(fx('sana.sid'));
  assert.deepEqual([sana.bindings.B, sana.bindings.C, sana.bindings.H, sana.bindings.W, sana.bindings.D], [16, 32, 16, 16, 1152]);
  const sd3 = one(fx('sana.sid'), [
    'teacher.family=sd3',
    'teacher.config="sd3_medium"',
    'data.resolution=1024 px',
    'batch.per_device=2',
    'batch.accumulate=16',
  ]);
  assert.deepEqual([sd3.bindings.C, sd3.bindings.H, sd3.bindings.P, sd3.bindings.N], [16, 128, 2, 4096]);
  const flux = one(fx('sana.sid'), [
    'teacher.family=flux',
    'teacher.config="flux_dev"',
    'guidance.teacher=embedded(4.5)',
    'guidance.fake=embedded(4.5)',
    'precision.policy=bf16',
    'optimizer.eps=1e-4',
    'batch.per_device=1',
    'batch.accumulate=32',
  ]);
  assert.deepEqual([flux.bindings.N, flux.bindings.C, flux.bindings.D], [1024, 64, 3072]);
  assert.deepEqual(flux.stages[0]!.phases[0]!.nodes.find((n) => n.op === 'generate')!.outputs.x_g!.shape, ['B', 'N', 'C']);
  const gmm = one(fx('gmm.sid'));
  assert.deepEqual([gmm.bindings.B, gmm.bindings.X], [256, 2]);
  assert.deepEqual(
    gmm.stages.map((s) => s.name),
    ['sid', 'evaluate'],
  );
});

test('the hash is the run identity: layout and file name do not change it, settings do', () => {
  const text = readFileSync(fx('gmm.sid'), 'utf8');
  const a = compileText(text, fx('gmm.sid')).graphs[0]!;
  assert.equal(a.hash, graphHash(a));
  const moved = compileText('// a comment\n\n' + text.replace(/\n/g, '\n\n'), repoPath('elsewhere.sid')).graphs[0]!;
  assert.equal(moved.hash, a.hash);
  const changed = compileText(text.replace('optimizer.lr = 1e-3', 'optimizer.lr = 2e-3'), fx('gmm.sid')).graphs[0]!;
  assert.notEqual(changed.hash, a.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

test('a .sid recipe and its YAML and JSON translations compile to the same graph hash', () => {
  const sid = one(fx('sana.sid'));
  const yaml = one(fx('sana.yaml'));
  const json = one(fx('sana.json'));
  assert.equal(yaml.hash, sid.hash);
  assert.equal(json.hash, sid.hash);
});

test('sweeps: list, grid (cartesian) and zip (tied) x list', () => {
  const r = compileFile(fx('fig3.sid'));
  assert.ok(r.ok, JSON.stringify(r.diagnostics.map((d) => d.message)));
  assert.equal(r.graphs.length, 6 + 6 + 4);
  assert.equal(new Set(r.graphs.map((g) => g.hash)).size, 16);
  const fig3 = compileFile(fx('fig3.sid'), { recipe: 'fig3' }).graphs;
  assert.deepEqual(
    fig3.map((g) => g.recipe.sweepPoint?.['time.interval']),
    [
      [0, 1 / 3],
      [1 / 3, 2 / 3],
      [2 / 3, 1],
      [0, 1 / 2],
      [1 / 4, 3 / 4],
      [1 / 2, 1],
    ],
  );
  assert.deepEqual(fig3[2]!.stages[0]!.phases[1]!.nodes.find((n) => n.op === 'sample_t')!.attrs.interval, [2 / 3, 1]);
  const tied = compileFile(fx('fig3.sid'), { recipe: 'tied' }).graphs;
  assert.deepEqual(
    tied.map((g) => [
      g.config.precision && (g.config.precision as { policy: string }).policy,
      (g.config.optimizer as { eps: number }).eps,
      (g.config.train as { seed: number }).seed,
    ]),
    [
      ['amp', 1e-8, 0],
      ['amp', 1e-8, 1],
      ['bf16', 1e-4, 0],
      ['bf16', 1e-4, 1],
    ],
  );
});

test('a YAML sweep over the .sid recipe gives the same points and hashes as the .sid sweep', () => {
  const sid = compileFile(fx('fig3.sid'), { recipe: 'fig3' });
  const yaml = compileFile(fx('fig3.yaml'));
  assert.ok(yaml.ok, JSON.stringify(yaml.diagnostics.map((d) => `${d.code} ${d.message}`)));
  assert.deepEqual(
    yaml.graphs.map((g) => g.hash),
    sid.graphs.map((g) => g.hash),
  );
});

test('data.text = encoder(N) carries the token count into the graph; encoder alone does not, and a bad count is SID2010', () => {
  const g = one(fx('sana.sid'), ['data.text=encoder(77)']);
  assert.deepEqual((g.config as { data: { text: unknown } }).data.text, { mode: 'encoder', tokens: 77 });
  assert.deepEqual((one(fx('sana.sid'), ['data.text=encoder']).config as { data: { text: unknown } }).data.text, { mode: 'encoder' });
  for (const bad of ['encoder(1)', 'encoder(2.5)', 'encoder("77")']) {
    const r = compileFile(fx('sana.sid'), { set: [`data.text=${bad}`] });
    assert.ok(!r.ok, bad);
    assert.ok(
      r.diagnostics.some((d) => d.code === 'SID2010' && /the T5 \/ Gemma tokens per prompt: encoder\(77\)/.test(d.message)),
      `${bad}: ${r.diagnostics.map((d) => d.message).join('; ')}`,
    );
  }
});
