// The semantic rules of the paper and docs/algorithm.md, each a real mistake. Each rule reads resolved
// values (with defaults) and reports at the value that decides it (check/context.ts: place()).
import { diag, replaceFix } from '../diagnostics/make.js';
import { DISTRIBUTIONS_BY_NAME, distCdf, distParams } from '../recipe/distributions.js';
import { FAMILIES, resolutionMultiple } from '../recipe/families.js';
import { MONITOR_METRICS_OF, type JsonValue } from '../recipe/settings.js';
import type { CheckContext } from './context.js';
import { engineHardware } from './hardware.js';
import { teacherConfig, teacherNames } from '../teachers/registry.js';
import type { TeacherFamily } from '../teachers/types.js';
import { suggestion } from '../util/names.js';
import { LAUNCHER_RULES } from './launcher.js';
import { typicalRanges } from './typical.js';

const fmt = (n: number): string => String(+n.toPrecision(6));

/** batch.global = device count x per_device x accumulate (Tables 3-4). */
function batch(c: CheckContext): void {
  const dev = c.obj('hardware.devices');
  const g = c.num('batch.global');
  const pd = c.num('batch.per_device');
  const acc = c.num('batch.accumulate');
  if (!dev || typeof dev.count !== 'number' || g === undefined || pd === undefined || acc === undefined) return;
  // The defaults alone (1 device, 256 = 1 x 1 x 1) are not the user's mistake: say nothing until one is set.
  if (!['batch.global', 'batch.per_device', 'batch.accumulate', 'hardware.devices'].some((k) => c.isSet(k))) return;
  const product = dev.count * pd * acc;
  if (product === g) return;
  const p = c.place('batch.global');
  const related = [...p.related];
  for (const k of ['hardware.devices', 'batch.per_device', 'batch.accumulate']) {
    const r = c.resolved(k);
    if (r?.from)
      related.push({
        loc: r.from.valueLoc,
        message: `${k} set at ${r.from.valueLoc.file}:${r.from.valueLoc.range.start.line + 1}:${r.from.valueLoc.range.start.column + 1}`,
      });
  }
  c.out.push(
    diag(
      'SID3002',
      p.loc,
      { global: g, count: dev.count, per_device: pd, accumulate: acc, product },
      { related, ...(p.local ? { fix: replaceFix(`Write ${product}`, p.loc, String(product)) } : {}) },
    ),
  );
}

/** Pure bf16 with Adam eps < 1e-6: the paper's rule (Section 4, Table 4); the message says what was measured (README). */
function bf16Eps(c: CheckContext): void {
  const eps = c.num('optimizer.eps');
  if (c.str('precision.policy') !== 'bf16' || eps === undefined || eps >= 1e-6) return;
  if (c.get('precision.allow_small_eps') === true) return; // a deliberate choice, as Table 4's SiD2a rows
  const p = c.place('optimizer.eps', c.place('precision.policy').loc);
  c.out.push(diag('SID3003', p.loc, { eps }, { related: p.related, ...(p.local ? { fix: replaceFix('Write 1e-4', p.loc, '1e-4') } : {}) }));
}

/** Guidance modes the family supports: FLUX has no unconditional branch (Section 4.4); embedded needs an embedding. */
function guidance(c: CheckContext): void {
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  if (!info) return;
  for (const path of ['guidance.teacher', 'guidance.fake']) {
    const g = c.obj(path);
    if (!g) continue;
    const familyPlace = c.place('teacher.family');
    const p = c.place(path, familyPlace.loc);
    const related = p.isDefault ? [{ loc: familyPlace.loc, message: `${path} defaults to cfg(${g.scale}); the teacher family is set here` }] : p.related;
    if (family === 'flux' && g.mode === 'cfg') {
      c.out.push(
        diag(
          'SID3004',
          p.loc,
          { path, scale: g.scale },
          { related, ...(p.local ? { fix: replaceFix(`Write embedded(${g.scale})`, p.loc, `embedded(${g.scale})`) } : {}) },
        ),
      );
    } else if (g.mode === 'embedded' && !info.guidanceEmbedding) {
      c.out.push(
        diag(
          'SID3017',
          p.loc,
          { path, scale: g.scale, family },
          { related, ...(p.local ? { fix: replaceFix(`Write cfg(${g.scale})`, p.loc, `cfg(${g.scale})`) } : {}) },
        ),
      );
    }
  }
}

function intervalOf(v: JsonValue | undefined): [number, number] | undefined {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : undefined;
}

