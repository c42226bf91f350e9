// How a teacher checkpoint is called when nothing else says so (sidc forward): the t -> timestep factor
// and the guidance path, decided from its config alone, as the paper's pipelines call them
// (docs/algorithm.md §1 and §7).
import type { Guidance } from '../loop/sampling.js';
import type { FamilyConfig } from './config.js';

/** A transformer with a learned guidance embedder: FLUX.1-dev, and SANA-Sprint's teachers (SANA with guidance_embeds). */
export function hasGuidanceEmbedder(c: FamilyConfig): boolean {
  return (c.family === 'flux' || c.family === 'sana') && c.guidance_embeds;
}

/**
 * timestep = t x this. FLUX takes t (it multiplies by 1000 itself); SANA-Sprint teachers take t too
 * (SanaSprintPipeline passes the flow time sin s / (sin s + cos s) in [0, 1]); SANA and SD3 take t x 1000.
 */
export function defaultTimeScale(c: FamilyConfig): number {
  return c.family === 'flux' || hasGuidanceEmbedder(c) ? 1 : 1000;
}

/** The pipelines' default guidance_scale for a guidance embedder: FluxPipeline 3.5, SanaSprintPipeline 4.5. */
export function defaultEmbeddedGuidance(c: FamilyConfig): number {
  return c.family === 'flux' ? 3.5 : 4.5;
}

/**
 * The guidance a forward pass runs with: a net with a guidance embedder gets w through it (one pass, no
 * unconditional branch - as the sampler and the loop feed `embedded(w)`); FLUX without one (schnell) takes
 * none; SANA and SD3 run CFG against the empty prompt (eq. 15), w = 1 meaning none.
 */
export function forwardGuidance(c: FamilyConfig, w?: number): Guidance {
  if (hasGuidanceEmbedder(c)) return { mode: 'embedded', scale: w ?? defaultEmbeddedGuidance(c) };
  if (c.family === 'flux') return { mode: 'none', scale: w ?? 1 };
  return { mode: 'cfg', scale: w ?? 1 };
}

/** One line for the user: what the guidance value did. */
export function describeGuidance(g: Guidance): string {
  if (g.mode === 'embedded') return `, guidance embedding ${g.scale}`;
  return g.mode === 'cfg' && g.scale !== 1 ? `, CFG ${g.scale}` : '';
}
