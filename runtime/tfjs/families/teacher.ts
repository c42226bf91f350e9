// One call from a recipe's teacher settings to a ready velocity net: checkpoint folder + text encodings +
// resolution -> FamilyNet (phi) with its TextTable. psi and G are `net.clone(true)`. The memory plan
// counts the weight-sized buffers SiD needs on the backend before anything is read.
import { UserError } from '../../../common/errors.js';
import type { FamilyName } from './config.js';
import { familyModule } from './index.js';
import { loadTransformer, type BackendKind, type CheckpointInfo } from './load.js';
import { FamilyNet } from './net.js';
import { readTextEncodings, TextTable } from './text.js';

/**
 * Weight-sized buffers of a SiD stage on the backend: phi, psi and G, plus what a gradient pass adds -
 * tfjs-wasm copies every weight a customGrad saves (its Identity kernel copies) and holds the gradients.
 * Measured (tiny FLUX-shaped net, 541 MB of weights): one forward+backward of a trainable net peaks at
 * 4.4x its weights. Adam's moments live in JS memory (runtime/tfjs/optim/adam.ts), not on the heap.
 */
export const SID_WEIGHT_COPIES = 7;

/** VAE downsampling per family (docs/algorithm.md §7): DC-AE 32x for SANA, AutoencoderKL 8x for SD3/FLUX. */
export const VAE_DOWNSAMPLE: Readonly<Record<FamilyName, number>> = { sana: 32, sd3: 8, flux: 8 };

interface FamilyTeacherOptions {
  /** model root (with transformer/) or the transformer folder */
  checkpoint: string;
  /** text encodings file (docs/text-encodings.md) */
  text: string;
  /** image resolution in pixels (square) or the latent size directly */
  resolution?: number;
  latent?: { height: number; width: number };
  backend?: BackendKind;
  copies?: number;
  /** embedded guidance of the teacher (FLUX; SANA-Sprint) */
  guidance?: number;
}

export function loadFamilyTeacher(o: FamilyTeacherOptions): { net: FamilyNet; text: TextTable; info: CheckpointInfo } {
  const ld = loadTransformer(o.checkpoint, { ...(o.backend ? { backend: o.backend } : {}), copies: o.copies ?? SID_WEIGHT_COPIES });
  const c = ld.info.config;
  const mod = familyModule(c);
  let latent = o.latent;
  if (!latent) {
    if (!o.resolution) throw new UserError('loadFamilyTeacher: give a resolution in px or the latent size');
    const down = VAE_DOWNSAMPLE[c.family];
    const side = o.resolution / down;
    if (!Number.isInteger(side) || side % mod.spatialMultiple(c)) {
      throw new UserError(
        `resolution ${o.resolution} px: ${c.family} needs a multiple of ${down * mod.spatialMultiple(c)} px (VAE /${down}, patch ${mod.spatialMultiple(c)})`,
      );
    }
    latent = { height: side, width: side };
  }
  const text = new TextTable(readTextEncodings(o.text, { ...mod.textDims(c), teacher: `${ld.info.dir} (${c.family})` }));
  const net = new FamilyNet({ config: c, weights: ld.tensors, text, latent, trainable: false, ...(o.guidance !== undefined ? { guidance: o.guidance } : {}) });
  return { net, text, info: ld.info };
}
