// The graph's `config`: every setting resolved (recipe value, else default) as nested canonical JSON,
// plus values derived from others (teacher.time_scale from family + objective, label conditioning for
// toy teachers). Per-stage overrides produce a stage-specific view (`effective`).
import type { CheckContext } from '../check/context.js';
import type { ResolvedStage } from '../model.js';
import { FAMILIES } from '../recipe/families.js';
import { SETTINGS, type JsonValue } from '../recipe/settings.js';
import { teacherConfig } from '../teachers/registry.js';
import type { TeacherFamily } from '../teachers/types.js';

export type Flat = Map<string, JsonValue>;

export function flatConfig(c: CheckContext): Flat {
  const flat: Flat = new Map();
  for (const s of SETTINGS) {
    if (isLauncherSetting(s.path)) continue; // how to launch is not what runs: recipe.launcher, outside the hash
    const v = c.get(s.path);
    if (v !== undefined) flat.set(s.path, v);
  }
  const family = flat.get('teacher.family') as string | undefined;
  const info = family ? FAMILIES[family] : undefined;
  // A named teacher config knows its training objective (SANA-Sprint teachers: TrigFlow).
  const tc =
    family && typeof flat.get('teacher.config') === 'string' ? teacherConfig(flat.get('teacher.config') as string, family as TeacherFamily) : undefined;
  if (tc && !c.isSet('teacher.objective')) flat.set('teacher.objective', tc.objective);
  if (info && !flat.has('teacher.time_scale')) {
    const ts = info.timeScale[(flat.get('teacher.objective') as 'rectified_flow' | 'trigflow') ?? 'rectified_flow'];
    if (ts !== undefined) flat.set('teacher.time_scale', ts);
  }
  if (info && !info.text && !c.isSet('data.text')) flat.set('data.text', { mode: 'labels' });
  // psi's prompt dropout 0 is the same run as none: the same graph and hash as a recipe without it
  if (flat.get('guidance.fake_dropout') === 0) flat.delete('guidance.fake_dropout');
  return flat;
}

export const isLauncherSetting = (path: string): boolean => path.startsWith('launcher.');

/** The launcher settings the recipe sets (no defaults: the launcher derives them), with where each was written. */
export function launcherConfig(
  c: CheckContext,
  where: (path: string) => string,
): { settings: Record<string, JsonValue>; from: Record<string, string> } | undefined {
  const settings: Record<string, JsonValue> = {};
  const from: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (!isLauncherSetting(s.path) || !c.isSet(s.path)) continue;
    const v = c.get(s.path);
    if (v === undefined) continue;
    const key = s.path.slice('launcher.'.length);
    settings[key] = v;
    from[key] = where(s.path);
  }
  return Object.keys(settings).length ? { settings, from } : undefined;
}

/** The recipe's values with one stage's overrides on top. */
export function effective(flat: Flat, stage: ResolvedStage): Flat {
  const out = new Map(flat);
  for (const [k, v] of stage.overrides) out.set(k, v.value);
  return out;
}

export function nested(flat: Flat): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [path, v] of flat) {
    const segs = path.split('.');
    let o = out;
    for (const s of segs.slice(0, -1)) o = (o[s] ??= {}) as Record<string, JsonValue>;
    o[segs[segs.length - 1]!] = v;
  }
  return out;
}
