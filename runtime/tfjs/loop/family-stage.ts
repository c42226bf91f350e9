// Stage setup for the paper's teachers (families sana, sd3, flux; runtime/families): phi is loaded from the
// diffusers folder teacher.checkpoint (its config.json decides the architecture; teacher.config only
// feeds check and plan), psi and G start as copies of it (docs/algorithm.md §2) or as an earlier stage's
// product or a student file (generator.init); the adversarial stage reads real latents (data.images).
// Conditions are rows of the precomputed text-encodings table
// data.text = precomputed("file or folder") (docs/text-encodings.md): sample_condition draws prompt rows,
// the empty prompt's row is the null condition. Embedded guidance (FLUX.1-dev, SANA-Sprint) is fed by the
// velocity op (sampling.ts); the nets' own guidance value stays 1.0 (what G always sees, docs/algorithm.md §3).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ExecutionGraph, NetDecl, StageGraph } from '../../../compiler/graph/types.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import type { VelocityNet } from '../nets/net.js';
import { makePrecision } from '../precision/policy.js';
import { Rng } from '../../rng/prng.js';
import { readSafetensors } from '../../formats/safetensors.js';
import { FamilyNet } from '../families/net.js';
import { loadFamilyTeacher } from '../families/teacher.js';
import { configValue, num } from './config.js';
import { fromProduct, InitError } from './build-nets.js';
import { recipePath } from './dit-stage.js';
import type { NetSlot, StageState } from './state.js';
import type { ImageSet } from '../../data/image-set.js';
import { stageBatch, stageSeed } from './stage.js';

const TEXT_FAMILIES = ['sana', 'sd3', 'flux'] as const;

export function isTextFamily(family: string): boolean {
  return (TEXT_FAMILIES as readonly string[]).includes(family);
}

/** The checkpoint folder teacher.checkpoint names (model root with transformer/, or the transformer folder). */
export function familyCheckpoint(graph: ExecutionGraph): string {
  const ck = configValue(graph, 'teacher.checkpoint');
  const family = String(configValue(graph, 'teacher.family'));
  const make = `sidc make-tiny ${family} DIR writes a tiny one`;
  if (typeof ck !== 'string')
    throw new InitError(`teacher ${family}: set \`checkpoint = "DIR"\`, a diffusers model folder with transformer/config.json (${make})`);
  const path = recipePath(graph, ck);
  if (!existsSync(path))
    throw new InitError(
      `teacher.checkpoint: ${path} does not exist; point it at a diffusers model folder with transformer/config.json and its safetensors (${make})`,
    );
  if (!statSync(path).isDirectory())
    throw new InitError(`teacher.checkpoint: ${path} is a file; a ${family} teacher is a diffusers model folder (transformer/config.json + safetensors)`);
  return path;
}

/** The text-encodings file data.text = precomputed(PATH) names: PATH itself, or PATH/text.safetensors. */
function textEncodingsPath(graph: ExecutionGraph): string {
  const text = (configValue(graph, 'data.text') ?? {}) as Record<string, JsonValue>;
  if (text.mode !== 'precomputed' || typeof text.path !== 'string') {
    throw new InitError(
      'data.text: the tfjs engine runs no text encoder; run the recipe with `--engine torch` (it runs them for `data.text = encoder`), ' +
        'or encode the prompts once (`sidc encode-prompts CHECKPOINT PROMPTS.txt -o cache/text`; docs/text-encodings.md) and write `data.text = precomputed("cache/text")`',
    );
  }
  const p = recipePath(graph, text.path);
  const file = existsSync(p) && statSync(p).isDirectory() ? join(p, 'text.safetensors') : p;
  if (!existsSync(file))
    throw new InitError(
      `data.text: ${file} does not exist; write the prompts' encodings there (\`sidc encode-prompts\` for sd3 and flux, docs/text-encodings.md; sidc make-tiny writes a matching one)`,
    );
  return file;
}

const teacherCache = new Map<string, FamilyNet>();

/** phi, loaded once per process per (checkpoint, text, resolution, objective): a multi-stage run reuses it. */
function familyTeacher(graph: ExecutionGraph): FamilyNet {
  const family = String(configValue(graph, 'teacher.family'));
  const checkpoint = familyCheckpoint(graph);
  const text = textEncodingsPath(graph);
  const resolution = num(configValue(graph, 'data.resolution'), 0);
  const objective = configValue(graph, 'teacher.objective') === 'trigflow' ? 'trigflow' : 'rectified_flow';
  const key = JSON.stringify([checkpoint, text, resolution, objective]);
  let net = teacherCache.get(key);
  if (!net) {
    const t = loadFamilyTeacher({ checkpoint, text, resolution, backend: tf.getBackend() });
    if (t.net.kind !== family) {
      t.net.dispose();
      t.text.dispose();
      throw new InitError(
        `teacher.checkpoint: ${t.info.dir} holds a ${t.net.kind} transformer, but the recipe's teacher is ${family}; use \`teacher ${t.net.kind} { ... }\` or another checkpoint`,
      );
    }
    net = objective === 'trigflow' ? new FamilyNet({ ...t.net.opts, weights: Object.fromEntries(t.net.params), objective }) : t.net;
    if (net !== t.net) t.net.dispose();
    teacherCache.set(key, net);
  }
  return net;
}