/** Intervals of t lie in [0, 1] and are not empty (Fig. 3); a restricted distribution must keep some mass. */
function intervals(c: CheckContext): void {
  const check = (path: string, iv: [number, number] | undefined): boolean => {
    if (!iv) return true;
    const [lo, hi] = iv;
    const problem = lo >= hi ? 'is empty: lo must be below hi' : lo < 0 || hi > 1 ? 'lies outside [0, 1], the range of t' : undefined;
    if (!problem) return true;
    const p = c.place(path);
    c.out.push(diag('SID3005', p.loc, { lo: fmt(lo), hi: fmt(hi), problem }, { related: p.related }));
    return false;
  };
  const ti = intervalOf(c.get('time.interval'));
  const okT = check('time.interval', ti);
  for (const path of ['time.distribution', 'teach.time']) {
    const d = c.obj(path);
    const di = intervalOf(d?.interval);
    const okD = check(path, di);
    if (path !== 'time.distribution' || !d || !okT || !okD) continue;
    const dist = DISTRIBUTIONS_BY_NAME.get(String(d.kind));
    if (!dist) continue;
    const lo = Math.max(ti?.[0] ?? 0, di?.[0] ?? 0);
    const hi = Math.min(ti?.[1] ?? 1, di?.[1] ?? 1);
    const params = distParams(d);
    const mass = hi <= lo ? 0 : distCdf(dist, params, hi) - distCdf(dist, params, lo);
    if (mass > 1e-9) continue;
    const p = c.place(c.isSet('time.interval') ? 'time.interval' : path);
    const restricted = di ? ` ${d.kind} restricted to (${fmt(di[0])}, ${fmt(di[1])})` : ` ${d.kind}`;
    c.out.push(diag('SID3024', p.loc, { lo: fmt(ti?.[0] ?? 0), hi: fmt(ti?.[1] ?? 1), restricted }, { related: p.related }));
  }
}

/** teacher.time_scale must match family and objective (docs/algorithm.md §1). */
function timeScale(c: CheckContext): void {
  const ts = c.num('teacher.time_scale');
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  if (!info) return;
  const configName = c.str('teacher.config');
  const tc = configName ? teacherConfig(configName, family as TeacherFamily) : undefined;
  let objective = c.str('teacher.objective') ?? 'rectified_flow';
  if (tc && c.isSet('teacher.objective') && tc.objective !== objective) {
    const p = c.place('teacher.objective');
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        {
          detail: `teacher config \`${configName}\` was trained with ${tc.objective}, not ${objective} (docs/algorithm.md Section 1)`,
          example: `write \`teacher.objective = ${tc.objective}\` or remove it (the config implies it)`,
        },
        { related: p.related },
      ),
    );
    return;
  }
  if (tc && !c.isSet('teacher.objective')) objective = tc.objective;
  const expected = info.timeScale[objective as 'rectified_flow' | 'trigflow'];
  if (expected === undefined) {
    const p = c.place('teacher.objective');
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        { detail: `a ${family} teacher is not trained with ${objective}`, example: `write \`teacher.objective = rectified_flow\`` },
        { related: p.related },
      ),
    );
    return;
  }
  if (ts === undefined || !c.isSet('teacher.time_scale') || ts === expected) return;
  const p = c.place('teacher.time_scale');
  c.out.push(
    diag(
      'SID3006',
      p.loc,
      { value: ts, family, objective, expected },
      { related: p.related, ...(p.local ? { fix: replaceFix(`Write ${expected}`, p.loc, String(expected)) } : {}) },
    ),
  );
}

/** Lengths and intervals in images: an interval longer than the run never fires. */
function everyVsLength(c: CheckContext): void {
  const length = c.num('train.length');
  if (length === undefined) return;
  for (const k of ['train.checkpoint_every', 'train.sample_every', 'train.log_every']) {
    const v = c.num(k);
    if (v === undefined || v <= length || !c.isSet(k)) continue;
    const p = c.place(k);
    c.out.push(diag('SID3011', p.loc, { path: k, every: v, lengthPath: 'train.length', length }, { related: p.related }));
  }
}

/** data.resolution must be a multiple of the family's downsample x patch; vector teachers have none. */
function resolution(c: CheckContext): void {
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  const res = c.num('data.resolution');
  if (!info || res === undefined) return;
  const p = c.place('data.resolution');
  if (info.layout === 'vector') {
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        {
          detail: `a ${family} teacher works on vectors of teacher.dim numbers; data.resolution does not apply`,
          example: 'remove data.resolution and set teacher.dim',
        },
        { related: p.related },
      ),
    );
    return;
  }
  const m = resolutionMultiple(info);
  if (res % m === 0) return;
  const lower = Math.max(m, Math.floor(res / m) * m);
  const upper = Math.ceil(res / m) * m;
  c.out.push(
    diag(
      'SID3012',
      p.loc,
      { resolution: res, multiple: m, family, down: info.downsample, patch: info.patch * (info.pack ?? 1), lower, upper },
      { related: p.related },
    ),
  );
}

