// Every recipe parses, compiles without diagnostics, names its paper row, and carries the exact
// hyperparameters of that row (appendix D, Tables 3-4; docs/algorithm.md §8).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileFile } from '../../compiler/api.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { setting } from '../../compiler/plan/inputs.js';
import { parseSid } from '../../grammar/index.js';
import { repoPath } from '../helpers/paths.js';

// The paper's recipes (other recipes in the folder, e.g. small analogues, are tested by their owners).
const files = [
  'base/sid-dit.sid',
  'sana-600m-512.sid',
  'sana-1600m-512.sid',
  'sana-sprint-600m-1024.sid',
  'sana-sprint-1600m-1024.sid',
  'sd3-medium-amp.sid',
  'sd3-medium-bf16.sid',
  'sd35-medium-amp.sid',
  'sd35-medium-bf16.sid',
  'sd35-large-amp.sid',
  'sd35-large-bf16.sid',
  'flux-dev-512.sid',
  'flux-dev-1024.sid',
  'flux-dev.sid',
  'sid2a-sd3-medium.sid',
  'sid2a-sd35-medium.sid',
  'sid2a-sd35-large.sid',
  'fig3.sid',
];

test('the recipe set is complete', () => {
  const present = [
    ...readdirSync(repoPath('recipes')).filter((f) => f.endsWith('.sid')),
    ...readdirSync(repoPath('recipes', 'base'))
      .filter((f) => f.endsWith('.sid'))
      .map((f) => `base/${f}`),
  ];
  for (const f of files) assert.ok(present.includes(f), f);
});

