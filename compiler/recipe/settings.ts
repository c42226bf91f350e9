// The one table of every setting a recipe can make. It is the single source of truth for:
// the checker (unknown keys with "did you mean", types, units, ranges), the JSON Schema of the YAML/JSON
// form (generated from it), hover and completion in the language server, and docs/language.md.
//
// A setting's path is dotted: `optimizer.lr`. In .sid it is written inside its section
// (`optimizer { lr = 1e-5 }`) or as a dotted assignment (`optimizer.lr = 1e-5`); both mean the same.
// Sections with a label (`teacher flux { ... }`, `precision bf16 { ... }`) store the label in `labelKey`.
//
// Canonical JSON values (the YAML/JSON form and the graph's resolved config use exactly these):
//   number      -> number (the unit is the setting's; .sid must write it: `512 px`)
//   interval    -> [lo, hi]
//   distribution-> { "kind": "logit_normal", "mean": 0.6931, "std": 1.6, "interval"?: [lo, hi] } (see distributions.ts)
//   weighting   -> { "name": "one_minus_t" } | { "expr": ExprJson } for `w(t) = ...`
//   devices     -> { "count": 8, "kind": "gpu", "memory_gb": 80, "tflops"?: 989 }
//   guidance    -> { "mode": "cfg" | "embedded" | "none", "scale": 4.5 }
//   text        -> { "mode": "precomputed", "path": "cache/x" } | { "mode": "encoder" } | { "mode": "labels" }

import type { Unit } from '../../grammar/ast.js';

export type SettingType =
  | { kind: 'number'; unit?: Unit; integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'interval' }
  | { kind: 'distribution' }
  | { kind: 'weighting' }
  | { kind: 'devices' }
  | { kind: 'guidance' }
  | { kind: 'text' }
  | { kind: 'list'; of: SettingType };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Setting {
  path: string;
  type: SettingType;
  /** Canonical JSON default; absent = required when the recipe is not abstract (unless `optional`). */
  default?: JsonValue;
  optional?: boolean;
  doc: string;
  /** Where the paper or docs/algorithm.md says so, e.g. "eq. 18", "docs/algorithm.md §4", "Table 4". */
  ref?: string;
  /** Restrict to teacher families (absent = all). */
  families?: readonly string[];
  /**
   * The range sensible recipes stay in: a value outside it is legal (the type allows it) but almost
   * certainly a typo (`lr = 1e5`), so it is warning SID3031, which quotes what the paper uses.
   */
  typical?: Typical;
}

export interface Typical {
  min?: number;
  max?: number;
  /** What the paper uses, e.g. "1e-6 to 1e-5". */
  paper: string;
  /** Where, e.g. "Tables 3-4". */
  ref: string;
  /** For compound values: the numeric field the range applies to (guidance: `scale`). */
  field?: string;
}

interface SectionInfo {
  name: string;
  doc: string;
  /** The key the section's label is stored in: `teacher flux {}` sets teacher.family. */
  labelKey?: string;
}

export const TEACHER_FAMILIES = ['sana', 'sd3', 'flux', 'gmm', 'mlp', 'dit'] as const;
const PRECISIONS = ['fp32', 'amp', 'bf16'] as const;
export const STAGE_KINDS = ['teach', 'sid', 'adversarial', 'evaluate', 'export'] as const;
export const WEIGHTINGS = [
  'one_minus_t', // 1 - t (paper default, eq. 18)
  'inv_t', // 1/t
  'one_minus_t_sq', // (1 - t)^2
  'sqrt_snr', // (1 - t)/t
  'snr', // (1 - t)^2 / t^2
  'constant', // 1
  'sid_norm', // 1 / mean|x_g - y_real| per sample (original SiD)
] as const;

/** What `monitor` can measure during training: FID and prompt alignment for image (dit) runs
 * (runtime/eval), the mixture metrics for vector runs (runtime/scoring/mixture.ts). */
