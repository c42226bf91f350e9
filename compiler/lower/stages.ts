// Lowers each stage kind to nets and per-iteration phases of typed nodes.
//   sid          docs/algorithm.md §3-4: shared sample_k; fake phase then generator phase (1:1, fake first)
//   adversarial  docs/algorithm.md §6: G from stage:sid, psi copied afresh; discriminator = psi's features
//   teach        flow matching of the teacher on data (vector / small-image teachers)
//   evaluate, export: no phases, only attrs
import type { GraphNode, NetDecl, OptimizerSpec, Phase, PrecisionSpec, StageGraph, TensorType, DType } from '../graph/types.js';
import type { Shapes } from '../graph/shapes.js';
import type { ResolvedStage } from '../model.js';
import { MONITOR_METRICS_OF, type JsonValue } from '../recipe/settings.js';
import type { Flat } from './config.js';
import { NodeList } from './builder.js';

export interface StageContext {
  stage: ResolvedStage;
  cfg: Flat; // effective values for this stage
  shapes: Shapes;
  precision: PrecisionSpec;
  provenanceOf: (paths: string[]) => Record<string, string>;
}

const f32 = (shape: (number | string)[]): TensorType => ({ dtype: 'float32', shape });

export function precisionSpec(policy: string): PrecisionSpec {
  const bf: DType = 'bfloat16';
  if (policy === 'bf16') return { policy: 'bf16', weights: bf, compute: bf, optimizer_state: bf, loss: 'float32' };
  if (policy === 'amp') return { policy: 'amp', weights: 'float32', compute: bf, optimizer_state: 'float32', loss: 'float32' };
  return { policy: 'fp32', weights: 'float32', compute: 'float32', optimizer_state: 'float32', loss: 'float32' };
}

function optimizer(cfg: Flat, lr: number): OptimizerSpec {
  return {
    kind: 'adam',
    lr,
    beta1: cfg.get('optimizer.beta1') as number,
    beta2: cfg.get('optimizer.beta2') as number,
    eps: cfg.get('optimizer.eps') as number,
    weight_decay: cfg.get('optimizer.weight_decay') as number,
    clip: (cfg.get('optimizer.clip') as number | undefined) ?? null,
  };
}

function condSource(cfg: Flat): string {
  const text = cfg.get('data.text') as { mode: string };
  return text.mode === 'labels' ? 'labels' : 'prompts';
}

/** Evaluation during training (docs/algorithm.md §10, docs/runtime.md "Monitor"): only present, and only
 * hashed, when the recipe sets monitor.every. Unset metrics / samples / keep are the teacher's defaults. */
function monitorAttrs(cfg: Flat): Record<string, JsonValue> {
  const every = cfg.get('monitor.every');
  if (every === undefined) return {};
  const family = String(cfg.get('teacher.family'));
  const metrics = (cfg.get('monitor.metrics') as string[] | undefined) ?? [...MONITOR_METRICS_OF[family === 'dit' ? 'image' : 'vector']];
  const keep = (cfg.get('monitor.keep') as string[] | undefined) ?? [...metrics.map((m) => `best(${m})`), 'last'];
  const samples = (cfg.get('monitor.samples') as number | undefined) ?? (family === 'dit' ? 500 : 1000);
  const steps = (cfg.get('monitor.steps') as number | undefined) ?? (cfg.get('generator.steps') as number);
  return { monitor: { every_images: every, metrics, samples, steps, keep } };
}

function trainAttrs(cfg: Flat): Record<string, JsonValue> {
  return {
    ...monitorAttrs(cfg),
    length_images: cfg.get('train.length')!,
    checkpoint_every_images: cfg.get('train.checkpoint_every')!,
    sample_every_images: cfg.get('train.sample_every')!,
    log_every_images: cfg.get('train.log_every')!,
    seed: cfg.get('train.seed')!,
    batch_global: cfg.get('batch.global')!,
    batch_per_device: cfg.get('batch.per_device')!,
    accumulate: cfg.get('batch.accumulate')!,
  };
}

interface PhaseParts {
  nl: NodeList;
  c: string;
  xg: string;
  t: string;
  eps: string;
  xt: string;
}

