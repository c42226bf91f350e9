// Required settings of a non-abstract recipe (settings without default that are not optional, plus what
// a family needs to have shapes: image teachers a resolution and prompts, vector teachers a dimension,
// pixel DiTs a dataset) and family restrictions of settings (`teacher.dim` only for gmm/mlp).
import { diag } from '../diagnostics/make.js';
import { FAMILIES } from '../recipe/families.js';
import { SETTINGS } from '../recipe/settings.js';
import type { CheckContext } from './context.js';

const EXAMPLES: Record<string, string> = {
  'teacher.family': 'add `teacher sana { ... }` (families: sana, sd3, flux, gmm, mlp, dit)',
  'data.resolution': 'add `data.resolution = 512 px`',
  'data.prompts': 'add `data.prompts = "data/prompts.txt"`',
  'teacher.dim': 'add `teacher.dim = 2`',
  'data.dataset': 'add `data.dataset = "mnist"`',
};

export function checkRequired(c: CheckContext): void {
  const missing = (path: string): void => {
    if (c.isSet(path) || c.failed(path)) return;
    c.out.push(diag('SID3001', c.anchor, { recipe: c.recipe.name, path, example: EXAMPLES[path] ?? `add \`${path} = ...\`` }));
  };
  for (const s of SETTINGS) if (s.default === undefined && !s.optional) missing(s.path);
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  if (!info) return;
  if (info.layout === 'latent_image' || info.layout === 'packed_tokens') {
    missing('data.resolution');
    missing('data.prompts');
  }
  if (info.layout === 'vector') missing('teacher.dim');
  if (info.layout === 'pixels' && !c.isSet('data.resolution')) missing('data.dataset');
}

export function checkFamilies(c: CheckContext): void {
  const family = c.str('teacher.family');
  if (!family || !FAMILIES[family]) return;
  for (const s of SETTINGS) {
    if (!s.families || s.families.includes(family) || !c.isSet(s.path)) continue;
    const p = c.place(s.path);
    c.out.push(diag('SID2018', p.loc, { path: s.path, families: s.families.join('/'), family }, { related: p.related }));
  }
}
