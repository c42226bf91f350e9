// The opt-in file checks (CompileOptions.files; set by `sidc check`, `compile`, `plan` and `run`, never by
// the language server, whose per-recipe cache assumes checks read nothing but recipes - incremental.ts).
// For the files a recipe points at - teacher.checkpoint, data.text = precomputed(PATH), teacher.vae - it
// reads config.json files and safetensors JSON headers only (never tensor data) and reports, at the value
// in the recipe:
//   SID3025  the file does not exist (a warning: the paper recipes name checkpoints a user downloads later)
//   SID3026  the checkpoint holds another family's teacher than `teacher FAMILY`
//   SID3027  the checkpoint cannot be loaded as one (no config.json, unknown _class_name, no weights, ...)
//   SID3028  the text table's widths differ from what the teacher takes (docs/text-encodings.md)
//   SID3029  the text table is not the documented layout (no empty prompt, rows != prompts, ...)
//   SID3030  the VAE is not the teacher's (class, latent channels)
//   SID3037  data.text = encoder, and the checkpoint lacks the family's text encoder / tokenizer folders
// and, for data.text = encoder, SID3025 for a data.prompts file that does not exist.
// What the teacher takes comes from the checkpoint's config.json; when the recipe names no checkpoint, from
// the teacher registry (compiler/teachers, teacher.config or the family's default); when it names one that
// is missing or unusable, it is unknown and the widths are not compared (that finding comes first). The rules mirror the runtime's
// loaders (runtime/tfjs/families/config.ts, text.ts, load.ts; runtime/tfjs/loop/family-stage.ts, dit-stage.ts), which
// the compiler may not import; test/compiler/check/files.test.ts writes files with the runtime's writers.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { diag } from '../diagnostics/make.js';
import type { Related } from '../diagnostics/types.js';
import { ENCODER_FOLDERS } from '../teachers/encoder-folders.js';
import { teacherFor } from '../teachers/registry.js';
import type { TeacherFamily } from '../teachers/types.js';
import type { CheckContext } from './context.js';
import { readSafetensorsHeader, type SafetensorsHeader } from '../../common/safetensors-header.js';
import { SafetensorsError } from '../../common/safetensors-error.js';

type TextFamily = 'sana' | 'sd3' | 'flux';

/** diffusers transformer classes the runtime loads (runtime/tfjs/families/config.ts CLASS_NAMES). */
const TRANSFORMER_CLASSES: Readonly<Record<string, TextFamily>> = {
  SanaTransformer2DModel: 'sana',
  SD3Transformer2DModel: 'sd3',
  FluxTransformer2DModel: 'flux',
};

/** The VAE class of each family (docs/algorithm.md §7: DC-AE for SANA, 16-channel AutoencoderKL for SD3/FLUX). */
const VAE_CLASSES: Readonly<Record<TextFamily, string>> = { sana: 'AutoencoderDC', sd3: 'AutoencoderKL', flux: 'AutoencoderKL' };

const isTextFamily = (f: string): f is TextFamily => f === 'sana' || f === 'sd3' || f === 'flux';

/** What the teacher takes, and where that was read (for the messages and a related note). */
interface Expectation {
  /** width of prompt_embeds (text_dim) */
  seq: number;
  seqKey: string;
  /** width of pooled_prompt_embeds; 0: the teacher takes none */
  pooled: number;
  pooledKey: string;
  /** latent channels the VAE must decode */
  latent: number;
  /** "config.json /x/transformer/config.json" or "registry config sd3_medium" */
  source: string;
  related: Related[];
}

