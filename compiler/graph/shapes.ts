// Symbolic shapes and their bindings per teacher family (docs/algorithm.md §7):
//   SANA  latent [B, C=32, H/32, W/32], patch 1          SD3  latent [B, C=16, H/8, W/8], patch 2
//   FLUX  latent packed 2x2 -> tokens [B, N=(H/16)(W/16), C=64]
//   gmm / mlp  [B, X=dim]                              dit  pixels [B, C, H, W] of the dataset images
// B is the micro-batch per device; D the hidden width (discriminator features); L, E the text tokens/width.
import type { Flat } from '../lower/config.js';
import { DATASETS, FAMILIES, type FamilyInfo } from '../recipe/families.js';
import type { Dim, DType, TensorType } from './types.js';
import { hiddenSize } from '../teachers/params.js';
import { teacherFor } from '../teachers/registry.js';
import type { TeacherFamily } from '../teachers/types.js';

export interface Shapes {
  bindings: Record<string, number>;
  latent: Dim[];
  cond: TensorType;
  info: FamilyInfo;
}

/** Hidden width D (discriminator features) from the teacher registry, else the family's default. */
function hiddenWidth(config: string | undefined, info: FamilyInfo, flat: Flat): number {
  if (typeof flat.get('teacher.width') === 'number') return flat.get('teacher.width') as number;
  const tc = teacherFor(String(flat.get('teacher.family')) as TeacherFamily, config);
  if (tc && tc.arch.kind !== 'vector') return hiddenSize(tc.arch);
  return info.hidden;
}

export function familyShapes(flat: Flat, compute: DType): Shapes {
  const family = String(flat.get('teacher.family'));
  const info = FAMILIES[family]!;
  const B = Number(flat.get('batch.per_device') ?? 1);
  const res = typeof flat.get('data.resolution') === 'number' ? (flat.get('data.resolution') as number) : undefined;
  const b: Record<string, number> = { B };
  let latent: Dim[];
  switch (info.layout) {
    case 'latent_image': {
      const side = Math.floor((res ?? 512) / info.downsample);
      Object.assign(b, { C: info.channels!, H: side, W: side, P: info.patch, N: (side / info.patch) ** 2 });
      latent = ['B', 'C', 'H', 'W'];
      break;
    }
    case 'packed_tokens': {
      const side = Math.floor((res ?? 512) / info.downsample / info.pack!);
      Object.assign(b, { C: info.channels! * info.pack! ** 2, N: side * side, H: side * info.pack!, W: side * info.pack! });
      latent = ['B', 'N', 'C'];
      break;
    }
    case 'vector':
      b.X = Number(flat.get('teacher.dim') ?? 2);
      latent = ['B', 'X'];
      break;
    case 'pixels': {
      const ds = DATASETS[String(flat.get('data.dataset'))];
      const side = res ?? ds?.side ?? 28;
      Object.assign(b, { C: ds?.channels ?? 1, H: side, W: side, P: info.patch, N: Math.floor(side / info.patch) ** 2 });
      latent = ['B', 'C', 'H', 'W'];
      break;
    }
  }
  b.D = hiddenWidth(flat.get('teacher.config') as string | undefined, info, flat) || b.X || 1;
  const text = flat.get('data.text') as { mode?: string } | undefined;
  let cond: TensorType;
  if (info.text && text?.mode !== 'labels') {
    const tc = teacherFor(family as TeacherFamily, flat.get('teacher.config') as string | undefined);
    b.L = tc?.text_tokens || info.textTokens!;
    b.E = info.textDim!;
    cond = { dtype: compute, shape: ['B', 'L', 'E'] };
  } else cond = { dtype: 'int32', shape: ['B'] };
  return { bindings: b, latent, cond, info };
}
