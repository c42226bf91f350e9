// The words of the language other than setting keys: keywords, units and the value forms a setting type
// accepts. Settings themselves (doc, type, unit, default, paper reference) come from compiler/recipe/settings.ts;
// this table only adds what the settings table cannot say: what a keyword or a value form means.
import type { SettingType } from '../recipe/settings.js';
import type { WEIGHTINGS } from '../recipe/settings.js';
import { DISTRIBUTIONS } from '../recipe/distributions.js';

interface Word {
  doc: string;
  ref?: string;
  /** Snippet inserted by completion (LSP snippet syntax), when it differs from the word. */
  snippet?: string;
}

export const KEYWORDS: Record<string, Word> = {
  import: { doc: 'Imports the recipes of another file, relative to this one: `import "./base/sid-dit.sid"`.', snippet: 'import "$1"' },
  recipe: {
    doc: 'Declares a recipe: a complete description of one distillation run. `recipe name [extends base] { ... }`.',
    snippet: 'recipe ${1:name} {\n\t$0\n}',
  },
  abstract: {
    doc: 'An abstract recipe is a base for others (`extends`); it may leave required settings unset and is never run.',
    snippet: 'abstract recipe ${1:name} {\n\t$0\n}',
  },
  extends: { doc: 'Inherits every setting of the named recipe; settings written here override it (the diagnostics say where an inherited value came from).' },
  sweep: {
    doc: 'Declares a sweep: one run per point, each point checked on its own. `sweep name over recipe { path in [v1, v2] }`.',
    ref: 'Fig. 3',
    snippet: 'sweep ${1:name} over ${2:recipe} {\n\t${3:time.interval} in [$0]\n}',
  },
  over: { doc: 'The recipe a sweep varies.' },
  in: { doc: 'A sweep axis: `path in [values]` gives one point per value.' },
  grid: { doc: 'Cartesian product of the axes inside: every combination is a point.', snippet: 'grid {\n\t$0\n}' },
  zip: { doc: 'Tied axes: the i-th values of every axis form the i-th point; the lists must have equal lengths.', snippet: 'zip {\n\t$0\n}' },
  stage: {
    doc: 'A stage of the pipeline (teach, sid, adversarial, evaluate, export); `after` orders stages.',
    ref: 'docs/algorithm.md §6',
    snippet: 'stage ${1:adversarial} after ${2:sid} {\n\t$0\n}',
  },
  after: {
    doc: 'This stage starts from the result of the named stages (e.g. the adversarial stage continues a finished SiD-DiT run).',
    ref: 'docs/algorithm.md §6',
  },
  on: { doc: 'Restricts a distribution to an interval of t: `logit_normal(ln(2), 1.6) on (1/3, 2/3)`.', ref: 'Fig. 3' },
  x: { doc: 'Count times device: `8 x gpu(80 GB)`.' },
  true: { doc: 'Boolean true.' },
  false: { doc: 'Boolean false.' },
};

export const UNIT_DOCS: Record<string, string> = {
  px: 'Pixels (image side).',
  GB: 'Gigabytes (10^9 bytes).',
  GiB: 'Gibibytes (2^30 bytes).',
  MB: 'Megabytes (10^6 bytes).',
  images: "Images seen by the generator (training lengths and intervals are counted in images, like EDM's Mimg).",
  steps: 'Optimizer steps.',
  TFLOPS: 'Device throughput in tera floating-point operations per second (used by `sidc plan` for time estimates).',
};

const WEIGHTING_DOCS: Record<(typeof WEIGHTINGS)[number], string> = {
  one_minus_t: "w(t) = 1 - t: the paper's default.",
  inv_t: 'w(t) = 1/t.',
  one_minus_t_sq: 'w(t) = (1 - t)^2.',
  sqrt_snr: 'w(t) = (1 - t)/t, the square root of the SNR.',
  snr: 'w(t) = (1 - t)^2 / t^2, the SNR.',
  constant: 'w(t) = 1.',
  sid_norm: 'w = 1 / mean|x_g - y_real| per sample: the original SiD normaliser.',
};