/** Widths from a transformer config.json, with the diffusers __init__ defaults the runtime uses. */
function fromConfig(family: TextFamily, j: Record<string, unknown>): Pick<Expectation, 'seq' | 'seqKey' | 'pooled' | 'pooledKey' | 'latent'> {
  const n = (k: string, d: number): number => (typeof j[k] === 'number' ? (j[k] as number) : d);
  if (family === 'sana') return { seq: n('caption_channels', 2304), seqKey: 'caption_channels', pooled: 0, pooledKey: '', latent: n('in_channels', 32) };
  if (family === 'sd3')
    return {
      seq: n('joint_attention_dim', 4096),
      seqKey: 'joint_attention_dim',
      pooled: n('pooled_projection_dim', 2048),
      pooledKey: 'pooled_projection_dim',
      latent: n('in_channels', 16),
    };
  // FLUX packs 2x2 latent patches: in_channels = 4 x latent channels
  return {
    seq: n('joint_attention_dim', 4096),
    seqKey: 'joint_attention_dim',
    pooled: n('pooled_projection_dim', 768),
    pooledKey: 'pooled_projection_dim',
    latent: n('in_channels', 64) / 4,
  };
}

type Read<T> = { ok: true; value: T } | { ok: false; error: string };

/** What a checkpoint path holds, as far as config.json and headers tell. */
interface Probe {
  kind: 'dir' | 'file';
  /** the family it holds, when it could tell */
  family?: TeacherFamily;
  /** the class or file kind it saw, for messages */
  what?: string;
  /** the transformer config (diffusers folders) */
  config?: Record<string, unknown>;
  /** the file that told (config.json, model_index.json, the .safetensors file) */
  where: string;
  problem?: { detail: string; help: string };
  /** a .safetensors file whose header could not be read */
  headerError?: string;
}

/** One compile's file checks; reads are memoised, so a sweep or a file of many recipes reads each file once. */
export class FileChecks {
  private readonly jsons = new Map<string, Read<unknown>>();
  private readonly headers = new Map<string, Read<SafetensorsHeader>>();

  /** `root`: the compiled recipe file (relative paths resolve beside it, as the runtime's recipePath). */
  constructor(readonly root: string) {}

  /** runtime/tfjs/loop/dit-stage.ts recipePath: beside the recipe when the file exists there, else from the cwd. */
  resolvePath(p: string): string {
    if (isAbsolute(p)) return p;
    const beside = resolve(dirname(this.root), p);
    return existsSync(beside) ? beside : resolve(p);
  }

  private json(path: string): Read<unknown> {
    let r = this.jsons.get(path);
    if (!r) {
      try {
        r = { ok: true, value: JSON.parse(readFileSync(path, 'utf8')) as unknown };
      } catch (e) {
        r = { ok: false, error: (e as Error).message };
      }
      this.jsons.set(path, r);
    }
    return r;
  }

  private header(path: string): Read<SafetensorsHeader> {
    let r = this.headers.get(path);
    if (!r) {
      try {
        r = { ok: true, value: readSafetensorsHeader(path) };
      } catch (e) {
        // the detail only: the check's message names the file itself
        r = { ok: false, error: e instanceof SafetensorsError ? e.detail : (e as Error).message };
      }
      this.headers.set(path, r);
    }
    return r;
  }

  check(c: CheckContext): void {
    const family = c.str('teacher.family');
    if (!family) return;
    // a recipe with a teach stage trains its teacher (docs/algorithm.md §2 needs it frozen only afterwards): no file to read
    const trained = c.recipe.stages.some((s) => s.name === 'teach');
    const fromCheckpoint = !trained && (family === 'dit' || isTextFamily(family)) ? this.checkpoint(c, family as TeacherFamily) : undefined;
    if (!isTextFamily(family)) return;
    // The registry speaks for the teacher only when no checkpoint is named: the runtime builds the teacher from
    // the checkpoint's config.json, so a named one that is missing or unusable leaves the widths unknown.
    const expect = fromCheckpoint ?? (c.str('teacher.checkpoint') === undefined ? this.fromRegistry(c, family) : undefined);
    this.text(c, family, expect);
    if (c.obj('data.text')?.mode === 'encoder') this.encoders(c, family, fromCheckpoint !== undefined);
    this.vae(c, family, expect);
  }