export const MONITOR_METRICS = ['fid', 'alignment', 'energy', 'sliced_w1', 'coverage', 'precision'] as const;
/** Which metrics are better when lower (the others are better when higher). */
export const LOWER_IS_BETTER: readonly string[] = ['fid', 'energy', 'sliced_w1'];
/** Metrics per teacher layout; the runtime measures no others. */
export const MONITOR_METRICS_OF: Readonly<Record<'image' | 'vector', readonly string[]>> = {
  image: ['fid', 'alignment'],
  vector: ['energy', 'sliced_w1', 'coverage', 'precision'],
};
/** Snapshot rules of `monitor.keep`: the latest evaluated generator, or the best by one metric. */
export const MONITOR_KEEP = ['last', ...MONITOR_METRICS.map((m) => `best(${m})`)] as const;

export const SECTIONS: readonly SectionInfo[] = [
  { name: 'teacher', labelKey: 'teacher.family', doc: 'The frozen flow-matching teacher phi; the fake network psi and the generator G start as copies of it.' },
  { name: 'data', doc: 'Prompts, resolution, text conditioning, and real images for the adversarial stage.' },
  {
    name: 'precision',
    labelKey: 'precision.policy',
    doc: 'Numeric precision policy: fp32, amp (fp32 master weights, bf16 compute) or bf16 (weights and Adam state in bf16).',
  },
  { name: 'optimizer', doc: 'Adam for both G and psi (docs/algorithm.md §5).' },
  { name: 'hardware', doc: 'The devices the run is planned for; `sidc plan` checks memory against them.' },
  { name: 'batch', doc: 'Global batch = devices x per_device x accumulate.' },
  { name: 'time', doc: 'The distribution p(t) of diffusion times and its optional restriction to an interval (Fig. 3).' },
  { name: 'loss', doc: 'The SiD generator loss (eq. 18) and its weighting w(t).' },
  { name: 'guidance', doc: 'Classifier-free guidance scales (eq. 15) and long-and-short guidance (LSG).' },
  { name: 'generator', doc: 'The few-step generator G (eq. 16).' },
  { name: 'train', doc: 'Length, checkpoints, samples, logging and seed.' },
  { name: 'adversarial', doc: 'The SiD2a adversarial stage (docs/algorithm.md §6); written as `stage adversarial after sid { ... }`.' },
  { name: 'teach', doc: 'Training the small teacher by flow matching (`stage teach { ... }`), for vector and small-image teachers.' },
  { name: 'evaluate', doc: 'Evaluation after training: metrics, step counts, sample count.' },
  {
    name: 'monitor',
    doc:
      'Evaluation during training (docs/algorithm.md §10): every N images the generator is scored, the ' +
      'curve goes to metrics.jsonl, and snapshots are kept by rule (best FID, best alignment, last).',
  },
  {
    name: 'launcher',
    doc: "How `--launcher slurm` submits the run (sbatch settings; docs/cluster.md). Not part of the graph's hash: the same run on another partition is the same run.",
  },
];

const n = (unit?: Unit, extra: Partial<Extract<SettingType, { kind: 'number' }>> = {}): SettingType => ({
  kind: 'number',
  ...(unit ? { unit } : {}),
  ...extra,
});
const int = (min = 1, unit?: Unit): SettingType => ({ kind: 'number', integer: true, min, ...(unit ? { unit } : {}) });
const en = (values: readonly string[]): SettingType => ({ kind: 'enum', values });

