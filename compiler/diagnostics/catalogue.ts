// The one catalogue of diagnostics. Every stage reports through `diag(code, ...)` (make.ts) with a code
// from here; the message and help are templates whose `{placeholders}` are filled from the arguments.
// test/compiler/diagnostics/catalogue.test.ts checks codes are unique, well-formed, and all used.
//
// Ranges: SID1xxx syntax (lexer, parser, YAML/JSON text), SID2xxx names, types and units,
// SID3xxx semantics (cross-field rules of the paper), SID4xxx plan and resources, SID5xxx sweeps.
import type { Severity } from './types.js';

interface CatalogueEntry {
  severity: Severity;
  message: string;
  help?: string;
}

export const CATALOGUE = {
  // --- 1xxx syntax ------------------------------------------------------------------------------------
  SID1001: { severity: 'error', message: 'invalid character {found}', help: 'remove it; .sid accepts identifiers, numbers, strings, operators and comments' },
  SID1002: { severity: 'error', message: 'unterminated string', help: 'close the string with `"` on the same line' },
  SID1003: { severity: 'error', message: 'unterminated block comment', help: 'close the comment with `*/`' },
  SID1004: { severity: 'error', message: 'invalid number {found}', help: 'write digits with an optional fraction, exponent and k/M suffix: `1e-5`, `10k`' },
  SID1005: { severity: 'error', message: '{detail}' },
  SID1006: { severity: 'error', message: '{detail}' },
  SID1007: { severity: 'error', message: 'unexpected end of file{detail}', help: 'a block or list is not closed' },
  SID1008: {
    severity: 'error',
    message: '{detail}',
    help: 'flatten it: name intermediate values as settings, or split the expression; recipes never need this depth',
  },
  SID1009: { severity: 'error', message: 'not a recipe: {reason}', help: 'give a .sid, .yaml or .json recipe (UTF-8 text)' },
  SID1010: { severity: 'error', message: 'invalid {format}: {detail}' },
  SID1011: { severity: 'error', message: 'invalid --set argument `{arg}`: expected key=value', help: 'write e.g. `--set optimizer.lr=1e-5`' },
  // --- 2xxx names, types, units -------------------------------------------------------------------
  SID2001: { severity: 'error', message: 'unknown section `{name}`{hint}', help: 'sections are: {known}' },
  SID2002: { severity: 'error', message: 'unknown setting `{path}`{hint}', help: '{known}' },
  SID2003: { severity: 'error', message: '`{path}` needs a unit: it is measured in {unit}', help: 'write `{value} {unit}`' },
  SID2004: { severity: 'error', message: '`{path}` is measured in {expected}, not {found}', help: 'write the value in {expected}' },
  SID2005: { severity: 'error', message: '`{path}` expects {expected}, found {found}', help: '{example}' },
  SID2006: { severity: 'error', message: '`{value}` is not a valid {path}{hint}', help: 'expected one of: {values}' },
  SID2007: { severity: 'error', message: '`{path}` = {value} is out of range: it must be {constraint}' },
  SID2008: { severity: 'error', message: '`{path}` must be a whole number, found {value}' },
  SID2009: { severity: 'error', message: 'unknown function `{name}`{hint}', help: 'known here: {known}' },
  SID2010: { severity: 'error', message: '`{name}` takes {expected}, found {found}' },
  SID2011: { severity: 'error', message: 'unknown weighting `{name}`{hint}', help: 'named weightings: {known}; or write `w(t) = <expression of t>`' },
  SID2012: {
    severity: 'error',
    message: 'unknown name `{name}` in an expression of `{param}`',
    help: 'a weighting may only use its variable `{param}`, numbers, + - * / ^ and ln, exp, sqrt',
  },
  SID2013: { severity: 'error', message: 'unknown recipe `{name}`{hint}', help: 'recipes visible here: {known}' },
  SID2014: { severity: 'error', message: 'cannot read `{path}`: {reason}', help: 'import paths are relative to the importing file' },
  SID2015: { severity: 'error', message: 'no recipe or sweep named `{name}` in {file}{hint}', help: 'available: {known}' },
  SID2016: { severity: 'error', message: '`{path}` takes no unit, found `{unit}`', help: 'remove `{unit}`' },
  SID2017: { severity: 'error', message: 'unknown stage kind `{name}`{hint}', help: 'stages are: {known}' },
  SID2018: { severity: 'error', message: '`{path}` applies only to {families} teachers, not `{family}`', help: 'remove it or change teacher.family' },
  SID2019: { severity: 'error', message: 'recipe `{name}` is defined twice', help: 'rename one of them' },
  SID2020: { severity: 'error', message: 'unknown distribution `{name}`{hint}', help: 'distributions: {known}' },
  SID2021: { severity: 'error', message: 'the expression does not give a finite number ({detail})' },
  SID2022: { severity: 'error', message: 'cannot apply `{op}` to {left} and {right}' },
  SID2023: { severity: 'error', message: 'section `{name}` takes {expected}', help: '{example}' },
  SID2024: {
    severity: 'error',
    message: 'function definition `{name}({param})` is not a setting',
    help: 'only the weighting can be defined as a function: `w(t) = 1 - t`',
  },
  SID2025: { severity: 'error', message: 'unknown value `{name}`{hint}', help: '{known}' },
  SID2026: { severity: 'error', message: 'a recipe cannot extend the sweep `{name}`', help: 'extend a recipe; sweeps are expanded from recipes' },
  SID2027: {
    severity: 'error',
    message: 'import `{spec}` resolves outside the project root `{root}`',
    help: 'imports stay inside the project (the nearest folder above the root recipe with package.json or .git); pass `--root DIR` to widen it',
  },
  // --- 3xxx semantics -----------------------------------------------------------------------------
  SID3001: { severity: 'error', message: 'recipe `{recipe}` does not set required `{path}`', help: '{example}' },
  SID3002: {
    severity: 'error',
    message: 'batch.global = {global} but {count} devices x {per_device} per device x {accumulate} accumulation rounds = {product}',
    help: 'make batch.global = {product}, or change per_device/accumulate so their product with the device count is {global}',
  },
  SID3003: {
    severity: 'error',
    message:
      'pure bf16 with optimizer.eps = {eps}: the paper (Section 4, Table 4) raises eps to 1e-4 in pure bf16 ' +
      '"to avoid gradient underflow"; measured with real bf16 (torch engine, MNIST DiT, lr 1e-5: ' +
      '`npm run bench -- bf16-torch`, README "Pure BF16 and Adam\'s eps") eps 1e-8 and 1e-4 change 6.73% and 6.67% ' +
      "of G's weights per step, with no non-finite gradient - eps only shrinks lr*m/(sqrt(v)+eps); the lr decides " +
      'how many bf16 weights move (lr 1e-6: 0.50% per step)',
    help: "write `optimizer.eps = 1e-4` as in Table 4, or set `precision.allow_small_eps = true` to keep it on purpose (as Table 4's SiD2a rows do)",
  },
  SID3004: {
    severity: 'error',
    message: 'FLUX.1-dev has no unconditional branch; `{path}` = cfg({scale}) needs one (paper Section 4.4)',
    help: 'use the learned guidance embedding: `{path} = embedded({scale})`',
  },
  SID3005: { severity: 'error', message: 'interval ({lo}, {hi}) {problem}', help: 'write an interval (lo, hi) with 0 <= lo < hi <= 1' },
  SID3006: {
    severity: 'error',
    message: 'teacher.time_scale = {value} does not match a {family} teacher trained with {objective}, which expects {expected} (docs/algorithm.md Section 1)',
    help: 'remove teacher.time_scale (it is derived) or write `teacher.time_scale = {expected}`',
  },
  SID3007: {
    severity: 'error',
    message: 'the adversarial stage needs real images but data.images is not set (docs/algorithm.md Section 6)',
    help: 'write `data.images = "<latents or dataset>"`',
  },
  SID3008: { severity: 'error', message: 'stage `{stage}` runs after unknown stage `{name}`{hint}', help: 'stages declared: {known}' },
  SID3009: { severity: 'error', message: 'stages form a cycle: {cycle}', help: 'remove one `after` so the stages can run in order' },
  SID3010: { severity: 'error', message: '`{path}` is set twice in the same block', help: 'remove one of the two assignments' },
  SID3011: { severity: 'warning', message: '`{path}` = {every} is longer than {lengthPath} = {length}: it never happens', help: 'make it at most {length}' },
  SID3012: {
    severity: 'error',
    message: 'data.resolution = {resolution} px is not a multiple of {multiple} px ({family}: downsample {down} x patch {patch})',
    help: 'use {lower} px or {upper} px',
  },
  SID3013: { severity: 'error', message: '{detail}', help: '{example}' },
  SID3014: { severity: 'error', message: 'recipe `{name}` extends itself through {cycle}', help: 'remove one `extends`' },
  SID3015: { severity: 'error', message: 'import cycle: {cycle}', help: 'remove one of the imports' },
  SID3016: { severity: 'error', message: 'stage `{name}` is declared twice' },
  SID3017: {
    severity: 'error',
    message: '`{path}` = embedded({scale}) needs a teacher with a guidance embedding (flux, or a SANA-Sprint checkpoint), not `{family}`',
    help: 'write `{path} = cfg({scale})`',
  },
  SID3018: {
    severity: 'error',
    message: 'adversarial.switch = {switch} comes before adversarial.warmup = {warmup}',
    help: 'the generator must be unfrozen (warmup) before the adversarial loss switches on',
  },
  SID3019: {
    severity: 'error',
    message: 'generator.init = "{init}" names no stage of this recipe and is not a checkpoint path',
    help: 'use "teacher", a stage name ({known}), or a path',
  },
  SID3020: {
    severity: 'warning',
    message: '`{path}` has no effect: the recipe has no `{stage}` stage',
    help: 'add `stage {stage}{after} { ... }` or remove the setting',
  },
  SID3021: { severity: 'error', message: 'the teach stage trains a teacher from data, but {detail}', help: '{example}' },
  SID3022: { severity: 'error', message: 'text conditioning `{mode}` does not fit a {family} teacher: {detail}', help: '{example}' },
  SID3024: {
    severity: 'error',
    message: 'the time distribution{restricted} leaves no probability on time.interval ({lo}, {hi})',
    help: "widen time.interval or the distribution's `on (lo, hi)` so they overlap",
  },
  SID3025: { severity: 'warning', message: '`{path}` names {resolved}, which does not exist', help: '{help}' },
  SID3026: {
    severity: 'error',
    message: "teacher.checkpoint holds a {found} teacher ({what}, {where}) but the recipe's teacher is {family}",
    help: 'write `teacher {found} { ... }` if that is the teacher to distil, or point teacher.checkpoint at a {family} checkpoint',
  },
  SID3027: { severity: 'error', message: 'teacher.checkpoint {resolved} cannot be loaded as a {family} teacher: {detail}', help: '{help}' },
  SID3028: { severity: 'error', message: 'the text encodings {file} do not fit the teacher: {detail}', help: '{help}' },
  SID3029: { severity: 'error', message: 'the text encodings {file} cannot be used: {detail}', help: '{help}' },
  SID3030: { severity: 'error', message: 'teacher.vae {resolved} does not fit the teacher: {detail}', help: '{help}' },
  SID3031: {
    severity: 'warning',
    message: '{what} is outside the typical range {range}',
    help: 'the paper uses {paper} ({ref}); check for a typo, or keep it if you mean it',
  },
  SID3032: {
    severity: 'warning',
    message: 'the file declares no recipe or sweep: there is nothing to check',
    help: 'write `recipe NAME { ... }` (docs/language.md), or check the file that imports this one',
  },
  SID3033: {
    severity: 'error',
    message: 'launcher.time = "{value}" is not a Slurm time limit',
    help: 'write minutes or [D-]HH:MM:SS as sbatch --time takes them: "90", "4:00:00", "2-00:00:00"',
  },
  SID3034: { severity: 'error', message: '{detail}', help: '{example}' },
  SID3035: {
    severity: 'error',
    message: 'launcher.sbatch line {line} {problem}',
    help: 'write one option per element, e.g. ["--constraint=a100", "--exclusive"]',
  },
  SID3036: { severity: 'error', message: '`{setting}` cannot run on the {engine} engine: {detail}', help: '{help}' },
  SID3037: {
    severity: 'error',
    message: "`data.text = encoder` runs the teacher's text encoders, but {root} has no {missing}",
    help: '{help}',
  },
  // --- 4xxx plan and resources --------------------------------------------------------------------
  SID4001: { severity: 'error', message: 'the run needs {need} GB per device but {kind} has {have} GB', help: '{advice}' },
  SID4002: { severity: 'warning', message: '{detail}' },
  SID4003: { severity: 'error', message: 'unknown teacher config `{name}`{hint}', help: 'known configs: {known}' },
  SID4004: { severity: 'info', message: '{detail}' },
  // --- 5xxx sweeps --------------------------------------------------------------------------------
  SID5001: { severity: 'error', message: 'sweep `{sweep}` is over unknown recipe `{name}`{hint}', help: 'recipes visible here: {known}' },
  SID5002: {
    severity: 'error',
    message: 'zip axes must have equal lengths: `{first}` has {n1} values, `{second}` has {n2}',
    help: 'give every axis of a zip group the same number of values, or use grid',
  },
  SID5003: {
    severity: 'error',
    message: 'sweep points {a} and {b} are the same recipe ({values})',
    help: 'remove one of the values; duplicate points would run twice',
  },
  SID5004: { severity: 'error', message: 'sweep axis `{path}` has no values' },
  SID5005: { severity: 'error', message: '`{path}` is swept twice in sweep `{sweep}`', help: 'put both value lists in one axis or use zip' },
  SID5006: { severity: 'error', message: 'sweep `{sweep}` has {count} points, more than the limit of {limit}', help: 'split the sweep' },
  SID5007: { severity: 'error', message: 'sweep `{sweep}` has no axes', help: 'add e.g. `time.interval in [(0, 1/3), (1/3, 2/3)]`' },
} as const satisfies Record<string, CatalogueEntry>;

export type Code = keyof typeof CATALOGUE;

/** Fill `{name}` placeholders; unknown placeholders are left visible so a test can catch them. */
export function fill(template: string, args: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in args ? String(args[k]) : m));
}