/** Vector teachers: classes, modes and text conditioning must fit a mixture (gmm) or an MLP. */
function vectorTeacher(c: CheckContext): void {
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  if (!info) return;
  const text = c.obj('data.text');
  if (c.isSet('data.text') && text) {
    const p = c.place('data.text');
    if (!info.text && text.mode !== 'labels') {
      c.out.push(
        diag(
          'SID3022',
          p.loc,
          { mode: text.mode, family, detail: 'it is conditioned on class labels', example: 'write `data.text = labels`' },
          { related: p.related },
        ),
      );
    } else if (info.text && text.mode === 'labels') {
      c.out.push(
        diag(
          'SID3022',
          p.loc,
          { mode: 'labels', family, detail: 'it is conditioned on text prompts', example: 'write `data.text = precomputed("cache/text")`' },
          { related: p.related },
        ),
      );
    }
  }
  if (family === 'gmm' && c.isSet('teacher.checkpoint')) {
    const p = c.place('teacher.checkpoint');
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        {
          detail: 'a gmm teacher is analytic (exact E[x0 | x_t]) and has no checkpoint',
          example: 'remove teacher.checkpoint, or use family mlp for a trained vector teacher',
        },
        { related: p.related },
      ),
    );
  }
  const radius = c.num('teacher.radius');
  const std = c.num('teacher.mode_std');
  if (info.layout === 'vector' && radius !== undefined && std !== undefined && c.isSet('teacher.mode_std') && std > radius) {
    const p = c.place('teacher.mode_std');
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        {
          detail: `teacher.mode_std = ${std} is larger than teacher.radius = ${radius}: the mixture components overlap into one blob`,
          example: 'make mode_std smaller than radius',
        },
        { severity: 'warning', related: p.related },
      ),
    );
  }
  const modes = c.num('teacher.modes_per_class') ?? 4;
  if (c.get('teacher.symmetric') === true && modes % 2 !== 0) {
    const p = c.place('teacher.symmetric');
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        {
          detail: `a symmetric mixture places its components in mirrored pairs, but teacher.modes_per_class = ${modes} is odd`,
          example: `set teacher.modes_per_class = ${modes + 1}`,
        },
        { related: p.related },
      ),
    );
  }
}

/** Adversarial stage (docs/algorithm.md §6): real images, and the switch after the warm-up. */
function adversarial(c: CheckContext): void {
  const st = c.recipe.stages.find((s) => s.name === 'adversarial');
  if (!st) return;
  if (!c.isSet('data.images') && !st.overrides.has('data.images')) {
    c.out.push(diag('SID3007', st.decl?.nameLoc ?? c.anchor));
  }
  const get = (k: string): number | undefined => {
    const o = st.overrides.get(k);
    return typeof o?.value === 'number' ? o.value : c.num(k);
  };
  const warmup = get('adversarial.warmup');
  const sw = get('adversarial.switch');
  if (warmup !== undefined && sw !== undefined && sw < warmup) {
    const o = st.overrides.get('adversarial.switch');
    const loc = o?.from?.valueLoc ?? c.place('adversarial.switch', st.decl?.nameLoc ?? c.anchor).loc;
    c.out.push(diag('SID3018', loc, { switch: sw, warmup }));
  }
}

/** Teach stage: small teachers learn here (mlp and gmm from mixture samples - for gmm it is the network psi
 * and G start from; dit from a dataset); the paper's families are loaded from checkpoints. */
function teach(c: CheckContext): void {
  const st = c.recipe.stages.find((s) => s.name === 'teach');
  const family = c.str('teacher.family');
  if (!st && family === 'dit' && !c.isSet('teacher.checkpoint') && !c.failed('teacher.checkpoint')) {
    // a DiT teacher is either trained by this recipe or read from a file (examples/mnist-teacher.sid)
    c.out.push(
      diag('SID3001', c.anchor, {
        recipe: c.recipe.name,
        path: 'teacher.checkpoint',
        example: 'add `teacher.checkpoint = "teachers/dit-mnist.safetensors"` (a trained DiT), or a `stage teach { ... }` that trains one',
      }),
    );
  }
  if (!st || !family || !FAMILIES[family]) return;
  const loc = st.decl?.nameLoc ?? c.anchor;
  if (!['mlp', 'dit', 'gmm'].includes(family)) {
    c.out.push(diag('SID3021', loc, { detail: `a ${family} teacher is loaded from its checkpoint, not trained here`, example: 'remove the teach stage' }));
  } else if (family === 'dit' && !c.isSet('data.dataset')) {
    c.out.push(diag('SID3021', loc, { detail: 'data.dataset is not set', example: 'write `data.dataset = "mnist"`' }));
  }
}