  /** data.text = encoder: the prompt file exists, and a checkpoint that loads has the family's encoder folders. */
  private encoders(c: CheckContext, family: TextFamily, loaded: boolean): void {
    const prompts = c.str('data.prompts');
    if (prompts !== undefined) {
      const resolved = this.resolvePath(prompts);
      if (!existsSync(resolved)) {
        const p = c.place('data.prompts');
        const help = 'write the prompts there, one a line (data.text = encoder encodes them), or correct the path';
        c.out.push(diag('SID3025', p.loc, { path: 'data.prompts', resolved, help }, { related: p.related }));
      }
    }
    const raw = c.str('teacher.checkpoint');
    if (!loaded || raw === undefined) return;
    const given = this.resolvePath(raw);
    // a checkpoint naming the transformer/ folder itself has its encoders beside it, in the model root
    const root = !existsSync(join(given, 'transformer')) && existsSync(join(given, 'config.json')) ? dirname(given) : given;
    const missing = ENCODER_FOLDERS[family].filter((f) => !existsSync(join(root, f)));
    if (missing.length === 0) return;
    const p = c.place('data.text');
    const help =
      'download the full diffusers repository (not only transformer/), or encode the prompts elsewhere with `sidc encode-prompts` and ' +
      `write \`data.text = precomputed("DIR")\`; \`sidc make-tiny ${family} DIR --encoders\` writes tiny ones`;
    c.out.push(diag('SID3037', p.loc, { root, missing: missing.map((f) => `${f}/`).join(', '), help }, { related: p.related }));
  }

  private fromRegistry(c: CheckContext, family: TextFamily): Expectation | undefined {
    const t = teacherFor(family, c.str('teacher.config'));
    if (!t) return undefined; // an unknown teacher.config is SID4003 already
    const a = t.arch;
    const w =
      a.kind === 'sana'
        ? { seq: a.caption_channels, seqKey: 'caption_channels', pooled: 0, pooledKey: '' }
        : a.kind === 'mmdit' || a.kind === 'flux'
          ? { seq: a.joint_attention_dim, seqKey: 'joint_attention_dim', pooled: a.pooled_projection_dim, pooledKey: 'pooled_projection_dim' }
          : undefined;
    if (!w) return undefined;
    const p = c.place('teacher.config', c.place('teacher.family').loc);
    const note = c.isSet('teacher.config')
      ? `the widths come from the teacher registry's ${t.name} (teacher.config) since no checkpoint was read`
      : `the widths come from the teacher registry's ${t.name}, the default ${family} config, since no checkpoint was read`;
    return { ...w, latent: t.latent_channels, source: `registry config ${t.name}`, related: [{ loc: p.loc, message: note }] };
  }

