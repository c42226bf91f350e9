// Checkpoints (one safetensors file, written atomically: a crash leaves the old or the new one) hold the
// nets, the Adam state, the PRNG state and the counters of the running stage; the JSON state rides in
// the safetensors metadata. Finished stages leave their product net in stages/<name>.safetensors.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../formats/safetensors.js';
import type { StageState } from './state.js';
import type { RngState } from '../../rng/prng.js';
import type { VelocityNet } from '../nets/net.js';
import { MlpNet, type MlpConfig } from '../nets/mlp.js';
import { loadDitFile } from './dit-net.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { isTextFamily, loadFamilyStudent } from './family-stage.js';
import type { MonitorState } from './monitor.js';

interface CheckpointState {
  stage: string;
  iteration: number;
  images: number;
  rng: RngState;
  adamSteps: Record<string, number>;
  stats: { dropped: number; nonfinite: number };
  /** byte length of metrics.jsonl when the checkpoint was taken (lines after it are replayed) */
  metricsBytes: number;
  /** best-so-far values of the stage's monitor (monitor.ts), absent without one */
  monitor?: MonitorState;
}

function netTensors(prefix: string, net: VelocityNet, out: Record<string, TensorToWrite>): void {
  // image nets also export their frozen parts (the DiT's text encoder), so the file loads on its own
  const all = (net as { exportTensors?: () => Record<string, tf.Tensor> }).exportTensors?.() ?? Object.fromEntries(net.params);
  for (const [name, v] of Object.entries(all))
    out[`${prefix}${name}`] = { dtype: 'F32', shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
}

export function saveCheckpoint(path: string, st: StageState, metricsBytes: number, monitor?: MonitorState): void {
  const tensors: Record<string, TensorToWrite> = {};
  const adamSteps: Record<string, number> = {};
  for (const [name, slot] of st.nets) if (slot.decl.trainable) netTensors(`net/${name}/`, slot.net, tensors);
  for (const [net, a] of st.adam) {
    adamSteps[net] = a.step;
    for (const [p, s] of Object.entries(a.params)) {
      const shape = [...st.nets.get(net)!.net.params.get(p)!.shape];
      tensors[`adam/${net}/${p}/m`] = { dtype: 'F32', shape, data: s.m };
      tensors[`adam/${net}/${p}/v`] = { dtype: 'F32', shape, data: s.v };
    }
  }
  const state: CheckpointState = {
    stage: st.stage.name,
    iteration: st.iteration,
    images: st.images,
    rng: st.rng.getState(),
    adamSteps,
    stats: st.stats,
    metricsBytes,
    ...(monitor ? { monitor } : {}),
  };
  writeSafetensors(path, tensors, { format: 'sidc.checkpoint', state: JSON.stringify(state) });
}

/** Restores st from a checkpoint of the same stage; returns its state, or null when there is none. */
export function loadCheckpoint(path: string, st: StageState): CheckpointState | null {
  if (!existsSync(path)) return null;
  const { tensors, metadata } = readSafetensors(path);
  const state = JSON.parse(metadata.state ?? 'null') as CheckpointState | null;
  if (!state || state.stage !== st.stage.name) return null;
  for (const [name, slot] of st.nets) {
    if (!slot.decl.trainable) continue;
    for (const [p, v] of slot.net.params) {
      const t = tensors[`net/${name}/${p}`];
      if (!t) throw new Error(`checkpoint ${path} lacks net/${name}/${p}`);
      const x = tf.tensor(t.data, t.shape);
      v.assign(x);
      x.dispose();
    }
  }
  st.adam.clear();
  for (const [net, step] of Object.entries(state.adamSteps)) {
    const params: Record<string, { m: Float32Array; v: Float32Array }> = {};
    for (const p of st.nets.get(net)!.net.params.keys()) {
      const m = tensors[`adam/${net}/${p}/m`];
      const v = tensors[`adam/${net}/${p}/v`];
      if (m && v) params[p] = { m: m.data, v: v.data };
    }
    st.adam.set(net, { step, params });
  }
  st.iteration = state.iteration;
  st.images = state.images;
  st.rng.setState(state.rng);
  st.stats = { ...state.stats };
  return state;
}

/** A finished stage's net (MLP), with its architecture in the metadata. */
export function saveNet(path: string, net: VelocityNet, extra: Record<string, string> = {}): void {
  const tensors: Record<string, TensorToWrite> = {};
  netTensors('', net, tensors);
  writeSafetensors(path, tensors, { format: 'sidc.net', kind: net.kind, config: JSON.stringify(net.config), ...extra });
}

export function loadNet(path: string, graph?: ExecutionGraph): VelocityNet {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.kind === 'dit') return loadDitFile(path, { trainable: false });
  // the paper's families: the weights alone; architecture and text table come from the recipe's teacher
  if (graph && isTextFamily(metadata.kind ?? '')) return loadFamilyStudent(path, graph, false);
  if (metadata.kind !== 'mlp') throw new Error(`${path}: cannot load a net of kind '${metadata.kind}'`);
  const cfg = JSON.parse(metadata.config ?? '{}') as MlpConfig;
  const map = new Map<string, tf.Tensor>();
  for (const [k, t] of Object.entries(tensors)) map.set(k, tf.tensor(t.data, t.shape));
  const net = new MlpNet(cfg, map, false);
  for (const t of map.values()) t.dispose();
  return net;
}
