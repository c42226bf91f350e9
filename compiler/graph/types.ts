// The execution graph: what `sidc compile` writes and the runtime executes, and nothing else.
// The runtime reads only this (never the AST): change a node's attrs and the run changes.
//
// Shape: a graph has stages (a DAG by `after`); each stage names its networks and holds the
// per-iteration program as typed nodes. A SiD stage has one shared part (k is drawn once per iteration,
// docs/algorithm.md §3) and two phases run in order, fake network first (docs/algorithm.md §4). Every node output
// is a typed tensor edge with a dtype from the precision policy and a symbolic shape whose dimensions
// are bound in `bindings` by the teacher family (e.g. SD3 at 1024 px: C = 16, H = W = 128).

import type { JsonValue } from '../recipe/settings.js';

export const GRAPH_FORMAT = 'sidc.graph';
export const GRAPH_VERSION = 1;

export type DType = 'float32' | 'bfloat16' | 'int32' | 'bool' | 'string';

/** A dimension is a number or a symbol bound in ExecutionGraph.bindings ("B", "C", "H", "W", "N", "D", "L"). */
export type Dim = number | string;

export interface TensorType {
  dtype: DType;
  shape: Dim[];
}

/** A reference to another node's output: "nodeId.outputName". */
export type EdgeRef = string;

export interface GraphNode {
  id: string;
  op: OpName;
  inputs: Record<string, EdgeRef>;
  outputs: Record<string, TensorType>;
  attrs: Record<string, JsonValue>;
  /** Where in the recipe the node's deciding settings came from, e.g. { "time.interval": "recipes/fig3.sid:4:3" }. */
  provenance?: Record<string, string>;
}

type NetRole = 'teacher' | 'fake' | 'generator' | 'student';

export interface NetDecl {
  /** phi (frozen teacher), psi (fake network), G (generator) */
  name: string;
  role: NetRole;
  trainable: boolean;
  /** "teacher" = copy of the teacher's weights; "stage:<name>" = the named stage's final G; "scratch" = random init. */
  init: string;
  /** Storage dtype of the weights under the precision policy. */
  dtype: DType;
}

export interface Phase {
  name: string; // 'fake' | 'generator' | 'teacher' | 'discriminator'
  /** The net whose parameters this phase's optimizer step updates. */
  updates: string;
  /** Gradient accumulation rounds per optimizer step. */
  accumulate: number;
  nodes: GraphNode[];
  /** The node output summed into this phase's loss. */
  loss: EdgeRef;
  optimizer: OptimizerSpec;
}

/** Adam (docs/algorithm.md §5). The gradient goes through nan_to_num, then the optional value clip. */
export interface OptimizerSpec {
  kind: 'adam';
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  clip: number | null;
}

/** fp32 | amp (fp32 master weights, compute rounded to bf16) | bf16 (weights and Adam state in bf16). */
export interface PrecisionSpec {
  policy: 'fp32' | 'amp' | 'bf16';
  weights: DType;
  compute: DType;
  optimizer_state: DType;
  /** Losses, targets, x_g, weights and logits stay fp32 (docs/algorithm.md §5). */
  loss: 'float32';
}

export interface StageGraph {
  name: string;
  kind: 'teach' | 'sid' | 'adversarial' | 'evaluate' | 'export';
  after: string[];
  nets: NetDecl[];
  precision: PrecisionSpec;
  /** Nodes evaluated once per iteration and shared by every phase (e.g. sample_k). */
  shared: GraphNode[];
  phases: Phase[];
  /** Stage-level settings the runtime needs: lengths in images, checkpoint/sample/log intervals, seed. */
  attrs: Record<string, JsonValue>;
}

/** The recipe's launcher.* settings (compiler/recipe/settings.ts), keyed without the `launcher.` prefix. */
export interface LauncherConfig {
  settings: Record<string, JsonValue>;
  /** file:line:col of each setting's value, or "--set". */
  from: Record<string, string>;
}

export interface ExecutionGraph {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  /** Where the graph came from; `file` and `launcher` (how `--launcher slurm` submits it: settings as
   * written, and where each was written) are not part of the identity. */
  recipe: { name: string; file: string; sweepPoint?: Record<string, JsonValue>; launcher?: LauncherConfig };
  /** Everything the recipe resolved to, in canonical JSON (settings.ts), after defaults. */
  config: Record<string, JsonValue>;
  /** Symbolic dimensions bound by the teacher family and the batch settings. */
  bindings: Record<string, number>;
  stages: StageGraph[];
  /** sha256 of the canonical JSON of everything above (keys sorted, no `hash`, no `recipe.file`, no `recipe.launcher`, no node `provenance`): the run's identity (compiler/graph/hash.ts). */
  hash: string;
}

