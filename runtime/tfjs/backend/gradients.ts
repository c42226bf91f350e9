// tfjs-core's Node bundle (dist/tf-core.node.js) ships without gradient functions, and its ESM tree
// (dist/register_all_gradients.js) uses extension-less relative imports that Node's ESM loader refuses.
// We install a tiny resolve hook limited to tfjs-core's dist folder, then load that tree once. Kernel
// and gradient registries and the engine are process globals in tfjs, so the ESM copy registers into
// the same engine the CJS bundle uses.
import { register } from 'node:module';

const HOOK = `
export async function resolve(spec, ctx, next) {
  if ((spec.startsWith('./') || spec.startsWith('../')) && ctx.parentURL && ctx.parentURL.includes('/@tensorflow/tfjs-core/dist/') && !spec.endsWith('.js')) {
    try { return await next(spec + '.js', ctx); } catch { return next(spec + '/index.js', ctx); }
  }
  return next(spec, ctx);
}`;

let loaded: Promise<void> | null = null;

/** Registers every tfjs gradient once per process (idempotent). */
export function registerAllGradients(): Promise<void> {
  loaded ??= (async () => {
    register('data:text/javascript,' + encodeURIComponent(HOOK));
    const spec = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
    await import(spec);
  })();
  return loaded;
}