for (const f of files) {
  test(`${f} parses, compiles cleanly and names its paper row`, () => {
    const text = readFileSync(repoPath('recipes', f), 'utf8');
    assert.deepEqual(parseSid(text, f).problems, []);
    const r = compileFile(repoPath('recipes', f));
    // clean: no errors or warnings (the planner's notes, SID4004, are allowed)
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.code} ${d.message}`),
      [],
    );
    assert.ok(r.ok);
    if (!f.startsWith('base/')) assert.ok(r.graphs.length >= 1);
    const header = text.split('\n').slice(0, 4).join('\n');
    assert.match(header, new RegExp(`recipes/${f.replace('.', '\\.')}`));
    assert.match(header, /paper Table [34]|paper Fig\. 3|Tables 3-4/);
  });
}

const graph = (f: string): ExecutionGraph => {
  const r = compileFile(repoPath('recipes', f));
  assert.ok(r.ok && r.graphs[0], f);
  return r.graphs[0]!;
};

// file: precision, lr, eps, per GPU, rounds, teacher config, resolution (appendix D)
const ROWS: Array<[string, string, number, number, number, number, string, number]> = [
  ['sana-600m-512.sid', 'amp', 5e-6, 1e-8, 16, 2, 'sana_600m_512', 512],
  ['sana-1600m-512.sid', 'amp', 5e-6, 1e-8, 16, 2, 'sana_1600m_512', 512],
  ['sana-sprint-600m-1024.sid', 'amp', 5e-6, 1e-8, 8, 4, 'sana_sprint_600m_1024', 1024],
  ['sana-sprint-1600m-1024.sid', 'amp', 5e-6, 1e-8, 4, 8, 'sana_sprint_1600m_1024', 1024],
  ['sd3-medium-amp.sid', 'amp', 1e-6, 1e-8, 2, 16, 'sd3_medium', 1024],
  ['sd3-medium-bf16.sid', 'bf16', 1e-5, 1e-4, 4, 8, 'sd3_medium', 1024],
  ['sd35-medium-amp.sid', 'amp', 1e-6, 1e-8, 2, 16, 'sd35_medium', 1024],
  ['sd35-medium-bf16.sid', 'bf16', 1e-5, 1e-4, 4, 8, 'sd35_medium', 1024],
  ['sd35-large-amp.sid', 'amp', 1e-6, 1e-8, 1, 32, 'sd35_large', 1024],
  ['sd35-large-bf16.sid', 'bf16', 1e-5, 1e-4, 1, 32, 'sd35_large', 1024],
  ['flux-dev-512.sid', 'bf16', 1e-5, 1e-4, 1, 32, 'flux_dev', 512],
  ['flux-dev-1024.sid', 'bf16', 1e-5, 1e-4, 2, 16, 'flux_dev', 1024],
];

test('hyperparameters of every SiD-DiT row of Tables 3-4', () => {
  for (const [f, policy, lr, eps, pd, acc, config, res] of ROWS) {
    const c = graph(f).config;
    const s = (p: string) => setting(c, p);
    assert.equal(s('precision.policy'), policy, f);
    assert.equal(s('optimizer.lr'), lr, f);
    assert.equal(s('optimizer.eps'), eps, f);
    assert.equal(s('batch.per_device'), pd, f);
    assert.equal(s('batch.accumulate'), acc, f);
    assert.equal(s('teacher.config'), config, f);
    assert.equal(s('data.resolution'), res, f);
    const dev = s('hardware.devices') as { count: number; memory_gb: number };
    assert.equal(dev.count * pd * acc, 256, `${f}: global batch`);
    assert.equal(dev.memory_gb, f === 'flux-dev-1024.sid' ? 192 : 80, f);
    // shared defaults of the paper
    assert.equal(s('loss.lambda_sid'), 100);
    assert.equal(s('loss.alpha'), 1);
    assert.equal(s('optimizer.beta1'), 0);
    assert.equal(s('optimizer.beta2'), 0.999);
    assert.equal(s('generator.steps'), 4);
    assert.equal(s('hardware.shard'), 'fsdp');
    const dist = s('time.distribution') as { kind: string; mean: number; std: number };
    assert.equal(dist.kind, 'logit_normal');
    assert.ok(Math.abs(dist.mean - Math.LN2) < 1e-12);
    assert.equal(dist.std, 1.6);
    const guidance = s('guidance.teacher') as { mode: string; scale: number };
    assert.equal(guidance.scale, 4.5);
    assert.equal(guidance.mode, f.startsWith('flux') ? 'embedded' : 'cfg', f);
    assert.equal(s('teacher.objective'), f.startsWith('sana-sprint') ? 'trigflow' : 'rectified_flow', f);
  }
});

test('SiD2a recipes: the adversarial stage after sid, lr 1e-6, eps 1e-8, bf16, real data', () => {
  for (const [f, pd] of [
    ['sid2a-sd3-medium.sid', 4],
    ['sid2a-sd35-medium.sid', 4],
    ['sid2a-sd35-large.sid', 1],
  ] as const) {
    const g = graph(f);
    const adv = g.stages.find((s) => s.kind === 'adversarial');
    assert.ok(adv, f);
    assert.deepEqual(adv.after, ['sid']);
    assert.equal(adv.precision.policy, 'bf16');
    const opt = adv.phases[0]?.optimizer;
    assert.equal(opt?.lr, 1e-6, f);
    assert.equal(opt?.eps, 1e-8, f);
    assert.equal(setting(g.config, 'batch.per_device'), pd);
    assert.equal(typeof setting(g.config, 'data.images'), 'string');
    assert.equal(setting(g.config, 'adversarial.warmup'), 20000);
    assert.equal(setting(g.config, 'adversarial.switch'), 40000);
  }
});

test('fig3.sid sweeps the six intervals of Fig. 3 (a-f) over the SANA 0.6B 512 recipe', () => {
  const r = compileFile(repoPath('recipes', 'fig3.sid'));
  assert.ok(r.ok);
  const intervals = r.graphs.map((g) => setting(g.config, 'time.interval') as number[]);
  const want = [
    [0, 1 / 3],
    [1 / 3, 2 / 3],
    [2 / 3, 1],
    [0, 1 / 2],
    [1 / 4, 3 / 4],
    [1 / 2, 1],
  ];
  assert.equal(intervals.length, 6);
  for (const [i, w] of want.entries()) {
    assert.ok(Math.abs(intervals[i]![0]! - w[0]!) < 1e-12 && Math.abs(intervals[i]![1]! - w[1]!) < 1e-12, `point ${i}: ${intervals[i]}`);
  }
  for (const g of r.graphs) assert.equal(setting(g.config, 'teacher.config'), 'sana_600m_512');
});
