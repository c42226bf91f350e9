// Sharded checkpoints as diffusers/transformers save them: `<prefix>.safetensors.index.json` =
// {metadata: {total_size}, weight_map: {tensor name: shard file}} beside the shard files
// (e.g. diffusion_pytorch_model-00001-of-00003.safetensors). openCheckpoint() also accepts a single
// .safetensors file or a directory holding either form, so loaders need not care which they got.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SafetensorsError } from '../../common/safetensors-error.js';
import { SafetensorsFile, type F32Tensor, type TensorInfo } from './safetensors.js';
import { getOwn, setOwn } from '../../common/own-keys.js';

interface SafetensorsIndex {
  indexFile: string;
  /** metadata.total_size when present: bytes of all tensors together */
  totalBytes: number | undefined;
  metadata: Record<string, unknown>;
  /** tensor name -> absolute shard path */
  weightMap: Record<string, string>;
  /** distinct shard paths, sorted */
  shards: string[];
}

/** Reads and checks an index file: JSON shape, and that every shard it names exists. */
export function readSafetensorsIndex(indexFile: string): SafetensorsIndex {
  let text: string;
  try {
    text = readFileSync(indexFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SafetensorsError(indexFile, 'index', code === 'ENOENT' ? 'index file not found' : `cannot read index: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(indexFile, 'index', `index is not valid JSON (${(err as Error).message})`);
  }
  const obj = json as { metadata?: unknown; weight_map?: unknown };
  if (typeof obj !== 'object' || obj === null || typeof obj.weight_map !== 'object' || obj.weight_map === null || Array.isArray(obj.weight_map)) {
    throw new SafetensorsError(indexFile, 'index', 'index has no "weight_map" object {tensor name: shard file}');
  }
  const metadata = typeof obj.metadata === 'object' && obj.metadata !== null ? (obj.metadata as Record<string, unknown>) : {};
  const total = metadata.total_size;
  const dir = dirname(indexFile);
  const weightMap: Record<string, string> = {};
  const shards = new Set<string>();
  for (const [name, shard] of Object.entries(obj.weight_map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard === '' || shard.includes('/') || shard.includes('\\')) {
      throw new SafetensorsError(indexFile, 'index', `weight_map['${name}'] must be a shard file name beside the index, got ${JSON.stringify(shard)}`);
    }
    setOwn(weightMap, name, join(dir, shard));
    shards.add(join(dir, shard));
  }
  for (const s of shards) {
    if (!existsSync(s)) {
      const users = Object.keys(weightMap).filter((n) => weightMap[n] === s).length;
      throw new SafetensorsError(indexFile, 'index', `shard '${basename(s)}' (holding ${users} tensor${users === 1 ? '' : 's'}) is missing from ${dir}`);
    }
  }
  return { indexFile, totalBytes: typeof total === 'number' ? total : undefined, metadata, weightMap, shards: [...shards].sort() };
}

/** A checkpoint of one or more shards, read tensor by tensor. */
export interface Checkpoint {
  /** the file or index it came from */
  source: string;
  names: string[];
  info(name: string): TensorInfo;
  read(name: string): F32Tensor;
  /** elements [start, start + count) of a tensor, reading only those bytes */
  readElements(name: string, start: number, count: number): Float32Array;
  /** sum of tensor bytes as stored */
  dataBytes: number;
  /** metadata of the shards merged (first shard wins) */
  metadata: Record<string, string>;
  close(): void;
}

/** Finds the checkpoint in a directory: an *.safetensors.index.json, else exactly one *.safetensors. */
export function resolveCheckpointPath(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new SafetensorsError(path, 'io', 'checkpoint not found');
  }
  if (!st.isDirectory()) return path;
  const files = readdirSync(path).sort();
  const indexes = files.filter((f) => f.endsWith('.safetensors.index.json'));
  if (indexes.length === 1) return join(path, indexes[0]!);
  if (indexes.length > 1) throw new SafetensorsError(path, 'index', `several index files (${indexes.join(', ')}); name the one to load`);
  const singles = files.filter((f) => f.endsWith('.safetensors'));
  if (singles.length === 1) return join(path, singles[0]!);
  throw new SafetensorsError(
    path,
    'index',
    singles.length === 0
      ? 'no .safetensors file or .safetensors.index.json in this directory'
      : `several .safetensors files (${singles.join(', ')}) but no .safetensors.index.json saying which tensor is where`,
  );
}

/**
 * Opens a single file, an index file or a directory. For an index, every shard's header is read and
 * checked against the weight map up front (cheap: headers only), so a mismatch fails before loading.
 */
export function openCheckpoint(path: string): Checkpoint {
  const resolved = resolveCheckpointPath(path);
  if (!resolved.endsWith('.index.json')) {
    const f = SafetensorsFile.open(resolved);
    return {
      source: resolved,
      names: f.names,
      info: (n) => f.info(n),
      read: (n) => f.read(n),
      readElements: (n, a, c) => f.readElements(n, a, c),
      dataBytes: f.header.dataBytes,
      metadata: { ...f.header.metadata },
      close: () => f.close(),
    };
  }
  const index = readSafetensorsIndex(resolved);
  const files = new Map<string, SafetensorsFile>();
  const closeAll = (): void => files.forEach((f) => f.close());
  try {
    for (const s of index.shards) files.set(s, SafetensorsFile.open(s));
    for (const [name, shard] of Object.entries(index.weightMap)) {
      if (!Object.hasOwn(files.get(shard)!.header.tensors, name)) {
        throw new SafetensorsError(resolved, 'index', `weight_map puts '${name}' in '${basename(shard)}' but that shard has no such tensor`);
      }
    }
  } catch (err) {
    closeAll();
    throw err;
  }
  const metadata: Record<string, string> = {};
  for (const f of [...files.values()].reverse()) Object.assign(metadata, f.header.metadata);
  const shardOf = (name: string): SafetensorsFile => {
    const s = getOwn(index.weightMap, name);
    if (!s)
      throw new SafetensorsError(resolved, 'missing-tensor', `no tensor named '${name}' in the weight map (${Object.keys(index.weightMap).length} tensors)`);
    return files.get(s)!;
  };
  return {
    source: resolved,
    names: Object.keys(index.weightMap),
    info: (n) => shardOf(n).info(n),
    read: (n) => shardOf(n).read(n),
    readElements: (n, a, c) => shardOf(n).readElements(n, a, c),
    dataBytes: [...files.values()].reduce((a, f) => a + f.header.dataBytes, 0),
    metadata,
    close: closeAll,
  };
}