export const SETTINGS: readonly Setting[] = [
  // teacher ---------------------------------------------------------------------------------------
  { path: 'teacher.family', type: en(TEACHER_FAMILIES), doc: 'Architecture family of the teacher.', ref: 'docs/algorithm.md §7' },
  {
    path: 'teacher.config',
    type: { kind: 'string' },
    optional: true,
    doc: 'Named configuration in the teacher registry (e.g. sana_600m, sd35_large, flux_dev, tiny); read from checkpoint/config.json when absent.',
  },
  {
    path: 'teacher.checkpoint',
    type: { kind: 'path' },
    optional: true,
    doc: 'Diffusers-layout checkpoint directory (transformer/config.json + safetensors) or a .safetensors file.',
  },
  {
    path: 'teacher.objective',
    type: en(['rectified_flow', 'trigflow']),
    default: 'rectified_flow',
    doc: 'What the teacher was trained with; TrigFlow teachers are mapped to the rectified-flow view.',
    ref: 'docs/algorithm.md §1',
  },
  {
    path: 'teacher.time_scale',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    optional: true,
    doc: 'Timestep handed to the backbone = t x time_scale: 1000 for SANA rectified flow and SD3, 1 for TrigFlow SANA and FLUX. Derived from family and objective when absent.',
    ref: 'docs/algorithm.md §1',
  },
  { path: 'teacher.vae', type: { kind: 'path' }, optional: true, doc: 'AutoencoderKL checkpoint for decoding sample grids (latents are saved either way).' },
  { path: 'teacher.dim', type: int(1), optional: true, families: ['gmm', 'mlp'], doc: 'Data dimension of a vector teacher.' },
  {
    path: 'teacher.classes',
    type: int(1),
    optional: true,
    families: ['gmm', 'mlp', 'dit'],
    doc: 'Number of classes (conditions); the null condition is added on top.',
  },
  { path: 'teacher.modes_per_class', type: int(1), optional: true, families: ['gmm', 'mlp'], doc: 'Gaussian components per class of the mixture.' },
  {
    path: 'teacher.mode_std',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    optional: true,
    families: ['gmm', 'mlp'],
    doc: 'Standard deviation of each mixture component.',
  },
  {
    path: 'teacher.radius',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    optional: true,
    families: ['gmm', 'mlp'],
    doc: 'Scale at which component means are placed.',
  },
  { path: 'teacher.seed', type: int(0), optional: true, families: ['gmm', 'mlp'], doc: 'Seed that places the mixture components.' },
  {
    path: 'teacher.symmetric',
    type: { kind: 'bool' },
    optional: true,
    families: ['gmm', 'mlp'],
    doc: "Place each class's components in pairs mirrored about the origin, so every class has the marginal's mean (0) and guidance changes nothing at t = 1; needs an even modes_per_class.",
  },
  { path: 'teacher.width', type: int(1), optional: true, families: ['mlp'], doc: 'Hidden width of the neural vector teacher.' },
  { path: 'teacher.depth', type: int(1), optional: true, families: ['mlp'], doc: 'Number of hidden layers of the neural vector teacher.' },
  // data --------------------------------------------------------------------------------------------
  { path: 'data.prompts', type: { kind: 'path' }, optional: true, doc: 'Prompt file, one prompt a line (data-free distillation needs only prompts).' },
  {
    path: 'data.resolution',
    type: int(8, 'px'),
    optional: true,
    doc: 'Image side in pixels; fixes latent shapes through the teacher family (SANA H/32, SD3 and FLUX H/8).',
    typical: { max: 4096, paper: '512 px and 1024 px', ref: 'Tables 3-4' },
  },
  {
    path: 'data.text',
    type: { kind: 'text' },
    default: { mode: 'precomputed', path: 'cache/text' },
    doc:
      'Text conditioning: precomputed("dir") encodings read from disk (`sidc encode-prompts`), `encoder` - the teacher\'s own text ' +
      'encoders run by the torch engine on the prompts of data.prompts (placed by hardware.text_encoders; encoder(N): N T5 / Gemma ' +
      'tokens per prompt) - or class labels for toy teachers.',
    ref: 'Section 4 (streamed encoders)',
  },
  { path: 'data.dataset', type: { kind: 'string' }, optional: true, doc: 'Named offline dataset for small examples: mnist, fashion_mnist, emoji.' },
  {
    path: 'data.images',
    type: { kind: 'path' },
    optional: true,
    doc: 'Real image-caption data for the adversarial stage (precomputed latents or a named dataset).',
    ref: 'docs/algorithm.md §6',
  },
  // precision -----------------------------------------------------------------------------------------
  {
    path: 'precision.policy',
    type: en(PRECISIONS),
    default: 'amp',
    doc: 'fp32; amp = fp32 master weights with bf16 compute; bf16 = weights and Adam state in bf16, losses in fp32.',
    ref: 'docs/algorithm.md §5',
  },
  {
    path: 'precision.allow_small_eps',
    type: { kind: 'bool' },
    default: false,
    doc: "Keep an Adam eps below 1e-6 under pure bf16 on purpose (Table 4's SiD2a rows run bf16 with eps 1e-8 at lr 1e-6); otherwise that is error SID3003.",
    ref: 'Section 4, Table 4',
  },
  // optimizer ---------------------------------------------------------------------------------------
  {
    path: 'optimizer.lr',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    default: 5e-6,
    doc: 'Constant learning rate of G and psi, no warm-up.',
    ref: 'Tables 3-4',
    typical: { min: 1e-7, max: 1e-3, paper: '1e-6 to 1e-5', ref: 'Tables 3-4' },
  },
  { path: 'optimizer.beta1', type: n(undefined, { min: 0, max: 1 }), default: 0, doc: 'Adam beta1 (0 in the paper).', ref: 'docs/algorithm.md §5' },
  { path: 'optimizer.beta2', type: n(undefined, { min: 0, max: 1 }), default: 0.999, doc: 'Adam beta2.', ref: 'docs/algorithm.md §5' },
  {
    path: 'optimizer.eps',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    default: 1e-8,
    doc: 'Adam epsilon. The paper raises it to 1e-4 in pure bf16 against underflow (Table 4); measured here with real and emulated bf16, lr, not eps, decides whether updates land (docs/runtime.md).',
    ref: 'Section 4, Table 4',
    typical: { min: 1e-12, max: 1e-2, paper: '1e-8 (AMP) and 1e-4 (pure bf16)', ref: 'Table 4' },
  },
  { path: 'optimizer.weight_decay', type: n(undefined, { min: 0 }), default: 0, doc: 'Weight decay (0 in the paper).' },
  {
    path: 'optimizer.clip',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    optional: true,
    doc: 'Clip gradient values to [-clip, clip] (the release uses 1 for SD3/FLUX in bf16; none in the tables).',
    ref: 'docs/algorithm.md §5',
  },
  {
    path: 'optimizer.fake_lr',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    optional: true,
    doc: 'Learning rate of the fake network psi; defaults to optimizer.lr.',
    typical: { min: 1e-7, max: 1e-3, paper: "the generator's lr, 1e-6 to 1e-5", ref: 'Tables 3-4' },
  },
  // hardware ----------------------------------------------------------------------------------------
  {
    path: 'hardware.devices',
    type: { kind: 'devices' },
    default: { count: 1, kind: 'cpu', memory_gb: 16 },
    doc: 'Declared devices: `8 x gpu(80 GB)`, optionally with throughput `gpu(80 GB, 989 TFLOPS)`; `1 x cpu(16 GB)` for laptops.',
  },
  {
    path: 'hardware.shard',
    type: en(['none', 'ddp', 'fsdp']),
    default: 'none',
    doc: 'fsdp shards parameters, gradients and optimizer state over the devices; ddp replicates them.',
  },
  {
    path: 'hardware.gradient_checkpointing',
    type: { kind: 'bool' },
    default: true,
    doc: 'Recompute block activations in the backward pass (torch engine: every transformer block under torch.utils.checkpoint; the tfjs engine keeps its whole tape).',
  },
  {
    path: 'hardware.offload',
    type: en(['none', 'cpu']),
    default: 'none',
    doc:
      'CPU offloading (slow; the paper avoids it with pure bf16). Without FSDP (the torch engine) the Adam moments live on the host ' +
      'and the optimizer step runs there; with FSDP every model state would.',
  },
  {
    path: 'hardware.text_encoders',
    type: en(['streamed', 'resident', 'cpu']),
    default: 'streamed',
    doc:
      'Where the text encoders run with `data.text = encoder` (torch engine): streamed - every prompt encoded once before the loop, ' +
      'then the encoders are freed; resident - kept on the device, each batch encoded in the loop; cpu - the same on the host (no ' +
      'device memory, slow). With precomputed text only `sidc plan` reads it.',
    ref: 'Section 4',
  },
  { path: 'hardware.vae', type: en(['offloaded', 'resident']), default: 'offloaded', doc: 'Where the VAE lives during training.', ref: 'Table 3' },
  {
    path: 'hardware.engine',
    type: en(['tfjs', 'torch']),
    optional: true,
    doc:
      'Which engine executes the graph: tfjs (in-process, the default) or torch (a Python child process ' +
      'with real AMP/BF16, docs/engines.md); `sidc run --engine` overrides it. Absent unless set, so it ' +
      'never changes the hash of a recipe that does not set it.',
  },
  // batch -------------------------------------------------------------------------------------------
  {
    path: 'batch.global',
    type: int(1),
    default: 256,
    doc: 'Global batch; must equal devices x per_device x accumulate.',
    ref: 'Tables 3-4',
    typical: { max: 8192, paper: '256 on 8 GPUs', ref: 'Tables 3-4' },
  },
  { path: 'batch.per_device', type: int(1), default: 1, doc: 'Micro-batch per device per accumulation round.' },
  { path: 'batch.accumulate', type: int(1), default: 1, doc: 'Gradient accumulation rounds per optimizer step.' },
  // time --------------------------------------------------------------------------------------------
  {
    path: 'time.distribution',
    type: { kind: 'distribution' },
    default: { kind: 'logit_normal', mean: 0.6931471805599453, std: 1.6 },
    doc: "p(t): logit_normal(ln(2), 1.6) is the paper's; uniform and the other schedules of Fig. 2 are available.",
    ref: 'Section 4.1, Fig. 2',
  },
  { path: 'time.interval', type: { kind: 'interval' }, default: [0, 1], doc: 'Restrict t to (lo, hi) for the generator loss (Fig. 3).', ref: 'Fig. 3' },
  {
    path: 'time.sampling',
    type: en(['rejection', 'inverse_cdf']),
    default: 'inverse_cdf',
    doc: 'How a restricted distribution is sampled.',
    ref: 'docs/algorithm.md §4 (choice)',
  },
  // loss --------------------------------------------------------------------------------------------
  {
    path: 'loss.weighting',
    type: { kind: 'weighting' },
    default: { name: 'one_minus_t' },
    doc: 'w(t) of eq. 18: a named weighting or `w(t) = <expression of t>`.',
    ref: 'eq. 18, eq. 14',
  },
  {
    path: 'loss.lambda_sid',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    default: 100,
    doc: 'Scale of the generator loss.',
    ref: 'Tables 3-4',
    typical: { min: 1, max: 1000, paper: '100', ref: 'Tables 3-4' },
  },
  {
    path: 'loss.alpha',
    type: n(undefined, { min: 0 }),
    default: 1,
    doc: 'SiD alpha; 1 gives eq. 18 (EDM SiD used 1.2).',
    ref: 'docs/algorithm.md §4',
    typical: { min: 0.5, max: 1.5, paper: '1 (eq. 18; EDM SiD used 1.2)', ref: 'eq. 18' },
  },
  // guidance ----------------------------------------------------------------------------------------
  {
    path: 'guidance.teacher',
    type: { kind: 'guidance' },
    default: { mode: 'cfg', scale: 4.5 },
    doc: 'Guidance of the teacher phi in the generator phase: cfg(4.5) (eq. 15) or embedded(4.5) for FLUX.',
    ref: 'eq. 15',
    typical: { field: 'scale', min: 1, max: 20, paper: 'scale 4.5 (1 = no guidance; below 1 pushes away from the prompt)', ref: 'eq. 15, Section 4' },
  },
  {
    path: 'guidance.fake',
    type: { kind: 'guidance' },
    default: { mode: 'cfg', scale: 4.5 },
    doc: 'Guidance of psi when training it and when updating G (long-and-short guidance).',
    ref: 'Section 3 (LSG)',
    typical: { field: 'scale', min: 1, max: 20, paper: "scale 4.5, the teacher's (1 = no guidance)", ref: 'Section 3 (LSG)' },
  },
  {
    path: 'guidance.fake_dropout',
    type: n(undefined, { min: 0, max: 1 }),
    optional: true,
    doc:
      'Probability of replacing the condition psi is trained on with the null condition (the empty prompt) ' +
      'in the fake phase; G still generates for the drawn prompt. SiD-DiT keeps it off (0, the same as ' +
      'absent); SiD-LSG used 0.1 whenever the guidance scale differs from 1.',
    ref: 'docs/algorithm.md §10',
  },
  // generator ---------------------------------------------------------------------------------------
  {
    path: 'generator.steps',
    type: int(1),
    default: 4,
    doc: 'Number of generation steps K; step times t_i = 1 - i/K.',
    ref: 'eq. 16',
    typical: { max: 16, paper: '4 (1 to 4 at evaluation)', ref: 'eq. 16' },
  },
  {
    path: 'generator.noise',
    type: en(['fresh', 'fixed', 'ddim']),
    default: 'fresh',
    doc: 'Noise for steps after the first: fresh N(0, I), the input z again, or re-derived from the previous step.',
    ref: 'docs/algorithm.md §3',
  },
  {
    path: 'generator.init',
    type: { kind: 'string' },
    default: 'teacher',
    doc: '"teacher" (a copy of phi) or a stage name / checkpoint path to continue from.',
  },
  // train -------------------------------------------------------------------------------------------
  { path: 'train.length', type: n('images', { min: 0, exclusiveMin: true }), default: 1000000, doc: 'Training length in images seen by the generator.' },
  {
    path: 'train.checkpoint_every',
    type: n('images', { min: 0, exclusiveMin: true }),
    default: 10000,
    doc: 'Write a checkpoint every this many images (atomic; resume after a crash).',
  },
  { path: 'train.sample_every', type: n('images', { min: 0, exclusiveMin: true }), default: 2000, doc: 'Write a sample grid every this many images.' },
  { path: 'train.log_every', type: n('images', { min: 0, exclusiveMin: true }), default: 1000, doc: 'Append a metrics line every this many images.' },
  { path: 'train.seed', type: int(0), default: 0, doc: 'Seed of every random draw; the same seed gives the same run.' },
  // adversarial stage (docs/algorithm.md §6) ------------------------------------------------------------
  {
    path: 'adversarial.warmup',
    type: n('images', { min: 0 }),
    default: 20000,
    doc: 'Images during which only the discriminator trains (generator frozen).',
    ref: 'docs/algorithm.md §6',
  },
  {
    path: 'adversarial.switch',
    type: n('images', { min: 0 }),
    default: 40000,
    doc: 'After this many images the generator loss becomes gan_weight x L_gan + (1 - gan_weight) x L_G.',
    ref: 'docs/algorithm.md §6',
  },
  {
    path: 'adversarial.gan_weight',
    type: n(undefined, { min: 0, max: 1 }),
    default: 0.5,
    doc: 'Weight of the adversarial generator loss after the switch.',
    ref: 'docs/algorithm.md §6',
  },
  {
    path: 'adversarial.clamp',
    type: n(undefined, { min: 0, exclusiveMin: true }),
    default: 10,
    doc: 'Discriminator logits are clamped to [-clamp, clamp].',
    ref: 'docs/algorithm.md §6',
  },
  // teach stage -------------------------------------------------------------------------------------
  { path: 'teach.length', type: n('images', { min: 0, exclusiveMin: true }), default: 100000, doc: 'Training length of the teacher in samples seen.' },
  { path: 'teach.lr', type: n(undefined, { min: 0, exclusiveMin: true }), default: 1e-3, doc: 'Teacher learning rate (Adam).' },
  { path: 'teach.batch', type: int(1), default: 256, doc: 'Teacher batch size.' },
  {
    path: 'teach.caption_dropout',
    type: n(undefined, { min: 0, max: 1 }),
    default: 0.1,
    doc: 'Probability of replacing the condition with the null condition, for CFG.',
  },
  {
    path: 'teach.time',
    type: { kind: 'distribution' },
    default: { kind: 'logit_normal', mean: 0, std: 1 },
    doc: 'Time distribution used to train the teacher.',
  },
  {
    path: 'teach.warmup',
    type: n('steps', { min: 0 }),
    optional: true,
    families: ['dit'],
    doc: 'Linear learning-rate warm-up of the DiT teacher, in optimizer steps (default 100, runtime/tfjs/nets/dit-teach.ts).',
  },
  {
    path: 'teach.ema_decay',
    type: n(undefined, { min: 0, max: 1 }),
    optional: true,
    families: ['dit'],
    doc: "Decay of the EMA of the DiT teacher's weights, kept beside the raw weights (default 0.995).",
  },
  {
    path: 'teach.weights',
    type: en(['ema', 'raw']),
    optional: true,
    families: ['dit'],
    doc: "Which weights the DiT teach stage writes as the run's teacher.safetensors: the EMA (default) or the raw trained weights.",
  },
  // evaluate ----------------------------------------------------------------------------------------
  { path: 'evaluate.samples', type: int(1), default: 5000, doc: 'Samples per evaluated sampler.' },
  {
    path: 'evaluate.teacher_steps',
    type: { kind: 'list', of: int(1) },
    default: [1, 2, 4, 8, 32],
    doc: 'Euler step counts at which the teacher is evaluated.',
  },
  { path: 'evaluate.student_steps', type: { kind: 'list', of: int(1) }, default: [1, 4], doc: 'Step counts at which the student is evaluated.' },
  // monitor (all optional: a recipe without `monitor.every` has no evaluation during training) -------
  {
    path: 'monitor.every',
    type: n('images', { min: 0, exclusiveMin: true }),
    optional: true,
    doc: 'Score the generator every this many images (and at the end of each training stage); setting it turns the monitor on.',
    ref: 'docs/algorithm.md §10',
  },
  {
    path: 'monitor.metrics',
    type: { kind: 'list', of: en(MONITOR_METRICS) },
    optional: true,
    doc: "What to measure: fid and alignment for image (dit) teachers, energy, sliced_w1, coverage and precision for vector teachers (default: all of the teacher's).",
  },
  {
    path: 'monitor.samples',
    type: int(2),
    optional: true,
    doc: 'Samples per evaluation, balanced over the prompts, on the same noise every time (default 500 for images, 1000 for vectors).',
  },
  { path: 'monitor.steps', type: int(1), optional: true, doc: 'Generation steps of the scored student (default generator.steps).' },
  {
    path: 'monitor.keep',
    type: { kind: 'list', of: en(MONITOR_KEEP) },
    optional: true,
    doc:
      'Snapshots kept in the run directory as snapshots/<name>.safetensors (+ .json): `last`, or ' +
      '`best(metric)` for a monitored metric; address them as RUN@best-fid, RUN@last (default: best of ' +
      'every monitored metric, and last).',
  },
  // launcher (docs/cluster.md; kept out of the graph's config and hash: compiler/lower/lower.ts) ------------
  { path: 'launcher.partition', type: { kind: 'string' }, optional: true, doc: "Slurm partition (sbatch --partition); the cluster's default when absent." },
  { path: 'launcher.account', type: { kind: 'string' }, optional: true, doc: 'Slurm account to charge (sbatch --account).' },
  { path: 'launcher.qos', type: { kind: 'string' }, optional: true, doc: 'Slurm quality of service (sbatch --qos).' },
  {
    path: 'launcher.time',
    type: { kind: 'string' },
    optional: true,
    doc: 'Time limit per job or array task in Slurm\'s format: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM" or "D-HH:MM:SS" (sbatch --time).',
  },
  {
    path: 'launcher.nodes',
    type: int(1),
    optional: true,
    doc: 'Nodes per run (per array task for a sweep); hardware.devices is spread evenly over them (default 1).',
  },
  {
    path: 'launcher.gpus_per_node',
    type: int(0),
    optional: true,
    doc: "GPUs per node; nodes x gpus_per_node must equal hardware.devices' GPU count (default: that count / nodes; 0 for cpu devices).",
  },
  { path: 'launcher.cpus_per_task', type: int(1), optional: true, doc: 'CPU cores per process (sbatch --cpus-per-task).' },
  {
    path: 'launcher.memory',
    type: n('GiB', { min: 0, exclusiveMin: true }),
    optional: true,
    doc: 'Host memory per node (sbatch --mem, in GiB as Slurm counts it).',
  },
  {
    path: 'launcher.sbatch',
    type: { kind: 'list', of: { kind: 'string' } },
    optional: true,
    doc: 'Extra sbatch options, one per element, each written as an `#SBATCH` line: ["--constraint=a100", "--exclusive"].',
  },
];

export const SETTINGS_BY_PATH: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.path, s]));
export const SECTIONS_BY_NAME: ReadonlyMap<string, SectionInfo> = new Map(SECTIONS.map((s) => [s.name, s]));
