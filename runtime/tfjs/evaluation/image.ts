// Evaluation of an image (dit) run: the teacher's Euler sampler with CFG at several step counts against
// the SiD student at its step counts, on the same noise and prompts (an equal number per caption):
// FID in the eval classifier's penultimate features against held-out real images, and prompt alignment
// (classifier accuracy on the prompted class). Metrics are runtime/eval's; this file only samples and
// tabulates.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../../common/errors.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { readSafetensors, readSafetensorsHeader } from '../../formats/safetensors.js';
import { writeNpy } from '../../formats/npy.js';
import { writeFileAtomic, writeJsonAtomic } from '../../formats/atomic.js';
import { DitNet, loadDitFile } from '../loop/dit-net.js';
import { datasetCaptions, ditTeacher } from '../loop/dit-stage.js';
import { eulerSample, generateK } from '../loop/sampling.js';
import { configValue, num } from '../loop/config.js';
import { FP32 } from '../precision/policy.js';
import { Rng } from '../../rng/prng.js';
import { scoreFeatures } from '../../scoring/classifier.js';
import type { Params } from '../nn/params.js';
import { fid } from '../../scoring/fid.js';
import { promptAlignment } from '../../scoring/align.js';
import type { ImageSet } from '../../data/image-set.js';

export interface ImageEvalRow {
  sampler: 'teacher' | 'student';
  label: string;
  steps: number;
  cfg: number | null;
  samples: number;
  fid: number;
  alignment: number;
  /** sampling time */
  seconds: number;
  /** classifier features, FID and alignment time */
  scoreSeconds?: number;
}

interface ImageEvalOptions {
  teacherSteps: number[];
  studentSteps: number[];
  cfg: number;
  perClass: number;
  seed: number;
  classifier: Params;
  real: ImageSet;
  /** write every sampler's images as <dir>/<label>.npy [n, C, H, W] (+ labels.npy) */
  npyDir?: string;
  /** teacher file instead of the graph's teacher.checkpoint */
  teacher?: string;
  /** student file (a sidc net file from anywhere) instead of the run's own student */
  student?: string;
  log?: (line: string) => void;
}

/** The run's student: student.safetensors, else G of the last checkpoint (a run still going). */
export function loadRunStudent(dir: string, like: DitNet): { net: DitNet; from: string } {
  const student = join(dir, 'student.safetensors');
  if (existsSync(student)) return { net: loadDitFile(student, { trainable: false }), from: student };
  const ck = join(dir, 'checkpoint.safetensors');
  if (!existsSync(ck)) throw new UserError(`${dir}: neither student.safetensors nor checkpoint.safetensors (has the run started its sid stage?)`);
  return { net: checkpointGenerator(ck, like), from: `${ck} (G)` };
}

/** G of a sidc checkpoint (a copy of the teacher's architecture, so `like` supplies config and frozen parts). */
function checkpointGenerator(ck: string, like: DitNet): DitNet {
  const { tensors } = readSafetensors(ck);
  const w: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith('net/G/')) w[k.slice(6)] = tf.tensor(t.data, t.shape);
  if (!Object.keys(w).length) throw new UserError(`${ck}: holds no generator G`);
  const all = { ...like.exportTensors(), ...w };
  try {
    return new DitNet({ ...like.opts, weights: all, trainable: false });
  } catch (e) {
    throw new UserError(`${ck}: its G does not fit this run's teacher (${(e as Error).message})`);
  } finally {
    for (const t of Object.values(w)) t.dispose();
  }
}

/** A student named on the command line: a sidc net file, or a checkpoint (its G). */
function loadNamedStudent(path: string, graph: ExecutionGraph, like: DitNet): DitNet {
  if (readSafetensorsHeader(path).metadata.format === 'sidc.checkpoint') return checkpointGenerator(path, like);
  return loadDitFile(path, { captions: datasetCaptions(graph), inputScale: like.opts.inputScale, trainable: false });
}

function fmt(v: number, d: number): string {
  return Number.isFinite(v) ? v.toFixed(d) : String(v);
}

export function formatImageEvalTable(rows: ImageEvalRow[], title: string): string {
  const lines = [
    `# ${title}`,
    '',
    '| sampler | steps | CFG | samples | FID (classifier features) | prompt alignment | sampling s | scoring s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.sampler} | ${r.steps} | ${r.cfg ?? '-'} | ${r.samples} | ${fmt(r.fid, 2)} | ` +
        `${fmt(r.alignment, 3)} | ${fmt(r.seconds, 1)} | ` +
        `${r.scoreSeconds === undefined ? '-' : fmt(r.scoreSeconds, 1)} |`,
    );
  return lines.join('\n');
}

/** What scoring needs once per evaluation: the classifier and the held-out digits' features. */
export interface ImageScorer {
  classifier: Params;
  realFeatures: Float64Array[];
  classes: number;
}

/** The reference set FID is measured against, beside the samples of `--npy`, so that the scores can be recomputed
 * elsewhere (scripts/reference/fid_from_npy.py): real-heldout.npy [n, C, H, W] and real-heldout-labels.npy. */
export function writeReferenceNpy(dir: string, real: ImageSet): void {
  const n = real.labels.length;
  writeNpy(join(dir, 'real-heldout.npy'), { dtype: 'f4', shape: [n, real.channels, real.height, real.width], data: real.images });
  writeNpy(join(dir, 'real-heldout-labels.npy'), { dtype: 'i4', shape: [n], data: Int32Array.from(real.labels) });
}

export function imageScorer(classifier: Params, real: ImageSet, classes: number): ImageScorer {
  return { classifier, realFeatures: scoreFeatures(classifier, real.images, real.labels.length).features, classes };
}