/** The common start of a phase: condition, x_g = generate_k(G), t, eps, x_t = (1 - t) x_g + t eps. */
function phaseStart(sc: StageContext, nl: NodeList, k: string, grad: boolean, interval: JsonValue, cond?: string): PhaseParts {
  const { cfg, shapes, precision } = sc;
  const latent = f32(shapes.latent); // x_g, targets and losses stay fp32 (docs/algorithm.md §5)
  const c = cond ?? nl.add('condition', 'sample_condition', {}, { c: shapes.cond }, { source: condSource(cfg) }, ['data.text']).c!;
  const gen = nl.add(
    'generate',
    'generate',
    { k, c },
    { x_g: latent },
    { net: 'G', steps: cfg.get('generator.steps')!, noise: cfg.get('generator.noise')!, grad },
    ['generator.steps', 'generator.noise'],
  );
  const t = nl.add(
    'sample_t',
    'sample_t',
    {},
    { t: f32(['B']) },
    { distribution: cfg.get('time.distribution')!, interval, sampling: cfg.get('time.sampling')! },
    ['time.distribution', 'time.interval', 'time.sampling'],
  );
  const eps = nl.add('noise', 'sample_noise', {}, { eps: latent });
  const xt = nl.add('diffuse', 'diffuse', { x0: gen.x_g!, t: t.t!, eps: eps.eps! }, { x_t: { dtype: precision.compute, shape: shapes.latent } });
  return { nl, c, xg: gen.x_g!, t: t.t!, eps: eps.eps!, xt: xt.x_t! };
}

function velocity(sc: StageContext, p: PhaseParts, name: string, net: string, guidancePath: string, grad: 'params' | 'input' | 'none', x = p.xt): string {
  const attrs = { net, guidance: sc.cfg.get(guidancePath)!, time_scale: sc.cfg.get('teacher.time_scale')!, grad };
  return p.nl.add(name, 'velocity', { x, t: p.t, c: p.c }, { v: { dtype: sc.precision.compute, shape: sc.shapes.latent } }, attrs, [
    guidancePath,
    'teacher.time_scale',
  ]).v!;
}

/** Fake-network phase (docs/algorithm.md §4): x_g without grad, psi regressed onto eps - x_g with guided output.
 * t is drawn on all of (0, 1): time.interval restricts the generator loss only (settings.ts, Fig. 3), so psi
 * keeps tracking the generator's distribution everywhere; a distribution's own `on (lo, hi)` applies to both. */
function fakePhase(sc: StageContext, k: string, extra?: (p: PhaseParts) => string): Phase {
  const nl = new NodeList('fake', sc.provenanceOf);
  const start = phaseStart(sc, nl, k, false, [0, 1]);
  // SiD-LSG's prompt dropout (docs/algorithm.md §10): psi sees the null condition with probability p; G
  // generated x_g for the drawn prompt. Absent (or 0) adds no node, so no random draw: today's graph.
  const drop = sc.cfg.get('guidance.fake_dropout') as number | undefined;
  const c = drop ? nl.add('drop', 'drop_condition', { c: start.c }, { c: sc.shapes.cond }, { p: drop }, ['guidance.fake_dropout']).c! : start.c;
  const p = { ...start, c };
  const v = velocity(sc, p, 'v_psi', 'psi', 'guidance.fake', 'params');
  let loss = nl.add('fm_loss', 'fm_loss', { v, eps: p.eps, x0: p.xg }, { loss: f32([]) }).loss!;
  if (extra) loss = extra({ ...p, nl }) || loss;
  const lr = (sc.cfg.get('optimizer.fake_lr') as number | undefined) ?? (sc.cfg.get('optimizer.lr') as number);
  return { name: 'fake', updates: 'psi', accumulate: sc.cfg.get('batch.accumulate') as number, nodes: nl.nodes, loss, optimizer: optimizer(sc.cfg, lr) };
}

/** Generator phase (docs/algorithm.md §4, eq. 18): y_real, y_fake through phi and psi (grad to input), w(t), sid_loss. */
function generatorPhase(sc: StageContext, k: string, extra?: (p: PhaseParts, sidLoss: string) => string): Phase {
  const nl = new NodeList('generator', sc.provenanceOf);
  const p = phaseStart(sc, nl, k, true, sc.cfg.get('time.interval')!);
  const latent = f32(sc.shapes.latent);
  const vPhi = velocity(sc, p, 'v_phi', 'phi', 'guidance.teacher', 'input');
  const yReal = nl.add('y_real', 'x0_from_v', { x: p.xt, t: p.t, v: vPhi }, { x0: latent }).x0!;
  const vPsi = velocity(sc, p, 'v_psi', 'psi', 'guidance.fake', 'input');
  const yFake = nl.add('y_fake', 'x0_from_v', { x: p.xt, t: p.t, v: vPsi }, { x0: latent }).x0!;
  const w = nl.add('weighting', 'weighting', { t: p.t, x_g: p.xg, y_real: yReal }, { w: f32(['B']) }, { weighting: sc.cfg.get('loss.weighting')! }, [
    'loss.weighting',
  ]).w!;
  const attrs = { lambda_sid: sc.cfg.get('loss.lambda_sid')!, alpha: sc.cfg.get('loss.alpha')! };
  let loss = nl.add('sid_loss', 'sid_loss', { y_real: yReal, y_fake: yFake, x_g: p.xg, w }, { loss: f32([]) }, attrs, ['loss.lambda_sid', 'loss.alpha']).loss!;
  if (extra) loss = extra(p, loss);
  return {
    name: 'generator',
    updates: 'G',
    accumulate: sc.cfg.get('batch.accumulate') as number,
    nodes: nl.nodes,
    loss,
    optimizer: optimizer(sc.cfg, sc.cfg.get('optimizer.lr') as number),
  };
}