/** A saved student (sidc.net safetensors with diffusers names) on the teacher's architecture. */
export function loadFamilyStudent(path: string, graph: ExecutionGraph, trainable: boolean): FamilyNet {
  const phi = familyTeacher(graph);
  const { tensors } = readSafetensors(path);
  const missing = [...phi.params.keys()].filter((k) => !tensors[k]);
  if (missing.length)
    throw new InitError(`${path}: not a student of this ${phi.kind} teacher (missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''})`);
  return phi.withWeights(Object.fromEntries([...phi.params.keys()].map((k) => [k, tensors[k]!])), trainable);
}

/**
 * Real latents of the adversarial stage (docs/algorithm.md §6; docs/text-encodings.md): data.images names a
 * safetensors file (or a folder with latents.safetensors) holding `latents` [N, C, h, w] in the teacher's
 * normalised latent space and `prompt_rows` [N], each image's caption as a row of the data.text table.
 */
function realLatents(graph: ExecutionGraph, phi: FamilyNet): ImageSet {
  const src = configValue(graph, 'data.images');
  if (typeof src !== 'string')
    throw new InitError('the adversarial stage needs real latents: write `data.images = "latents.safetensors"` (docs/text-encodings.md)');
  const p = recipePath(graph, src);
  const file = existsSync(p) && statSync(p).isDirectory() ? join(p, 'latents.safetensors') : p;
  if (!existsSync(file))
    throw new InitError(`data.images: ${file} does not exist; write the real latents and their prompt rows there (docs/text-encodings.md)`);
  const { tensors } = readSafetensors(file);
  const { latents, prompt_rows: rows } = tensors;
  const [C, H, W] = [phi.channels, phi.opts.latent.height, phi.opts.latent.width];
  const n = (text: string) => `${file}: ${text} (docs/text-encodings.md)`;
  if (latents?.shape.length !== 4) throw new InitError(n(`needs "latents" [N, ${C}, ${H}, ${W}]`));
  if (latents.shape[1] !== C || latents.shape[2] !== H || latents.shape[3] !== W) {
    throw new InitError(n(`"latents" are [${latents.shape.join(', ')}] but the teacher at data.resolution generates [N, ${C}, ${H}, ${W}]`));
  }
  const N = latents.shape[0]!;
  const prompts = phi.opts.text.prompts;
  if (!rows || rows.shape.join() !== String(N)) throw new InitError(n(`needs "prompt_rows" [${N}]: each latent's caption as a row of the data.text table`));
  const bad = [...rows.data].findIndex((r) => !Number.isInteger(r) || r < 0 || r >= prompts.length);
  if (bad >= 0) throw new InitError(n(`prompt_rows[${bad}] = ${rows.data[bad]} is not a row of the ${prompts.length}-prompt text table`));
  return { name: file, images: latents.data, labels: Int32Array.from(rows.data), captions: prompts, channels: C, height: H, width: W, classes: prompts.length };
}

function buildFamilyNet(graph: ExecutionGraph, decl: NetDecl, products: Map<string, VelocityNet>): NetSlot {
  const fromStage = (name: string): VelocityNet => fromProduct(products, name, decl);
  if (decl.init === 'teacher') {
    const phi = familyTeacher(graph);
    // the frozen teacher is shared, not copied: a 4th weight-sized buffer would not be in the memory plan
    return decl.trainable ? { decl, net: phi.clone(true) } : { decl, net: phi, shared: true };
  }
  if (decl.init.startsWith('stage:')) return { decl, net: fromStage(decl.init.slice(6)) };
  const file = decl.init.startsWith('checkpoint:') ? decl.init.slice('checkpoint:'.length) : decl.init;
  if (file.endsWith('.safetensors')) {
    const path = recipePath(graph, file);
    if (!existsSync(path)) throw new InitError(`net ${decl.name}: init file ${path} does not exist`);
    return { decl, net: loadFamilyStudent(path, graph, decl.trainable) };
  }
  throw new InitError(
    `net ${decl.name}: init '${decl.init}' is not available for a ${String(configValue(graph, 'teacher.family'))} teacher (teacher | stage:<name> | a .safetensors student)`,
  );
}

export function prepareFamilyStage(graph: ExecutionGraph, stage: StageGraph, products: Map<string, VelocityNet>): StageState {
  if (stage.kind === 'teach' || stage.kind === 'evaluate') {
    throw new InitError(
      `stage ${stage.name} (${stage.kind}): the runtime runs the sid and adversarial stages of ` +
        `${String(configValue(graph, 'teacher.family'))} teachers; an ${stage.kind} stage needs reference ` +
        `data it does not have`,
    );
  }
  const seed = stageSeed(graph, stage);
  const phi = familyTeacher(graph);
  const nets = new Map<string, NetSlot>();
  for (const decl of stage.nets) nets.set(decl.name, buildFamilyNet(graph, decl, products));
  const text = phi.opts.text;
  const nullRow = phi.nullCondition;
  const rows = text.prompts.map((_, i) => i).filter((i) => i !== nullRow);
  if (!rows.length) throw new InitError(`data.text: the encodings file lists only the empty prompt; add the prompts to distil on (docs/text-encodings.md)`);
  const real = stage.kind === 'adversarial' ? realLatents(graph, phi) : null;
  return {
    graph,
    stage,
    precision: makePrecision(stage.precision?.policy ?? 'fp32'),
    nets,
    gmm: null,
    ...(real ? { realData: real } : {}),
    rng: Rng.derive(seed, `stage:${stage.name}`),
    adam: new Map(),
    batch: stageBatch(graph, stage),
    dim: phi.dim,
    prompts: { rows, nullRow },
    iteration: 0,
    images: 0,
    stats: { dropped: 0, nonfinite: 0 },
  };
}
