// The three families by name.
import type { FamilyConfig } from './config.js';
import type { FamilyModule } from './model.js';
import { sanaFamily } from './sana.js';
import { sd3Family } from './sd3.js';
import { fluxFamily } from './flux.js';

export function familyModule(c: FamilyConfig): FamilyModule {
  return (c.family === 'sana' ? sanaFamily : c.family === 'sd3' ? sd3Family : fluxFamily) as FamilyModule;
}

/** name -> shape of every parameter the diffusers model of this config holds. */
export const expectedShapes = (c: FamilyConfig): Record<string, number[]> => familyModule(c).shapes(c);

export const paramCount = (c: FamilyConfig): number => Object.values(expectedShapes(c)).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