  /** Probe what `path` (which exists) holds. */
  private probe(path: string): Probe {
    if (statSync(path).isDirectory()) {
      const inT = join(path, 'transformer', 'config.json');
      const own = join(path, 'config.json');
      const index = join(path, 'model_index.json');
      if (existsSync(inT) || existsSync(own)) {
        const file = existsSync(inT) ? inT : own;
        const j = this.json(file);
        if (!j.ok)
          return {
            kind: 'dir',
            where: file,
            problem: { detail: `${file} is not valid JSON (${j.error})`, help: 'use the config.json that came with the checkpoint' },
          };
        const cfg = j.value && typeof j.value === 'object' && !Array.isArray(j.value) ? (j.value as Record<string, unknown>) : {};
        const cls = cfg._class_name;
        const family = typeof cls === 'string' ? TRANSFORMER_CLASSES[cls] : undefined;
        if (!family) {
          return {
            kind: 'dir',
            where: file,
            ...(typeof cls === 'string' ? { what: cls } : {}),
            problem: {
              detail: `${file} has "_class_name" ${JSON.stringify(cls)}, not a transformer sidc loads (${Object.keys(TRANSFORMER_CLASSES).join(', ')})`,
              help: 'point teacher.checkpoint at the model folder that holds transformer/config.json, or at that transformer/ folder',
            },
          };
        }
        const tdir = dirname(file);
        const weights = readdirSync(tdir).some((f) => f.endsWith('.safetensors') || f.endsWith('.safetensors.index.json'));
        const problem = weights
          ? undefined
          : {
              detail: `${tdir} has config.json but no .safetensors weights or .safetensors.index.json`,
              help: 'download the transformer weights beside its config.json (diffusers layout)',
            };
        return { kind: 'dir', where: file, family, what: cls as string, config: cfg, ...(problem ? { problem } : {}) };
      }
      if (existsSync(index)) {
        const j = this.json(index);
        const t = j.ok && j.value && typeof j.value === 'object' ? (j.value as Record<string, unknown>).transformer : undefined;
        const cls = Array.isArray(t) && typeof t[1] === 'string' ? t[1] : undefined;
        const family = cls ? TRANSFORMER_CLASSES[cls] : undefined;
        return {
          kind: 'dir',
          where: index,
          ...(family ? { family, what: cls } : {}),
          problem: {
            detail: `${path} has model_index.json but no transformer/config.json`,
            help: 'download the transformer/ folder too (config.json and its safetensors)',
          },
        };
      }
      return {
        kind: 'dir',
        where: path,
        problem: {
          detail: `${path} is not a diffusers model folder: it has no transformer/config.json, config.json or model_index.json`,
          help: 'point teacher.checkpoint at the model root (with transformer/) or at its transformer/ folder',
        },
      };
    }
    const h = this.header(path);
    if (!h.ok) return { kind: 'file', where: path, headerError: h.error };
    const cfg = h.value.metadata.config;
    let dit = false;
    try {
      const j = JSON.parse(cfg ?? 'null') as unknown;
      dit = !!j && typeof j === 'object' && !Array.isArray(j);
    } catch {
      dit = false;
    }
    return dit ? { kind: 'file', where: path, family: 'dit', what: 'DiT teacher file' } : { kind: 'file', where: path };
  }

  /** teacher.checkpoint: exists, holds the recipe's family, loads; returns the widths its config gives. */
  private checkpoint(c: CheckContext, family: TeacherFamily): Expectation | undefined {
    const raw = c.str('teacher.checkpoint');
    if (raw === undefined) return undefined;
    const p = c.place('teacher.checkpoint');
    const path = this.resolvePath(raw);
    if (!existsSync(path)) {
      const help =
        family === 'dit'
          ? 'train one with `sidc run examples/mnist-teacher.sid` (docs/dit.md), or correct the path (relative paths: beside the recipe when the file is there, else from the current directory)'
          : `point it at a diffusers model folder (transformer/config.json + safetensors); \`sidc make-tiny ` +
            `${family} DIR\` writes a tiny one (relative paths: beside the recipe when the folder is there, else ` +
            `from the current directory)`;
      c.out.push(diag('SID3025', p.loc, { path: 'teacher.checkpoint', resolved: path, help }, { related: p.related }));
      return undefined;
    }
    const found = this.probe(path);
    const bad = (detail: string, help: string): undefined =>
      void c.out.push(diag('SID3027', p.loc, { resolved: path, family, detail, help }, { related: p.related }));
    if (found.family && found.family !== family) {
      c.out.push(diag('SID3026', p.loc, { found: found.family, what: found.what ?? found.family, where: found.where, family }, { related: p.related }));
      return undefined;
    }
    if (found.problem) return bad(found.problem.detail, found.problem.help);
    if (family === 'dit') {
      if (found.kind === 'dir')
        return bad(
          'a dit teacher is one .safetensors file, not a folder',
          'point teacher.checkpoint at the .safetensors file `sidc run examples/mnist-teacher.sid` writes (docs/dit.md)',
        );
      if (found.headerError)
        return bad(
          `not a safetensors file: ${found.headerError}`,
          'point teacher.checkpoint at the .safetensors file `sidc run examples/mnist-teacher.sid` writes (docs/dit.md)',
        );
      if (found.family !== 'dit')
        return bad(
          'its safetensors metadata has no DiT "config": it is not a DiT teacher file',
          'point teacher.checkpoint at the .safetensors file `sidc run examples/mnist-teacher.sid` writes (docs/dit.md)',
        );
      return undefined;
    }
    if (found.kind === 'file')
      return bad(
        `it is a file; a ${family} teacher is a diffusers model folder`,
        'point teacher.checkpoint at the model folder (transformer/config.json + safetensors), not at one of its files',
      );
    const f = family as TextFamily;
    return {
      ...fromConfig(f, found.config!),
      source: found.where,
      related: [{ loc: p.loc, message: `the teacher's widths come from ${found.where} (teacher.checkpoint)` }],
    };
  }

