// What autograd keeps for the backward pass, per sample, from the tensors each block saves.
//
// Each block type lists the tensors it saves per token, in multiples of the hidden width D, with their
// storage class. Autograd saves a tensor only when some gradient needs it (PyTorch's generated backward
// nodes guard each saved input with should_compute_output), so there are two lists:
//   input : saved whenever the block is differentiated at all - the tensors the gradient with respect to
//           the block's INPUT needs (nonlinearity inputs, attention q/k/v/out, norm inputs). A frozen net
//           differentiated w.r.t. x_t (phi and psi in the generator phase, docs/algorithm.md §4) keeps only these.
//   params: saved in addition when the weights are trained (G; psi in the fake phase): every linear's
//           input, the normalised activations the modulation scales multiply, the outputs the gates scale.
// Storage classes: `act` = bf16 compute dtype (2 bytes, AMP and BF16 alike: matmul outputs are bf16);
// `stream` = residual stream and LayerNorm outputs (fp32 under AMP autocast, where fp32 + bf16 promotes
// and layer_norm runs in fp32; bf16 under pure BF16); `f32` = tensors a block upcasts on purpose.
import { hiddenSize } from '../teachers/params.js';
import { imageTokens } from '../teachers/shapes.js';
import type { TeacherConfig } from '../teachers/types.js';

export interface Saved {
  stream: number;
  act: number;
  f32: number;
}

interface BlockSaves {
  input: Saved;
  params: Saved;
}

/** SANA block: linear attention (ReLU kernel, matmuls in fp32), cross-attention, GLUMBConv (hidden 2.5D, gate 2.5D). */
export function sanaBlock(qkNorm: boolean): BlockSaves {
  return {
    input: {
      stream: 2, // norm1 and norm2 inputs
      act:
        2 + // ReLU outputs q, k
        2 + // cross-attention: query and output (SDPA)
        5 +
        5 +
        2.5 + // SiLU input (5D); depthwise-conv output kept alive by the chunk views (5D); SiLU(gate) (2.5D)
        (qkNorm ? 3 : 0), // RMSNorm inputs of self q, k and cross q (SANA-Sprint)
      f32: 2 + 1 + 1, // fp32 value (padded) and key for V K^T, fp32 query, fp32 numerator of the normalisation
    },
    params: {
      stream: 2, // norm outputs multiplied by (1 + scale)
      act:
        1 +
        1 +
        1 + // q/k/v input, out-proj input, cross-attention query input
        1 +
        5 +
        2.5 + // conv_inverted input, depthwise-conv input (SiLU output), conv_point input (GLU product)
        2 + // attention and feed-forward outputs multiplied by the gates
        (qkNorm ? 3 : 0), // normalised q, k for the RMSNorm weights
      f32: 0,
    },
  };
}

/** MMDiT joint block, per token of either stream (image and text tokens take the same path). */
export function mmditBlock(qkNorm: boolean): BlockSaves {
  const qk = qkNorm ? 2 : 0;
  return {
    input: { stream: 2, act: 4 + 4 + qk, f32: 0 }, // LN1, LN2 inputs; SDPA q, k, v, out; GELU input (4D); RMSNorm inputs
    params: { stream: 2, act: 1 + 1 + 4 + 2 + qk, f32: 0 }, // LN outputs; qkv input, fc1 input, fc2 input (4D), gated outputs
  };
}

/** SD3.5's second, image-only attention in the dual-attention layers (MMDiT-X). */
function dualAttention(qkNorm: boolean): BlockSaves {
  const qk = qkNorm ? 2 : 0;
  return { input: { stream: 0, act: 4 + qk, f32: 0 }, params: { stream: 0, act: 2 + qk, f32: 0 } };
}

/** FLUX single-stream block: parallel attention and MLP on the same modulated input, one output projection. */
function fluxSingleBlock(): BlockSaves {
  return {
    input: { stream: 1, act: 4 + 4 + 2, f32: 0 }, // LN input; SDPA q, k, v, out; GELU input; RMSNorm inputs
    params: { stream: 1, act: 1 + 5 + 1 + 2, f32: 0 }, // LN output; modulated input; proj_out input [attn, mlp] (5D); gated output; normalised q, k
  };
}

export interface Bytes {
  stream: number;
  act: number;
  f32: number;
}

const bytesOf = (s: Saved, b: Bytes): number => s.stream * b.stream + s.act * b.act + s.f32 * b.f32;

/** Per-sample activation bytes of one differentiated pass of the teacher's architecture. */
interface PassActivations {
  /** Differentiated w.r.t. the input only (frozen weights). */
  input: number;
  /** Differentiated w.r.t. the weights (and input). */
  params: number;
  /** With gradient checkpointing: the block inputs kept (the residual stream at each block boundary). */
  checkpointed: number;
  /** One block's full saved set (recomputed during backward with checkpointing). */
  oneBlock: number;
}

export function passActivations(config: TeacherConfig, resolution: number, b: Bytes): PassActivations {
  const a = config.arch;
  const D = hiddenSize(a);
  const N = imageTokens(config, resolution);
  const T = config.text_tokens;
  const sum = (layers: Array<{ count: number; tokens: number; saves: BlockSaves; extraInput?: number }>) => {
    let input = 0;
    let params = 0;
    let inputs = 0;
    let one = 0;
    for (const l of layers) {
      const i = l.tokens * D * bytesOf(l.saves.input, b) + (l.extraInput ?? 0);
      const p = i + l.tokens * D * bytesOf(l.saves.params, b);
      input += l.count * i;
      params += l.count * p;
      inputs += l.count * l.tokens * D * b.stream;
      one = Math.max(one, p);
    }
    return { input, params, checkpointed: inputs, oneBlock: one };
  };
  switch (a.kind) {
    case 'sana':
      // cross-attention keeps K and V of the T text tokens per layer (bf16)
      return sum([{ count: a.num_layers, tokens: N, saves: sanaBlock(a.qk_norm), extraInput: 2 * T * D * b.act }]);
    case 'mmdit': {
      const dual = dualAttention(a.qk_norm);
      const joint = mmditBlock(a.qk_norm);
      return sum([
        { count: a.num_layers - a.dual_attention_layers, tokens: N + T, saves: joint },
        { count: a.dual_attention_layers, tokens: N + T, saves: joint },
        { count: a.dual_attention_layers, tokens: N, saves: dual },
      ]);
    }
    case 'flux':
      return sum([
        { count: a.num_layers, tokens: N + T, saves: mmditBlock(true) },
        { count: a.num_single_layers, tokens: N + T, saves: fluxSingleBlock() },
      ]);
    case 'dit':
      return sum([{ count: a.num_layers, tokens: N + 1, saves: mmditBlock(false) }]);
    case 'vector': {
      // MLP: each hidden layer keeps its activation input; trained, also each linear's input
      const w = Math.max(a.width, a.dim);
      const layers = Math.max(a.depth, 1);
      return { input: layers * w * b.act, params: 2 * layers * w * b.act, checkpointed: layers * w * b.stream, oneBlock: 2 * w * b.act };
    }
  }
}