function nets(sc: StageContext, gInit: string, psiInit = 'teacher'): NetDecl[] {
  const w = sc.precision.weights;
  return [
    { name: 'phi', role: 'teacher', trainable: false, init: 'teacher', dtype: w },
    { name: 'psi', role: 'fake', trainable: true, init: psiInit, dtype: w },
    { name: 'G', role: 'generator', trainable: true, init: gInit, dtype: w },
  ];
}

function generatorInit(sc: StageContext): string {
  const init = String(sc.cfg.get('generator.init') ?? 'teacher');
  if (init === 'teacher') return 'teacher';
  return /[/.]/.test(init) ? `checkpoint:${init}` : `stage:${init}`;
}

function sampleK(sc: StageContext): GraphNode[] {
  const nl = new NodeList('shared', sc.provenanceOf);
  nl.add('sample_k', 'sample_k', {}, { k: { dtype: 'int32', shape: [] } }, { steps: sc.cfg.get('generator.steps')! }, ['generator.steps']);
  return nl.nodes;
}

function base(sc: StageContext, kind: StageGraph['kind']): Omit<StageGraph, 'nets' | 'shared' | 'phases' | 'attrs'> {
  return { name: sc.stage.name, kind, after: sc.stage.after.map((a) => a.name), precision: sc.precision };
}

export function lowerSid(sc: StageContext): StageGraph {
  const k = 'shared.sample_k.k';
  return {
    ...base(sc, 'sid'),
    nets: nets(sc, generatorInit(sc)),
    shared: sampleK(sc),
    phases: [fakePhase(sc, k), generatorPhase(sc, k)],
    attrs: trainAttrs(sc.cfg),
  };
}

/** SiD2a (docs/algorithm.md §6): discriminator loss joins psi's loss; after `switch` the generator loss mixes in L_gan. */
export function lowerAdversarial(sc: StageContext): StageGraph {
  const k = 'shared.sample_k.k';
  const { cfg, shapes, precision } = sc;
  const numel = shapes.latent.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : (shapes.bindings[d] ?? 1)), 1);
  const clamp = cfg.get('adversarial.clamp')!;
  const warmup = cfg.get('adversarial.warmup') as number;
  const sw = cfg.get('adversarial.switch') as number;
  const gw = cfg.get('adversarial.gan_weight') as number;
  const logits = { dtype: 'float32' as const, shape: ['B', 'D'] };
  const disc = (p: PhaseParts, name: string, x: string, c: string): string =>
    p.nl.add(
      name,
      'disc_logits',
      { x, t: p.t, c },
      { logits },
      { net: 'psi', guidance: cfg.get('guidance.fake')!, time_scale: cfg.get('teacher.time_scale')!, clamp },
      ['guidance.fake', 'adversarial.clamp'],
    ).logits!;
  const fake = fakePhase(sc, k, (p) => {
    const real = p.nl.add('real', 'sample_data', {}, { x0: f32(shapes.latent), c: shapes.cond }, { source: cfg.get('data.images')! }, ['data.images']);
    const xr = p.nl.add('diffuse_real', 'diffuse', { x0: real.x0!, t: p.t, eps: p.eps }, { x_t: { dtype: precision.compute, shape: shapes.latent } }).x_t!;
    const lReal = disc(p, 'd_real', xr, real.c!);
    const lFake = disc(p, 'd_fake', p.xt, p.c);
    const dl = p.nl.add('disc_loss', 'disc_loss', { real: lReal, fake: lFake }, { loss: f32([]) }, { numel }).loss!;
    const fm = p.nl.nodes.find((n) => n.op === 'fm_loss')!;
    return p.nl.add(
      'loss',
      'combine',
      { fm: `${fm.id}.loss`, disc: dl },
      { loss: f32([]) },
      {
        terms: [
          { input: `${fm.id}.loss`, weight: 1 },
          { input: dl, weight: 1 },
        ],
      },
    ).loss!;
  });
  const gen = generatorPhase(sc, k, (p, sidLoss) => {
    const lf = disc(p, 'd_fake', p.xt, p.c);
    const gan = p.nl.add('gan_loss', 'gan_loss', { fake: lf, t: p.t }, { loss: f32([]) }, { numel }).loss!;
    const terms: JsonValue = [
      { input: sidLoss, weight: 1, from: warmup, until: sw },
      { input: sidLoss, weight: 1 - gw, from: sw },
      { input: gan, weight: gw, from: sw },
    ];
    return p.nl.add('loss', 'combine', { sid: sidLoss, gan }, { loss: f32([]) }, { terms }, [
      'adversarial.warmup',
      'adversarial.switch',
      'adversarial.gan_weight',
    ]).loss!;
  });
  const after = sc.stage.after[0]?.name ?? 'sid';
  const init = sc.stage.overrides.has('generator.init') ? generatorInit(sc) : `stage:${after}`;
  return {
    ...base(sc, 'adversarial'),
    nets: nets(sc, init, 'teacher'),
    shared: sampleK(sc),
    phases: [fake, gen],
    attrs: { ...trainAttrs(cfg), warmup_images: warmup, switch_images: sw, gan_weight: gw, generator_frozen_until_images: warmup },
  };
}