  /** data.text = precomputed(PATH): the table exists, has the documented layout and the teacher's widths. */
  private text(c: CheckContext, family: TextFamily, expect: Expectation | undefined): void {
    const t = c.obj('data.text');
    if (t?.mode !== 'precomputed' || typeof t.path !== 'string') return; // other modes: SID3022 / the runtime
    const p = c.place('data.text');
    const given = this.resolvePath(t.path);
    const file = existsSync(given) && statSync(given).isDirectory() ? join(given, 'text.safetensors') : given;
    if (!existsSync(file)) {
      const help =
        `write the prompts' encodings there (layout: docs/text-encodings.md; \`sidc make-tiny ${family} DIR\` ` +
        `writes a matching tiny table), or correct the path (a folder means FOLDER/text.safetensors; relative ` +
        `paths: beside the recipe when there, else from the current directory)`;
      c.out.push(diag('SID3025', p.loc, { path: 'data.text', resolved: file, help }, { related: p.related }));
      return;
    }
    const layout =
      'write the layout of docs/text-encodings.md (prompt_embeds [N, L, text_dim], optional prompt_attention_mask [N, L], pooled_prompt_embeds [N, P], metadata "prompts")';
    const unusable = (detail: string, help = layout): void => void c.out.push(diag('SID3029', p.loc, { file, detail, help }, { related: p.related }));
    const h = this.header(file);
    if (!h.ok) return unusable(`not a safetensors file (${h.error})`);
    const { tensors, metadata } = h.value;
    const seq = tensors.prompt_embeds;
    if (!seq) return unusable('it has no "prompt_embeds" tensor [N, L, text_dim]');
    if (seq.shape.length !== 3) return unusable(`"prompt_embeds" is [${seq.shape.join(', ')}], not [N, L, text_dim]`);
    const [n, l, dim] = seq.shape as [number, number, number];
    let prompts: string[] | undefined;
    try {
      const v = JSON.parse(metadata.prompts ?? 'null') as unknown;
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) prompts = v as string[];
    } catch {
      prompts = undefined;
    }
    if (!prompts) return unusable('its metadata "prompts" is not a JSON list of the prompt strings, one per row');
    if (prompts.length !== n) unusable(`metadata "prompts" lists ${prompts.length} prompts but prompt_embeds has ${n} rows`);
    if (!prompts.includes(''))
      unusable(
        'the empty prompt "" is not one of its rows',
        'encode the empty prompt "" as one more row: it is the null condition of classifier-free guidance (docs/algorithm.md §1; docs/text-encodings.md)',
      );
    else if (prompts.every((s) => s === ''))
      unusable('it lists only the empty prompt, so there is nothing to distil on', 'add the prompts to distil on as more rows (docs/text-encodings.md)');
    const mask = tensors.prompt_attention_mask;
    if (mask && (mask.shape.length !== 2 || mask.shape[0] !== n || mask.shape[1] !== l))
      unusable(`"prompt_attention_mask" is [${mask.shape.join(', ')}], not [${n}, ${l}] like prompt_embeds`);
    const pooled = tensors.pooled_prompt_embeds;
    if (pooled && (pooled.shape.length !== 2 || pooled.shape[0] !== n)) unusable(`"pooled_prompt_embeds" is [${pooled.shape.join(', ')}], not [${n}, P]`);
    if (!expect) return;
    const teacher = `the ${family} teacher (${expect.source})`;
    const help =
      `encode the prompts with this teacher's text encoders (docs/text-encodings.md, "Widths per teacher") ` +
      `and point data.text at that ` +
      `table${expect.source.startsWith('registry') ? ', or set teacher.checkpoint to the checkpoint these encodings were made for' : ''}`;
    const misfit = (detail: string): void => void c.out.push(diag('SID3028', p.loc, { file, detail, help }, { related: [...p.related, ...expect.related] }));
    if (dim !== expect.seq) misfit(`prompt_embeds are ${dim} wide but ${teacher} takes ${expect.seq} (${expect.seqKey})`);
    if (expect.pooled && !pooled) misfit(`it has no pooled_prompt_embeds but ${teacher} takes [N, ${expect.pooled}] (${expect.pooledKey})`);
    if (expect.pooled && pooled && pooled.shape.length === 2 && pooled.shape[1] !== expect.pooled)
      misfit(`pooled_prompt_embeds are ${pooled.shape[1]} wide but ${teacher} takes ${expect.pooled} (${expect.pooledKey})`);
  }

  /** teacher.vae: exists, is the family's autoencoder and decodes the teacher's latent channels. */
  private vae(c: CheckContext, family: TextFamily, expect: Expectation | undefined): void {
    const raw = c.str('teacher.vae');
    if (raw === undefined) return;
    const p = c.place('teacher.vae');
    const path = this.resolvePath(raw);
    if (!existsSync(path)) {
      c.out.push(
        diag(
          'SID3025',
          p.loc,
          {
            path: 'teacher.vae',
            resolved: path,
            help: `point it at the ${VAE_CLASSES[family]} folder (vae/config.json + safetensors), or remove teacher.vae (latents are saved either way)`,
          },
          { related: p.related },
        ),
      );
      return;
    }
    const bad = (detail: string, help: string): void => void c.out.push(diag('SID3030', p.loc, { resolved: path, detail, help }, { related: p.related }));
    const isDir = statSync(path).isDirectory();
    const file = !isDir ? path : existsSync(join(path, 'vae', 'config.json')) ? join(path, 'vae', 'config.json') : join(path, 'config.json');
    if (!isDir && !path.endsWith('.json'))
      return bad('it is a file; a VAE is a diffusers folder', 'point teacher.vae at the folder with vae/config.json, or at that vae/ folder');
    if (!existsSync(file)) return bad(`it has no vae/config.json or config.json`, 'point teacher.vae at the model root (with vae/) or at its vae/ folder');
    const j = this.json(file);
    if (!j.ok || !j.value || typeof j.value !== 'object')
      return bad(`${file} is not a JSON object${j.ok ? '' : ` (${j.error})`}`, 'use the config.json that came with the VAE');
    const cfg = j.value as Record<string, unknown>;
    const want = VAE_CLASSES[family];
    if (cfg._class_name !== want)
      return bad(
        `${file} has "_class_name" ${JSON.stringify(cfg._class_name)}, but a ${family} teacher's latents are decoded by ${want}`,
        `point teacher.vae at the ${want} that came with the teacher`,
      );
    const ch = typeof cfg.latent_channels === 'number' ? cfg.latent_channels : want === 'AutoencoderKL' ? 4 : 32; // the diffusers __init__ defaults
    if (expect && ch !== expect.latent)
      bad(
        `${file} has latent_channels ${ch} but the teacher (${expect.source}) works on ${expect.latent}-channel latents`,
        'use the VAE that came with the teacher checkpoint',
      );
  }
}