/**
 * The op catalogue. The lowerer emits only these; the runtime implements exactly these.
 * Inputs and attrs listed here are the contract between compiler/lower and runtime/tfjs/loop.
 */
export const OPS = {
  // --- sampling -----------------------------------------------------------------------------------
  /** k ~ U{1..steps}, drawn once per iteration (docs/algorithm.md §3). attrs: steps. out: k int32 [] */
  sample_k: { inputs: [], attrs: ['steps'] },
  /** conditions for a micro-batch: prompt/class indices. attrs: source ('prompts'|'labels'|'dataset'). out: c */
  sample_condition: { inputs: [], attrs: ['source'] },
  /** t ~ p(t) restricted to interval, per sample. attrs: distribution, interval, sampling. out: t float32 [B] */
  sample_t: { inputs: [], attrs: ['distribution', 'interval', 'sampling'] },
  /** eps ~ N(0, I) shaped like the latent. out: eps [B, ...latent] */
  sample_noise: { inputs: [], attrs: [] },
  /** real data batch (teach / adversarial stages). attrs: source. out: x0, c */
  sample_data: { inputs: [], attrs: ['source'] },
  /** replace c by the null condition with probability p (teach stage, for CFG). */
  drop_condition: { inputs: ['c'], attrs: ['p'] },
  // --- generator ----------------------------------------------------------------------------------
  /** x_g = generate_k(G) (eq. 16): k steps at t_i = 1 - i/steps, only the last differentiated when grad. attrs: net, steps, noise, grad. in: k, c. out: x_g */
  generate: { inputs: ['k', 'c'], attrs: ['net', 'steps', 'noise', 'grad'] },
  // --- diffusion and nets -------------------------------------------------------------------------
  /** x_t = (1 - t) x0 + t eps (docs/algorithm.md §1). */
  diffuse: { inputs: ['x0', 't', 'eps'], attrs: [] },
  /** v = v_net(x_t, t * time_scale, c) with guidance {mode, scale} on a doubled batch (eq. 15). attrs: net, guidance, time_scale, grad ('params'|'input'|'none'). */
  velocity: { inputs: ['x', 't', 'c'], attrs: ['net', 'guidance', 'time_scale', 'grad'] },
  /** f = x_t - t v (eq. 11). */
  x0_from_v: { inputs: ['x', 't', 'v'], attrs: [] },
  /** Discriminator logits: the net's blocks + final norm, mean over tokens, conditional half; clamped. out [B, D] (docs/algorithm.md §6). attrs: net, guidance, time_scale, clamp. */
  disc_logits: { inputs: ['x', 't', 'c'], attrs: ['net', 'guidance', 'time_scale', 'clamp'] },
  // --- losses -------------------------------------------------------------------------------------
  /** w(t) without gradient. attrs: weighting. in: t (and x_g, y_real for sid_norm). out: w [B] */
  weighting: { inputs: ['t', 'x_g', 'y_real'], attrs: ['weighting'] },
  /** L_G = lambda * sum_b,el w (y_real - y_fake)((y_real - x_g) - alpha (y_real - y_fake)) / B_local (eq. 18). NaN samples dropped. */
  sid_loss: { inputs: ['y_real', 'y_fake', 'x_g', 'w'], attrs: ['lambda_sid', 'alpha'] },
  /** L = sum (v - (eps - x0))^2 / B_local (flow matching, sum-reduced; docs/algorithm.md §4). */
  fm_loss: { inputs: ['v', 'eps', 'x0'], attrs: [] },
  /** L_D = sum_b 0.5 (mean BCE(real,1) + mean BCE(fake,0)) numel / B_local (docs/algorithm.md §6). */
  disc_loss: { inputs: ['real', 'fake'], attrs: ['numel'] },
  /** L_gan = sum_b mean BCE(fake,1) (1 - t) numel / B_local (docs/algorithm.md §6). */
  gan_loss: { inputs: ['fake', 't'], attrs: ['numel'] },
  /** a * x + b * y, with a schedule in images seen (adversarial stage). attrs: terms [{input, weight, from?, until?}] */
  combine: { inputs: [], attrs: ['terms'] },
} as const;

export type OpName = keyof typeof OPS;