/** teacher.config must name a configuration of the teacher registry (compiler/teachers/registry.ts). */
function teacherConfigName(c: CheckContext): void {
  const name = c.str('teacher.config');
  const family = c.str('teacher.family');
  if (!name || !family || !FAMILIES[family] || !c.isSet('teacher.config')) return;
  const tc = teacherConfig(name, family as TeacherFamily);
  const p = c.place('teacher.config');
  if (!tc) {
    const known = teacherNames().filter((n) => n.startsWith(family) || family === 'dit' || family === 'gmm' || family === 'mlp');
    c.out.push(
      diag(
        'SID4003',
        p.loc,
        { name, hint: suggestion(name, teacherNames()), known: (known.length ? known : teacherNames()).join(', ') },
        { related: p.related },
      ),
    );
  } else if (tc.family !== family) {
    c.out.push(
      diag(
        'SID3013',
        p.loc,
        { detail: `teacher config \`${name}\` is a ${tc.family} teacher, but teacher.family is ${family}`, example: `write \`teacher ${tc.family} { ... }\`` },
        { related: p.related },
      ),
    );
  }
}

/** Evaluation during training (docs/algorithm.md §10): on only with monitor.every; only the metrics the runtime
 * measures for this teacher; a `best(m)` snapshot needs m monitored; the scored steps within the trained ones. */
function monitor(c: CheckContext): void {
  const err = (path: string, detail: string, example: string): void => {
    const p = c.place(path);
    c.out.push(diag('SID3013', p.loc, { detail, example }, { related: p.related }));
  };
  if (!c.isSet('monitor.every')) {
    for (const k of ['monitor.metrics', 'monitor.samples', 'monitor.steps', 'monitor.keep']) {
      if (c.isSet(k))
        err(
          k,
          `\`${k}\` has no effect: the monitor is off until monitor.every is set`,
          'add `monitor.every = 2k images` (how often to score the generator) or remove the setting',
        );
    }
    return;
  }
  if (!c.recipe.stages.some((s) => s.name === 'sid' || s.name === 'adversarial')) {
    const p = c.place('monitor.every');
    c.out.push(diag('SID3020', p.loc, { path: 'monitor.every', stage: 'sid', after: '' }, { related: p.related }));
    return;
  }
  const family = c.str('teacher.family');
  const info = family ? FAMILIES[family] : undefined;
  if (!family || !info) return;
  const kind = family === 'dit' ? 'image' : info.layout === 'vector' ? 'vector' : undefined;
  if (!kind) {
    err(
      'monitor.every',
      `the runtime measures nothing during training for a ${family} teacher: the monitor scores dit teachers (fid, alignment) and vector teachers (energy, sliced_w1, coverage, precision)`,
      'remove the monitor section',
    );
    return;
  }
  const allowed = MONITOR_METRICS_OF[kind];
  const listed = c.get('monitor.metrics');
  const metrics = Array.isArray(listed) ? listed.map(String) : [...allowed];
  for (const m of metrics) {
    if (!allowed.includes(m)) err('monitor.metrics', `monitor.metrics names ${m}, which is not measured for a ${family} teacher`, `use ${allowed.join(', ')}`);
  }
  const keep = c.get('monitor.keep');
  for (const rule of Array.isArray(keep) ? keep.map(String) : []) {
    const m = /^best\((\w+)\)$/.exec(rule)?.[1];
    if (m && !metrics.includes(m)) {
      err(
        'monitor.keep',
        `monitor.keep has ${rule}, but ${m} is not monitored (monitor.metrics: ${metrics.join(', ')})`,
        allowed.includes(m) ? `add ${m} to monitor.metrics or remove ${rule}` : `keep last or best(m) of ${allowed.join(', ')}`,
      );
    }
  }
  const steps = c.num('monitor.steps');
  const trained = c.num('generator.steps');
  if (steps !== undefined && trained !== undefined && steps > trained)
    err(
      'monitor.steps',
      `monitor.steps = ${steps} is more than the ${trained} steps the generator is trained for (generator.steps)`,
      `write at most ${trained}`,
    );
}

export const RULES: readonly ((c: CheckContext) => void)[] = [
  batch,
  bf16Eps,
  guidance,
  intervals,
  timeScale,
  everyVsLength,
  resolution,
  vectorTeacher,
  adversarial,
  teach,
  teacherConfigName,
  typicalRanges,
  monitor,
  engineHardware,
  ...LAUNCHER_RULES,
];
