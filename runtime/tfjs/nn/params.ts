// Parameters are a plain named map with diffusers-like dotted names
// (`transformer_blocks.0.attn.to_q.weight`), so a safetensors file maps onto it key for key.
// Linear weights are stored [out, in] exactly like torch.nn.Linear (see linear.ts for how the
// forward/backward stay on wasm's fast 2-D matMul path with that layout).
import * as tf from '@tensorflow/tfjs-core';
import type { SplitMix32 } from '../../rng/splitmix32.js';

export type Params = Record<string, tf.Variable>;
/** Parameter values without the Variable wrapper (what a loader or an optimizer produces). */
export type ParamValues = Record<string, tf.Tensor>;

/** Builds initial values in plain Float32Arrays first (deterministic from one seed, any backend). */
export class ParamBuilder {
  readonly values: Record<string, { shape: number[]; data: Float32Array }> = {};
  constructor(readonly rng: SplitMix32) {}

  private add(name: string, shape: number[], fill: (i: number) => number): void {
    if (name in this.values) throw new Error(`parameter ${name} defined twice`);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(i);
    this.values[name] = { shape, data };
  }

  zeros(name: string, shape: number[]): void {
    this.add(name, shape, () => 0);
  }
  ones(name: string, shape: number[]): void {
    this.add(name, shape, () => 1);
  }
  normal(name: string, shape: number[], std: number): void {
    this.add(name, shape, () => this.rng.normal() * std);
  }
  /** Xavier-uniform for a [out, in] weight (DiT's init for every Linear). */
  xavier(name: string, shape: [number, number]): void {
    const a = Math.sqrt(6 / (shape[0] + shape[1]));
    this.add(name, shape, () => (this.rng.uniform() * 2 - 1) * a);
  }
  /** A torch-style Linear: weight [out, in] (xavier, or zeros for adaLN-Zero/output heads) + bias zeros. */
  linear(prefix: string, inDim: number, outDim: number, init: 'xavier' | 'zeros' | { std: number } = 'xavier'): void {
    if (init === 'xavier') this.xavier(`${prefix}.weight`, [outDim, inDim]);
    else if (init === 'zeros') this.zeros(`${prefix}.weight`, [outDim, inDim]);
    else this.normal(`${prefix}.weight`, [outDim, inDim], init.std);
    this.zeros(`${prefix}.bias`, [outDim]);
  }

  /** Materialise as trainable tf.Variables on the current backend. */
  build(): Params {
    const out: Params = {};
    for (const [name, { shape, data }] of Object.entries(this.values)) {
      out[name] = tf.variable(tf.tensor(data, shape, 'float32'), true, name + '#' + variableSerial++);
    }
    return out;
  }
}

let variableSerial = 0;

/** Wraps loaded tensors as Variables (names must be unique per tf engine, hence the serial suffix). */
export function toVariables(values: ParamValues, trainable = true): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(values)) out[name] = tf.variable(t, trainable, name + '#' + variableSerial++);
  return out;
}

/** Fetch a parameter or fail naming the missing key (a mismatched checkpoint shows up here). */
export function param(p: Params | ParamValues, name: string): tf.Tensor {
  const t = p[name];
  if (!t) throw new Error(`missing parameter "${name}"`);
  return t;
}
