// The JSON Schema (draft-07) of the YAML/JSON recipe form, GENERATED from the settings table
// (settings.ts) and the distribution/weighting registries, so the two cannot drift apart.
// It covers names, types, units (numbers in the setting's unit), ranges and enums; cross-field rules
// (batch product, bf16 eps, FLUX guidance, ...) are the checker's (SID3xxx).
import { DISTRIBUTIONS } from '../recipe/distributions.js';
import { SECTIONS, SETTINGS, STAGE_KINDS, WEIGHTINGS, type SettingType } from '../recipe/settings.js';
import { WEIGHT_FUNCTIONS } from '../recipe/weightings.js';

type Schema = Record<string, unknown>;

const numberSchema = (t: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean; unit?: string }): Schema => {
  const s: Schema = { type: t.integer ? 'integer' : 'number' };
  if (t.min !== undefined) s[t.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = t.min;
  if (t.max !== undefined) s.maximum = t.max;
  return s;
};

function typeSchema(t: SettingType): Schema {
  switch (t.kind) {
    case 'number':
      return numberSchema(t);
    case 'string':
      return { type: 'string' };
    case 'path':
      return { type: 'string', minLength: 1 };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...t.values] };
    case 'interval':
      return { $ref: '#/definitions/interval' };
    case 'list':
      return { type: 'array', items: typeSchema(t.of) };
    case 'distribution':
      return { $ref: '#/definitions/distribution' };
    case 'weighting':
      return { $ref: '#/definitions/weighting' };
    case 'devices':
      return { $ref: '#/definitions/devices' };
    case 'guidance':
      return { $ref: '#/definitions/guidance' };
    case 'text':
      return { $ref: '#/definitions/text' };
  }
}

function definitions(): Schema {
  const interval = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: 'An interval [lo, hi] of t.' };
  return {
    axes: {
      type: 'object',
      description: 'Setting path -> list of values (canonical JSON).',
      propertyNames: { enum: SETTINGS.map((s) => s.path) },
      additionalProperties: { type: 'array' },
    },
    interval,
    distribution: {
      description: 'A time distribution p(t) (compiler/recipe/distributions.ts).',
      oneOf: DISTRIBUTIONS.map((d) => ({
        type: 'object',
        description: d.doc,
        properties: {
          kind: { const: d.name },
          interval: { $ref: '#/definitions/interval' },
          ...Object.fromEntries(d.params.map((p) => [p.name, { ...numberSchema(p), description: p.doc, default: p.default }])),
        },
        required: ['kind'],
        additionalProperties: false,
      })),
    },
    weightExpr: {
      oneOf: [
        { type: 'number' },
        { type: 'object', properties: { var: { const: 't' } }, required: ['var'], additionalProperties: false },
        {
          type: 'object',
          properties: {
            op: { enum: ['+', '-', '*', '/', '^'] },
            args: { type: 'array', items: { $ref: '#/definitions/weightExpr' }, minItems: 2, maxItems: 2 },
          },
          required: ['op', 'args'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            op: { enum: ['neg', ...WEIGHT_FUNCTIONS] },
            args: { type: 'array', items: { $ref: '#/definitions/weightExpr' }, minItems: 1, maxItems: 1 },
          },
          required: ['op', 'args'],
          additionalProperties: false,
        },
      ],
    },
    weighting: {
      oneOf: [
        { type: 'object', properties: { name: { enum: [...WEIGHTINGS] } }, required: ['name'], additionalProperties: false },
        { type: 'object', properties: { expr: { $ref: '#/definitions/weightExpr' } }, required: ['expr'], additionalProperties: false },
      ],
    },
    devices: {
      type: 'object',
      properties: {
        count: { type: 'integer', minimum: 1 },
        kind: { enum: ['gpu', 'cpu'] },
        memory_gb: { type: 'number', exclusiveMinimum: 0 },
        tflops: { type: 'number', exclusiveMinimum: 0 },
      },
      required: ['count', 'kind', 'memory_gb'],
      additionalProperties: false,
    },
    guidance: {
      type: 'object',
      properties: { mode: { enum: ['cfg', 'embedded', 'none'] }, scale: { type: 'number', minimum: 0 } },
      required: ['mode', 'scale'],
      additionalProperties: false,
    },
    text: {
      oneOf: [
        {
          type: 'object',
          properties: { mode: { const: 'precomputed' }, path: { type: 'string', minLength: 1 } },
          required: ['mode', 'path'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { mode: { const: 'encoder' }, tokens: { type: 'integer', minimum: 2 } },
          required: ['mode'],
          additionalProperties: false,
        },
        { type: 'object', properties: { mode: { const: 'labels' } }, required: ['mode'], additionalProperties: false },
      ],
    },
  };
}

function sectionProperties(): Record<string, Schema> {
  const props: Record<string, Schema> = {};
  for (const sec of SECTIONS) {
    const settings = SETTINGS.filter((s) => s.path.startsWith(sec.name + '.'));
    props[sec.name] = {
      type: 'object',
      description: sec.doc,
      properties: Object.fromEntries(
        settings.map((s) => {
          const t = typeSchema(s.type);
          const doc = s.doc + (s.ref ? ` (${s.ref})` : '') + (s.type.kind === 'number' && s.type.unit ? ` Unit: ${s.type.unit}.` : '');
          return [
            s.path.slice(sec.name.length + 1),
            { ...(t.$ref ? { allOf: [t] } : t), description: doc, ...(s.default !== undefined ? { default: s.default } : {}) },
          ];
        }),
      ),
      additionalProperties: false,
    };
  }
  return props;
}

export function recipeSchema(): Schema {
  const sections = sectionProperties();
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://sidc.dev/schema/recipe.json',
    title: 'sidc recipe (YAML/JSON form)',
    description: 'The same recipe as a .sid file, written with the canonical JSON values of compiler/recipe/settings.ts. Generated from the settings table.',
    type: 'object',
    properties: {
      recipe: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Recipe name (default: the file name).' },
      abstract: { type: 'boolean', description: 'An abstract recipe is a base for others; required settings are not enforced.' },
      extends: { type: 'string', description: 'Name of the base recipe (from an imported file).' },
      imports: { type: 'array', items: { type: 'string' }, description: 'Files to import, relative to this file (.sid, .yaml or .json).' },
      ...sections,
      sweeps: {
        type: 'object',
        description:
          'Sweeps over a recipe: { fig3: { over: sana_600m_512, axes: { time.interval: [[0, 0.333], [0.333, ' +
          '0.667]] } } }. Keys of `axes` combine as a grid; `grid` and `zip` list groups of axes (zip: equal ' +
          'lengths, tied).',
        additionalProperties: {
          type: 'object',
          properties: {
            over: { type: 'string' },
            axes: { $ref: '#/definitions/axes' },
            grid: { type: 'array', items: { $ref: '#/definitions/axes' } },
            zip: { type: 'array', items: { $ref: '#/definitions/axes' } },
          },
          required: ['over'],
          additionalProperties: false,
        },
      },
      stages: {
        type: 'object',
        description: 'Stages and their per-stage overrides: { adversarial: { after: [sid], optimizer: { lr: 1e-6 } } }.',
        propertyNames: { enum: [...STAGE_KINDS] },
        additionalProperties: {
          type: 'object',
          properties: { after: { type: 'array', items: { type: 'string' } }, ...sections },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
    definitions: definitions(),
  };
}
