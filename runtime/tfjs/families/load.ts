// Loading a teacher from a diffusers checkpoint folder: transformer/config.json -> family config, the
// shard headers (never the data) -> key/shape check and a memory plan, and only then the tensors, one at a
// time, decoded from bf16/f16/f32 to float32 shard by shard. Every problem is reported at once.
import { totalmem } from 'node:os';
import { UserError } from '../../../common/errors.js';
import { openCheckpoint, type Checkpoint } from '../../formats/diffusers-index.js';
import { DTYPE_BYTES } from '../../formats/safetensors-dtypes.js';
import { formatBytes } from '../../formats/safetensors-summary.js';
import { readFamilyConfig, transformerDir, type FamilyConfig } from './config.js';
import { expectedShapes } from './index.js';

/** The wasm heap cannot grow past 4 GiB, and overflowing it aborts the process (docs/design.md). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Part of the heap kept free for activations, gradients and kernels' scratch. */
const WASM_HEADROOM_BYTES = 512 * 1024 ** 2;

export interface CheckpointInfo {
  dir: string;
  config: FamilyConfig;
  /** file or index the tensors come from */
  source: string;
  tensors: Record<string, { dtype: string; shape: number[]; bytes: number }>;
  params: number;
  bytesByDtype: Record<string, number>;
  /** bytes once every tensor is float32 (how the runtime holds them) */
  f32Bytes: number;
}

interface KeyProblems {
  missing: string[];
  unexpected: string[];
  misshaped: { name: string; expected: number[]; found: number[] }[];
}

export class CheckpointMismatchError extends UserError {
  constructor(
    readonly source: string,
    readonly problems: KeyProblems,
  ) {
    const lines: string[] = [];
    const list = (title: string, xs: string[]) => {
      if (xs.length) lines.push(`${title} (${xs.length}):`, ...xs.map((x) => `  ${x}`));
    };
    list('missing keys', problems.missing);
    list('unexpected keys', problems.unexpected);
    list(
      'mis-shaped keys',
      problems.misshaped.map((m) => `${m.name}: expected [${m.expected.join(', ')}], found [${m.found.join(', ')}]`),
    );
    super(
      `${source}: checkpoint does not match its config.json\n${lines.join('\n')}\n(fix: use the config.json that came with these weights, or weights saved by the matching diffusers class)`,
    );
    this.name = 'CheckpointMismatchError';
  }
}

export class MemoryPlanError extends UserError {}

/** Compares what the config implies with what the files hold: every difference, sorted by name. */
export function compareKeys(expected: Record<string, number[]>, found: Record<string, { shape: number[] }>): KeyProblems {
  const missing = Object.keys(expected)
    .filter((n) => !(n in found))
    .sort();
  const unexpected = Object.keys(found)
    .filter((n) => !(n in expected))
    .sort();
  const misshaped = Object.keys(expected)
    .filter((n) => n in found && (found[n]!.shape.length !== expected[n]!.length || found[n]!.shape.some((v, i) => v !== expected[n]![i])))
    .sort()
    .map((name) => ({ name, expected: expected[name]!, found: found[name]!.shape }));
  return { missing, unexpected, misshaped };
}

function headerInfo(ck: Checkpoint): Pick<CheckpointInfo, 'tensors' | 'params' | 'bytesByDtype' | 'f32Bytes'> {
  const tensors: CheckpointInfo['tensors'] = {};
  const bytesByDtype: Record<string, number> = {};
  let params = 0;
  for (const n of ck.names) {
    const i = ck.info(n);
    const count = i.shape.reduce((a, b) => a * b, 1);
    const bytes = count * DTYPE_BYTES[i.dtype];
    tensors[n] = { dtype: i.dtype, shape: [...i.shape], bytes };
    bytesByDtype[i.dtype] = (bytesByDtype[i.dtype] ?? 0) + bytes;
    params += count;
  }
  return { tensors, params, bytesByDtype, f32Bytes: params * 4 };
}

/** Reads config.json and the shard headers only. `dir`: the model root or its transformer/ folder. */
export function inspectCheckpoint(dir: string): CheckpointInfo {
  const tdir = transformerDir(dir);
  const config = readFamilyConfig(tdir);
  const ck = openCheckpoint(tdir);
  try {
    return { dir: tdir, config, source: ck.source, ...headerInfo(ck) };
  } finally {
    ck.close();
  }
}

export type BackendKind = 'wasm' | 'cpu' | 'tensorflow' | string;

interface MemoryPlan {
  /** float32 bytes of all copies of the weights */
  needBytes: number;
  /** what the backend can hold for weights */
  limitBytes: number;
  fits: boolean;
  copies: number;
  backend: string;
}

/**
 * Weights held as float32, `copies` times (1 for a forward pass; SiD holds phi, psi and G plus Adam's two
 * moments of psi and G: 7). wasm: the 4 GiB heap minus headroom; other backends: the host's memory.
 */
export function planMemory(f32Bytes: number, backend: BackendKind, copies = 1): MemoryPlan {
  const limitBytes = backend === 'wasm' ? WASM_HEAP_BYTES - WASM_HEADROOM_BYTES : Math.floor(totalmem() * 0.8);
  const needBytes = f32Bytes * copies;
  return { needBytes, limitBytes, fits: needBytes <= limitBytes, copies, backend };
}

export function assertFits(info: Pick<CheckpointInfo, 'source' | 'f32Bytes' | 'params'>, plan: MemoryPlan): void {
  if (plan.fits) return;
  const what = plan.copies === 1 ? 'its weights' : `${plan.copies} copies of its weights`;
  const where =
    plan.backend === 'wasm'
      ? 'the wasm backend holds at most 4 GiB (its heap cannot grow further), ' + formatBytes(WASM_HEADROOM_BYTES) + ' of it kept for activations'
      : `the ${plan.backend} backend has ${formatBytes(plan.limitBytes)} usable here`;
  throw new MemoryPlanError(
    `${info.source}: ${(info.params / 1e9).toFixed(2)}B parameters need ${formatBytes(plan.needBytes)} for ${what} as float32, but ${where}; ` +
      `nothing was loaded (fix: run on the tensorflow backend with enough memory, or use a smaller teacher)`,
  );
}

interface LoadedTransformer {
  info: CheckpointInfo;
  /** float32 values by diffusers name */
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

interface LoadOptions {
  backend?: BackendKind;
  copies?: number;
}

/**
 * Loads and checks a transformer: config, key/shape check, memory plan, then the tensors (float32). The
 * caller turns them into tf tensors (see FamilyNet), so only one decoded tensor is in flight at a time
 * beyond the result.
 */
export function loadTransformer(dir: string, o: LoadOptions = {}): LoadedTransformer {
  const tdir = transformerDir(dir);
  const config = readFamilyConfig(tdir);
  const ck = openCheckpoint(tdir);
  try {
    const info: CheckpointInfo = { dir: tdir, config, source: ck.source, ...headerInfo(ck) };
    const problems = compareKeys(expectedShapes(config), info.tensors);
    if (problems.missing.length || problems.unexpected.length || problems.misshaped.length) throw new CheckpointMismatchError(ck.source, problems);
    assertFits(info, planMemory(info.f32Bytes, o.backend ?? 'wasm', o.copies ?? 1));
    const tensors: LoadedTransformer['tensors'] = {};
    for (const n of ck.names) {
      const t = ck.read(n);
      tensors[n] = { shape: t.shape, data: t.data };
    }
    return { info, tensors };
  } finally {
    ck.close();
  }
}
