import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passActivations } from '../../../compiler/plan/activations.js';
import { GIB } from '../../../compiler/plan/constants.js';
import { planGraph, type PlanReport } from '../../../compiler/plan/plan.js';
import { forwardFlops } from '../../../compiler/plan/time.js';
import { parameterCount, teacherConfig } from '../../../compiler/teachers/index.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { H100, makeGraph, SD3_BF16 } from './graph.js';

const plan = (over: Record<string, unknown> = {}, stages?: Parameters<typeof makeGraph>[1]): PlanReport =>
  planGraph(makeGraph({ ...SD3_BF16, ...over } as Parameters<typeof makeGraph>[0], stages));
const term = (p: PlanReport, prefix: string): number => {
  const t = p.terms.find((x) => x.name.startsWith(prefix));
  assert.ok(t, `term ${prefix} in ${p.terms.map((x) => x.name).join(', ')}`);
  return t.gb;
};
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${msg ?? ''} ${a} != ${b}`);

test('activations are linear in the per-device batch; model states do not change', () => {
  const a = plan({ 'batch.per_device': 2 });
  const b = plan({ 'batch.per_device': 4 });
  close(term(b, 'activations'), 2 * term(a, 'activations'));
  close(term(b, 'weights'), term(a, 'weights'));
  close(term(b, 'Adam'), term(a, 'Adam'));
});

test('pure bf16 halves the trainable model states of AMP (fp32 master weights, fp32 Adam)', () => {
  const amp = plan({ 'precision.policy': 'amp' });
  const bf = plan({ 'precision.policy': 'bf16' });
  close(term(amp, 'weights'), 2 * term(bf, 'weights'));
  close(term(amp, 'Adam'), 2 * term(bf, 'Adam'));
  close(term(amp, 'gradients'), 2 * term(bf, 'gradients'));
  close(term(amp, 'teacher phi'), term(bf, 'teacher phi')); // the frozen teacher is bf16 under both
});

test('model states by hand: 2 nets x (weights + 2 Adam moments) and one net of gradients, sharded over 8', () => {
  const P = parameterCount(teacherConfig('sd3_medium')!);
  const p = plan();
  close(term(p, 'weights') * GIB, (2 * P * 2) / 8);
  close(term(p, 'Adam') * GIB, (2 * 2 * P * 2) / 8);
  close(term(p, 'gradients') * GIB, (P * 2) / 8);
  close(term(p, 'teacher phi') * GIB, P * 2);
});

test('FSDP shards model states over the devices; ddp replicates them; the teacher is replicated either way', () => {
  const eight = plan();
  const four = plan({ 'hardware.devices': { ...H100, count: 4 } });
  const ddp = plan({ 'hardware.shard': 'ddp' });
  close(term(four, 'Adam'), 2 * term(eight, 'Adam'));
  close(term(ddp, 'Adam'), 8 * term(eight, 'Adam'));
  close(term(four, 'teacher phi'), term(eight, 'teacher phi'));
  assert.equal(
    ddp.terms.some((t) => t.name.startsWith('FSDP')),
    false,
  );
});

test('gradient checkpointing keeps block inputs only: less memory', () => {
  const off = plan();
  const on = plan({ 'hardware.gradient_checkpointing': true });
  assert.ok(term(on, 'activations') < term(off, 'activations') / 4);
  assert.ok(on.peak_gb_per_device < off.peak_gb_per_device);
});

test('resident text encoders add exactly their weights; streamed and cpu add nothing', () => {
  const enc = teacherConfig('sd3_medium')!.text_encoders.reduce((s, e) => s + e.params, 0);
  const res = plan({ 'hardware.text_encoders': 'resident' });
  close(term(res, 'text encoders') * GIB, enc * 2); // bf16 policy
  close(res.peak_gb_per_device - plan().peak_gb_per_device, (enc * 2) / GIB);
  close(plan({ 'hardware.text_encoders': 'cpu' }).peak_gb_per_device, plan().peak_gb_per_device);
});

test('CPU offload moves model states to the host and costs time', () => {
  const off = plan({ 'hardware.offload': 'cpu' });
  assert.equal(term(off, 'Adam'), 0);
  assert.ok(off.host_gb_per_device > 0);
  assert.ok(off.seconds_per_1k_images > plan().seconds_per_1k_images);
  assert.ok(off.diagnostics.some((d) => d.code === 'SID4004' && d.setting === 'hardware.offload'));
});

test('CPU offload without FSDP (the torch engine): only the Adam moments go to the host, the step costs PCIe time', () => {
  const ddp = { 'hardware.shard': 'none' };
  const none = plan(ddp);
  const off = plan({ ...ddp, 'hardware.offload': 'cpu' });
  assert.equal(term(off, 'Adam'), 0);
  close(off.host_gb_per_device, term(none, 'Adam'));
  close(term(off, 'weights'), term(none, 'weights'));
  close(term(off, 'gradients'), term(none, 'gradients'));
  assert.ok(!off.terms.some((x) => x.name.startsWith('FSDP')), 'nothing streams the weights without FSDP');
  close(off.peak_gb_per_device, none.peak_gb_per_device - term(none, 'Adam'));
  assert.ok(off.seconds_per_1k_images > none.seconds_per_1k_images);
});

test('guided passes double the batch: embedded guidance needs less activation memory than cfg', () => {
  const cfg = plan();
  const emb = plan({ 'guidance.teacher': { mode: 'embedded', scale: 4.5 }, 'guidance.fake': { mode: 'embedded', scale: 4.5 } });
  assert.ok(term(emb, 'activations') < term(cfg, 'activations'));
});

test('oracle: saved activations of a small DiT pass counted by hand', () => {
  const c = teacherConfig('dit_mnist_s')!; // 49 tokens + 1 conditioning token, D = 128, 4 blocks
  const b = { stream: 2, act: 2, f32: 4 };
  const a = passActivations(c, 28, b);
  const perTokenLayer = 128 * (2 * 2 + 8 * 2); // LN inputs; q, k, v, out and GELU input (4D)
  assert.equal(a.input, 4 * 50 * perTokenLayer);
  assert.equal(a.params, 4 * 50 * (perTokenLayer + 128 * (2 * 2 + 8 * 2)));
  assert.equal(a.checkpointed, 4 * 50 * 128 * 2);
});

test('too much memory: SID4001 with advice, fits = false', () => {
  const p = plan({ 'precision.policy': 'amp', 'batch.per_device': 16, 'hardware.text_encoders': 'resident' });
  assert.equal(p.fits, false);
  const d = p.diagnostics.find((x) => x.code === 'SID4001');
  assert.ok(d);
  assert.equal(d.severity, 'error');
  assert.match(d.help ?? '', /precision bf16/);
  assert.match(d.help ?? '', /streamed/);
  assert.match(d.message, /80 GB/);
});

test('a run that fits has no SID4001', () => {
  const p = plan();
  assert.equal(p.fits, true);
  assert.equal(
    p.diagnostics.some((d) => d.code === 'SID4001'),
    false,
  );
});

test('the CPU runtime: everything fp32 (bf16 emulated) and the wasm heap limit of 4 GB', () => {
  const small = planGraph(
    makeGraph({
      'teacher.family': 'dit',
      'teacher.config': 'dit_mnist_s',
      'data.resolution': 28,
      'precision.policy': 'bf16',
      'hardware.devices': { count: 1, kind: 'cpu', memory_gb: 16 },
      'batch.per_device': 16,
      'hardware.gradient_checkpointing': false,
    }),
  );
  assert.equal(small.fits, true);
  const P = parameterCount(teacherConfig('dit_mnist_s')!);
  close(term(small, 'weights') * GIB, 2 * P * 4);
  const big = planGraph(
    makeGraph({ ...SD3_BF16, 'hardware.devices': { count: 1, kind: 'cpu', memory_gb: 512 }, 'hardware.shard': 'none', 'batch.per_device': 1 }),
  );
  assert.equal(big.fits, false);
  assert.ok(big.diagnostics.some((d) => d.code === 'SID4001' && /wasm/.test(d.message)));
});

test('unknown teacher config: SID4003 naming the known ones', () => {
  const p = plan({ 'teacher.config': 'sd4_huge' });
  const d = p.diagnostics.find((x) => x.code === 'SID4003');
  assert.ok(d);
  assert.match(d.message, /sd4_huge/);
  assert.match(d.help ?? '', /sd35_large/);
});

test('time: compute scales with 1/throughput; FLOPs per image = forward x passes', () => {
  const a = plan();
  const b = plan({ 'hardware.devices': { ...H100, tflops: 2 * 989 } });
  const ca = a.time_terms.find((t) => t.name === 'compute')!.seconds;
  const cb = b.time_terms.find((t) => t.name === 'compute')!.seconds;
  close(ca, 2 * cb);
  const fwd = forwardFlops(teacherConfig('sd3_medium')!, 1024);
  // k averaged 2.5: fake 2.5 + 3x2, generator 1.5 + 3 + 2x2 + 2x2 + 2 (extra psi forward)
  close(a.flops_per_image, fwd * (2.5 + 6 + 1.5 + 3 + 4 + 4 + 2));
  assert.ok(fwd > 2 * 2e9 * 4250 && fwd < 2 * 2.2e9 * 4250 * 1.3); // 2 x params x tokens + attention
  // checkpointing re-runs the forward of each differentiated pass: psi x2 (fake), G, phi x2, psi x2 (generator)
  close(plan({ 'hardware.gradient_checkpointing': true }).flops_per_image, fwd * (2.5 + 6 + 2 + 1.5 + 3 + 4 + 4 + 2 + 5));
});

test('an unknown GPU without throughput gets a default and an info diagnostic', () => {
  const p = plan({ 'hardware.devices': { count: 8, kind: 'gpu', memory_gb: 80 } });
  assert.ok(p.diagnostics.some((d) => d.code === 'SID4004' && /h100/.test(d.message)));
});

test('the adversarial stage is planned too; the peak is the max over stages', () => {
  const p = plan({}, ['sid', 'adversarial']);
  assert.equal(p.stages.length, 2);
  assert.ok(p.peak_gb_per_device >= Math.max(...p.stages.map((s) => s.peak_gb)) - 1e-9);
  assert.ok(p.stages[1]!.seconds_per_1k_images > p.stages[0]!.seconds_per_1k_images); // the discriminator's real pass
});

test('renderPlan shows every term, the fit and the time', async () => {
  const { renderPlan } = await import('../../../compiler/plan/render.js');
  const p = plan();
  const text = renderPlan(p);
  for (const t of p.terms) assert.ok(text.includes(t.name), t.name);
  assert.match(text, /fits 80 GB devices/);
  assert.match(text, /s per 1k images/);
  assert.match(renderPlan(plan({ 'precision.policy': 'amp', 'batch.per_device': 16, 'hardware.text_encoders': 'resident' })), /DOES NOT FIT/);
});

test("the planner follows the graph program: a velocity node's guidance decides the doubled batch", () => {
  const base = makeGraph(SD3_BF16);
  const withNodes = makeGraph(SD3_BF16);
  const node = (net: string, mode: string) => ({
    id: `v_${net}`,
    op: 'velocity' as const,
    inputs: {},
    outputs: {},
    attrs: { net, guidance: { mode, scale: 4.5 }, grad: 'input' },
  });
  withNodes.stages[0]!.phases.push({
    name: 'generator',
    updates: 'G',
    accumulate: 8,
    nodes: [node('phi', 'embedded'), node('psi', 'embedded')],
    loss: 'l.loss',
    optimizer: { kind: 'adam', lr: 1e-5, beta1: 0, beta2: 0.999, eps: 1e-4, weight_decay: 0, clip: null },
  });
  const a = planGraph(base);
  const b = planGraph(withNodes);
  assert.ok(b.peak_gb_per_device < a.peak_gb_per_device);
  assert.ok(b.flops_per_image < a.flops_per_image);
});

/** The MNIST DiT at batch 8 in fp32 on one device, unsharded: the two CPU-device tests below. */
const DIT_MNIST_FP32 = {
  'teacher.family': 'dit',
  'teacher.config': 'dit_mnist_s',
  'data.resolution': 28,
  'precision.policy': 'fp32',
  'batch.per_device': 8,
  'hardware.shard': 'none',
};

test('CPU runtime: the tfjs tape keeps full intermediates of phi and psi together (conservative for the wasm heap)', () => {
  const cfg = { ...DIT_MNIST_FP32, 'hardware.gradient_checkpointing': false };
  const cpuPlan = planGraph(makeGraph({ ...cfg, 'hardware.devices': { count: 1, kind: 'cpu', memory_gb: 16 } }));
  const gpuPlan = planGraph(makeGraph({ ...cfg, 'hardware.devices': { count: 1, kind: 'gpu', memory_gb: 16, tflops: 100 } }));
  const a = passActivations(teacherConfig('dit_mnist_s')!, 28, { stream: 4, act: 4, f32: 4 });
  close(term(cpuPlan, 'activations') * GIB, 8 * a.params + (2 + 2) * 8 * a.params);
  close(term(gpuPlan, 'activations') * GIB, 8 * a.params + 2 * 8 * a.input);
});

test('CPU devices: gradient checkpointing counts on the torch engine only (the tfjs tape is never checkpointed)', () => {
  const cfg = { ...DIT_MNIST_FP32, 'hardware.devices': { count: 1, kind: 'cpu', memory_gb: 16 } };
  const at = (over: Record<string, JsonValue>) => term(planGraph(makeGraph({ ...cfg, ...over })), 'activations');
  close(at({ 'hardware.gradient_checkpointing': true }), at({ 'hardware.gradient_checkpointing': false }));
  const a = passActivations(teacherConfig('dit_mnist_s')!, 28, { stream: 4, act: 4, f32: 4 });
  close(at({ 'hardware.gradient_checkpointing': true, 'hardware.engine': 'torch' }) * GIB, 8 * a.checkpointed + (2 + 2) * 8 * a.checkpointed);
});
