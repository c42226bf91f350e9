// JSON Schema (draft-07) of the execution graph (types.ts). Ops come from the OPS catalogue, so a graph
// that uses an op the runtime does not implement is rejected. Tests validate every emitted graph.
import { GRAPH_FORMAT, GRAPH_VERSION, OPS } from './types.js';

const dtype = { enum: ['float32', 'bfloat16', 'int32', 'bool', 'string'] };
const edgeRef = { type: 'string', pattern: '^[A-Za-z0-9_.]+\\.[A-Za-z0-9_]+$' };
const tensor = {
  type: 'object',
  properties: { dtype, shape: { type: 'array', items: { type: ['integer', 'string'] } } },
  required: ['dtype', 'shape'],
  additionalProperties: false,
};
const node = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1 },
    op: { enum: Object.keys(OPS) },
    inputs: { type: 'object', additionalProperties: edgeRef },
    outputs: { type: 'object', additionalProperties: tensor },
    attrs: { type: 'object' },
    provenance: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['id', 'op', 'inputs', 'outputs', 'attrs'],
  additionalProperties: false,
};
const optimizer = {
  type: 'object',
  properties: {
    kind: { const: 'adam' },
    lr: { type: 'number', exclusiveMinimum: 0 },
    beta1: { type: 'number', minimum: 0, maximum: 1 },
    beta2: { type: 'number', minimum: 0, maximum: 1 },
    eps: { type: 'number', exclusiveMinimum: 0 },
    weight_decay: { type: 'number', minimum: 0 },
    clip: { type: ['number', 'null'] },
  },
  required: ['kind', 'lr', 'beta1', 'beta2', 'eps', 'weight_decay', 'clip'],
  additionalProperties: false,
};
const precision = {
  type: 'object',
  properties: { policy: { enum: ['fp32', 'amp', 'bf16'] }, weights: dtype, compute: dtype, optimizer_state: dtype, loss: { const: 'float32' } },
  required: ['policy', 'weights', 'compute', 'optimizer_state', 'loss'],
  additionalProperties: false,
};
const net = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { enum: ['teacher', 'fake', 'generator', 'student'] },
    trainable: { type: 'boolean' },
    init: { type: 'string', pattern: '^(teacher|scratch|stage:.+|checkpoint:.+)$' },
    dtype,
  },
  required: ['name', 'role', 'trainable', 'init', 'dtype'],
  additionalProperties: false,
};
const phase = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    updates: { type: 'string' },
    accumulate: { type: 'integer', minimum: 1 },
    nodes: { type: 'array', items: node },
    loss: edgeRef,
    optimizer,
  },
  required: ['name', 'updates', 'accumulate', 'nodes', 'loss', 'optimizer'],
  additionalProperties: false,
};
const stage = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    kind: { enum: ['teach', 'sid', 'adversarial', 'evaluate', 'export'] },
    after: { type: 'array', items: { type: 'string' } },
    nets: { type: 'array', items: net },
    precision,
    shared: { type: 'array', items: node },
    phases: { type: 'array', items: phase },
    attrs: { type: 'object' },
  },
  required: ['name', 'kind', 'after', 'nets', 'precision', 'shared', 'phases', 'attrs'],
  additionalProperties: false,
};

export function graphSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://sidc.dev/schema/graph.json',
    title: 'sidc execution graph',
    type: 'object',
    properties: {
      format: { const: GRAPH_FORMAT },
      version: { const: GRAPH_VERSION },
      recipe: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          file: { type: 'string' },
          sweepPoint: { type: 'object' },
          launcher: {
            type: 'object',
            properties: { settings: { type: 'object' }, from: { type: 'object', additionalProperties: { type: 'string' } } },
            required: ['settings', 'from'],
            additionalProperties: false,
          },
        },
        required: ['name', 'file'],
        additionalProperties: false,
      },
      config: { type: 'object' },
      bindings: { type: 'object', additionalProperties: { type: 'integer' } },
      stages: { type: 'array', items: stage, minItems: 1 },
      hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
    required: ['format', 'version', 'recipe', 'config', 'bindings', 'stages', 'hash'],
    additionalProperties: false,
  };
}
