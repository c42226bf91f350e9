// Writes a transformer in diffusers layout: config.json, N shards
// diffusion_pytorch_model-0000i-of-0000N.safetensors and diffusion_pytorch_model.safetensors.index.json
// (what save_pretrained produces). Used to export students and by the tests to build checkpoints.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../formats/atomic.js';
import { writeSafetensors, type TensorToWrite, type WritableDtype } from '../../formats/safetensors.js';
import { DTYPE_BYTES } from '../../formats/safetensors-dtypes.js';

interface WriteOptions {
  shards?: number;
  dtype?: WritableDtype;
}

export function writeDiffusersTransformer(
  dir: string,
  config: Record<string, unknown>,
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  o: WriteOptions = {},
): void {
  mkdirSync(dir, { recursive: true });
  const dtype = o.dtype ?? 'BF16';
  const names = Object.keys(tensors).sort();
  const n = Math.max(1, Math.min(o.shards ?? 1, names.length));
  writeJsonAtomic(join(dir, 'config.json'), config);
  if (n === 1 && !o.shards) {
    const all: Record<string, TensorToWrite> = {};
    for (const k of names) all[k] = { dtype, ...tensors[k]! };
    writeSafetensors(join(dir, 'diffusion_pytorch_model.safetensors'), all, { format: 'pt' });
    return;
  }
  const pad = (i: number) => String(i).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < n; s++) {
    const file = `diffusion_pytorch_model-${pad(s + 1)}-of-${pad(n)}.safetensors`;
    const part: Record<string, TensorToWrite> = {};
    for (const k of names.slice(Math.floor((s * names.length) / n), Math.floor(((s + 1) * names.length) / n))) {
      part[k] = { dtype, ...tensors[k]! };
      weightMap[k] = file;
      total += tensors[k]!.data.length * DTYPE_BYTES[dtype];
    }
    writeSafetensors(join(dir, file), part, { format: 'pt' });
  }
  writeJsonAtomic(join(dir, 'diffusion_pytorch_model.safetensors.index.json'), { metadata: { total_size: total }, weight_map: weightMap });
}
