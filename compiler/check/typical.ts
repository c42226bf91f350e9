// Absurd but well-typed values: `optimizer.lr = 1e5` or `cfg(0.5)` pass the type and range checks, yet no
// paper recipe comes near them. A value outside the setting's `typical` range (recipe/settings.ts, the
// one table) is warning SID3031 quoting what the paper uses; a value left at its default is never judged.
import { diag } from '../diagnostics/make.js';
import { SETTINGS, type Setting, type Typical } from '../recipe/settings.js';
import type { CheckContext } from './context.js';

const WITH_TYPICAL: readonly (Setting & { typical: Typical })[] = SETTINGS.filter((s): s is Setting & { typical: Typical } => s.typical !== undefined);

/** 1e-7, 1e-3, 0.5, 4.5, 1e5: exponents where decimals would be long. */
const show = (n: number): string => (n !== 0 && (Math.abs(n) <= 1e-2 || Math.abs(n) >= 1e5) ? n.toExponential().replace('e+', 'e') : String(+n.toPrecision(6)));

/** "1e-7 to 1e-3", "at least 1", "at most 4096" (also the hover's wording). */
export function rangeText(t: Typical): string {
  if (t.min !== undefined && t.max !== undefined) return `${show(t.min)} to ${show(t.max)}`;
  return t.min !== undefined ? `at least ${show(t.min)}` : `at most ${show(t.max!)}`;
}

export function typicalRanges(c: CheckContext): void {
  for (const s of WITH_TYPICAL) {
    if (!c.isSet(s.path)) continue;
    const t = s.typical;
    const raw = c.get(s.path);
    const v = t.field === undefined ? raw : raw && typeof raw === 'object' && !Array.isArray(raw) ? raw[t.field] : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if ((t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max)) continue;
    const p = c.place(s.path);
    const what = t.field === undefined ? `\`${s.path}\` = ${show(v)}` : `the ${t.field} of \`${s.path}\`, ${show(v)},`;
    c.out.push(diag('SID3031', p.loc, { what, range: rangeText(t), paper: t.paper, ref: t.ref }, { related: p.related }));
  }
}