/** The DiT teach stage's own settings (optional: only present, and only hashed, when the recipe sets them). */
function ditTeachAttrs(cfg: Flat): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [path, attr] of [
    ['teach.warmup', 'warmup_steps'],
    ['teach.ema_decay', 'ema_decay'],
    ['teach.weights', 'weights'],
  ] as const) {
    const v = cfg.get(path);
    if (v !== undefined) out[attr] = v;
  }
  return out;
}

/** Flow matching of the teacher on data, with condition dropout for CFG. */
export function lowerTeach(sc: StageContext): StageGraph {
  const { cfg, shapes, precision } = sc;
  const nl = new NodeList('teacher', sc.provenanceOf);
  const src = (cfg.get('data.dataset') as string | undefined) ?? 'mixture';
  const data = nl.add('data', 'sample_data', {}, { x0: f32(shapes.latent), c: shapes.cond }, { source: src }, ['data.dataset']);
  const c = nl.add('drop', 'drop_condition', { c: data.c! }, { c: shapes.cond }, { p: cfg.get('teach.caption_dropout')! }, ['teach.caption_dropout']).c!;
  const t = nl.add(
    'sample_t',
    'sample_t',
    {},
    { t: f32(['B']) },
    { distribution: cfg.get('teach.time')!, interval: [0, 1], sampling: cfg.get('time.sampling')! },
    ['teach.time'],
  ).t!;
  const eps = nl.add('noise', 'sample_noise', {}, { eps: f32(shapes.latent) }).eps!;
  const xt = nl.add('diffuse', 'diffuse', { x0: data.x0!, t, eps }, { x_t: { dtype: precision.compute, shape: shapes.latent } }).x_t!;
  const v = nl.add(
    'v_phi',
    'velocity',
    { x: xt, t, c },
    { v: { dtype: precision.compute, shape: shapes.latent } },
    { net: 'phi', guidance: { mode: 'none', scale: 1 }, time_scale: cfg.get('teacher.time_scale')!, grad: 'params' },
  ).v!;
  const loss = nl.add('fm_loss', 'fm_loss', { v, eps, x0: data.x0! }, { loss: f32([]) }).loss!;
  const opt = optimizer(cfg, cfg.get('teach.lr') as number);
  return {
    ...base(sc, 'teach'),
    nets: [{ name: 'phi', role: 'teacher', trainable: true, init: 'scratch', dtype: precision.weights }],
    shared: [],
    phases: [{ name: 'teacher', updates: 'phi', accumulate: 1, nodes: nl.nodes, loss, optimizer: opt }],
    attrs: {
      length_images: cfg.get('teach.length')!,
      batch: cfg.get('teach.batch')!,
      seed: cfg.get('train.seed')!,
      checkpoint_every_images: cfg.get('train.checkpoint_every')!,
      ...ditTeachAttrs(cfg),
    },
  };
}

export function lowerPassive(sc: StageContext, kind: 'evaluate' | 'export'): StageGraph {
  const from = sc.stage.after[0]?.name ?? 'sid';
  const attrs: Record<string, JsonValue> =
    kind === 'evaluate'
      ? {
          samples: sc.cfg.get('evaluate.samples')!,
          teacher_steps: sc.cfg.get('evaluate.teacher_steps')!,
          student_steps: sc.cfg.get('evaluate.student_steps')!,
          seed: sc.cfg.get('train.seed')!,
        }
      : { format: 'safetensors' };
  return {
    ...base(sc, kind),
    nets: [
      { name: 'phi', role: 'teacher', trainable: false, init: 'teacher', dtype: sc.precision.weights },
      { name: 'G', role: 'student', trainable: false, init: `stage:${from}`, dtype: sc.precision.weights },
    ],
    shared: [],
    phases: [],
    attrs,
  };
}