/** Call forms, keyed by the setting type that accepts them. */
export const CALLS: Record<string, Record<string, Word>> = {
  // the distributions registry is the compiler's; completion inserts each with its default parameters
  distribution: Object.fromEntries(
    DISTRIBUTIONS.map((d) => [
      d.name,
      {
        doc: `${d.doc}${d.params.length ? `\n\n${d.params.map((p) => `- \`${p.name}\` (default ${+p.default.toPrecision(4)}): ${p.doc}`).join('\n')}` : ''}`,
        ref: d.ref,
        ...(d.params.length ? { snippet: `${d.name}(${d.params.map((p, i) => `\${${i + 1}:${+p.default.toPrecision(4)}}`).join(', ')})` } : {}),
      },
    ]),
  ),
  guidance: {
    cfg: { doc: 'Classifier-free guidance with this scale, one forward pass on a doubled batch.', ref: 'eq. 15', snippet: 'cfg(${1:4.5})' },
    embedded: {
      doc: 'Guidance given to the network as an embedding (FLUX.1-dev); no unconditional branch.',
      ref: 'Section 4.4',
      snippet: 'embedded(${1:4.5})',
    },
    none: { doc: 'No guidance.' },
  },
  text: {
    precomputed: {
      doc: 'Text encodings precomputed into this directory and streamed from disk (encoders stay off the device).',
      ref: 'Section 4',
      snippet: 'precomputed("${1:cache/text}")',
    },
    encoder: {
      doc:
        "Run the teacher's own text encoders on the prompts of data.prompts (torch engine; hardware.text_encoders: streamed, resident or cpu); " +
        'encoder(N): N T5 / Gemma tokens per prompt instead of the pipeline default (SD3 256, FLUX 512, SANA 300).',
    },
    labels: { doc: 'Class labels as conditions (toy teachers).' },
  },
  devices: {
    gpu: { doc: 'A GPU with this much memory and optionally throughput: `8 x gpu(80 GB, 989 TFLOPS)`.', snippet: '${1:8} x gpu(${2:80} GB)' },
    cpu: { doc: 'A CPU with this much memory: `1 x cpu(16 GB)`.', snippet: '1 x cpu(${1:16} GB)' },
  },
  number: {
    ln: { doc: 'Natural logarithm.', snippet: 'ln($1)' },
    exp: { doc: 'Exponential.', snippet: 'exp($1)' },
    sqrt: { doc: 'Square root.', snippet: 'sqrt($1)' },
  },
  interval: {},
};

function weightingDoc(name: string): string | undefined {
  return (WEIGHTING_DOCS as Record<string, string>)[name];
}

/** Value words a setting type accepts (bare identifiers and calls), for completion and hover. */
export function valueWords(type: SettingType): Record<string, Word> {
  switch (type.kind) {
    case 'enum':
      return Object.fromEntries(type.values.map((v) => [v, { doc: `One of ${type.values.map((x) => `\`${x}\``).join(', ')}.` }]));
    case 'bool':
      return { true: KEYWORDS.true!, false: KEYWORDS.false! };
    case 'weighting':
      return Object.fromEntries(Object.entries(WEIGHTING_DOCS).map(([k, doc]) => [k, { doc, ref: 'eq. 18, Fig. 2' }]));
    case 'list':
      return valueWords(type.of);
    default:
      return CALLS[type.kind] ?? {};
  }
}

/** Find a value word anywhere (hover on a value whose setting is unknown). */
export function anyValueWord(name: string): Word | undefined {
  const w = weightingDoc(name);
  if (w) return { doc: w, ref: 'eq. 18, Fig. 2' };
  for (const group of Object.values(CALLS)) if (group[name]) return group[name];
  return undefined;
}