/** FID (classifier features vs the held-out digits) and prompt alignment of n images x with prompts `labels`;
 * one classifier pass in batches of 500 gives both. */
export function scoreImages(s: ImageScorer, x: Float32Array, labels: Int32Array): { fid: number; alignment: number } {
  const { features, classes } = scoreFeatures(s.classifier, x, labels.length);
  return { fid: fid(features, s.realFeatures), alignment: promptAlignment(classes, labels, s.classes).accuracy };
}

/** n images of a sampler in chunks of 100: `draw` maps noise rows and prompts to images; `rng` feeds the
 * fresh noise of later steps (Rng(seed + 1) in sidc eval). */
export function drawInChunks(
  z: Float32Array,
  labels: Int32Array,
  dim: number,
  rng: Rng,
  draw: (z: tf.Tensor2D, c: tf.Tensor1D, rng: Rng) => tf.Tensor2D,
  chunk = 100,
): Float32Array {
  const n = labels.length;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const out = tf.tidy(() => draw(tf.tensor2d(z.subarray(i * dim, (i + m) * dim), [m, dim]), tf.tensor1d(labels.subarray(i, i + m), 'int32'), rng));
    x.set(out.dataSync() as Float32Array, i * dim);
    out.dispose();
  }
  return x;
}

/** Samples every sampler on the same prompts and noise; returns the rows (no files written). */
export function evaluateImageRun(dir: string, graph: ExecutionGraph, o: ImageEvalOptions): ImageEvalRow[] {
  const phiBase = o.teacher
    ? loadDitFile(o.teacher, { captions: datasetCaptions(graph), inputScale: ditTeacher(graph).opts.inputScale, trainable: false })
    : ditTeacher(graph);
  const G = o.student ? loadNamedStudent(o.student, graph, phiBase) : loadRunStudent(dir, phiBase).net;
  if (G.dim !== phiBase.dim)
    throw new UserError(
      `${o.student ?? dir}: the student makes ${G.dim}-value images, the teacher ${phiBase.dim}; pass a student of this run's teacher (${phiBase.opts.config.name})`,
    );
  const K = phiBase.nullCondition;
  const n = K * o.perClass;
  const labels = Int32Array.from({ length: n }, (_, i) => Math.floor(i / o.perClass));
  const dim = phiBase.dim;
  const timeScale = num(configValue(graph, 'teacher.time_scale'), 1);
  const gen = num(configValue(graph, 'generator.steps'), 4);
  const z = new Rng(o.seed).normals(n * dim);
  const scorer = imageScorer(o.classifier, o.real, K);
  const cfgC = phiBase.opts.config;
  if (o.npyDir) {
    mkdirSync(o.npyDir, { recursive: true });
    writeNpy(join(o.npyDir, 'labels.npy'), { dtype: 'i4', shape: [n], data: labels });
    writeReferenceNpy(o.npyDir, o.real);
  }
  const run = (sampler: ImageEvalRow['sampler'], steps: number, draw: (z: tf.Tensor2D, c: tf.Tensor1D, rng: Rng) => tf.Tensor2D): ImageEvalRow => {
    const t0 = performance.now();
    const x = drawInChunks(z, labels, dim, new Rng(o.seed + 1), draw);
    const seconds = (performance.now() - t0) / 1000;
    const label = sampler === 'teacher' ? `teacher-euler-${steps}` : `student-${steps}`;
    if (o.npyDir) writeNpy(join(o.npyDir, `${label}.npy`), { dtype: 'f4', shape: [n, cfgC.channels, cfgC.height, cfgC.width], data: x });
    const s0 = performance.now();
    const row: ImageEvalRow = { sampler, label, steps, cfg: sampler === 'teacher' ? o.cfg : null, samples: n, ...scoreImages(scorer, x, labels), seconds };
    row.scoreSeconds = (performance.now() - s0) / 1000;
    o.log?.(`${label}: FID ${fmt(row.fid, 2)}, alignment ${fmt(row.alignment, 3)} (sampling ${fmt(seconds, 1)} s, scoring ${fmt(row.scoreSeconds, 1)} s)\n`);
    return row;
  };
  const rows: ImageEvalRow[] = [];
  const g = { mode: 'cfg' as const, scale: o.cfg };
  for (const s of o.teacherSteps) rows.push(run('teacher', s, (zz, c) => eulerSample(phiBase, zz, c, s, g, timeScale, FP32)));
  // the student's k-step sampler is generate_k over its training grid t_i = 1 - i/K (eq. 16): k <= K
  for (const s of o.studentSteps) rows.push(run('student', s, (zz, c, rng) => generateK(G, zz, c, s, Math.max(s, gen), 'fresh', rng, timeScale, FP32, false)));
  G.dispose();
  if (o.teacher) phiBase.dispose();
  return rows;
}

/** Writes eval-images.{json,md} into the run directory; returns the markdown. */
export function writeImageEval(dir: string, rows: ImageEvalRow[], meta: Record<string, unknown>): string {
  const md = formatImageEvalTable(rows, `${meta.run ?? dir}: teacher Euler vs SiD student`);
  writeJsonAtomic(join(dir, 'eval-images.json'), { ...meta, rows });
  writeFileAtomic(join(dir, 'eval-images.md'), md + '\n\n' + '```\n' + JSON.stringify(meta, null, 1) + '\n```\n');
  return md;
}

export function readGraph(dir: string): ExecutionGraph {
  const p = join(dir, 'graph.json');
  if (!existsSync(p)) throw new UserError(`${dir}: not a run directory (no graph.json)`);
  return JSON.parse(readFileSync(p, 'utf8')) as ExecutionGraph;
}
