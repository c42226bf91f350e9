// Builds a list of typed nodes with ids unique in a stage ("<phase>.<name>") and edge references.
import type { JsonValue } from '../recipe/settings.js';
import type { EdgeRef, GraphNode, OpName, TensorType } from '../graph/types.js';

export class NodeList {
  readonly nodes: GraphNode[] = [];
  constructor(
    readonly prefix: string,
    readonly provenanceOf: (paths: string[]) => Record<string, string>,
  ) {}

  add(
    name: string,
    op: OpName,
    inputs: Record<string, EdgeRef>,
    outputs: Record<string, TensorType>,
    attrs: Record<string, JsonValue> = {},
    deciding: string[] = [],
  ): Record<string, EdgeRef> {
    const id = `${this.prefix}.${name}`;
    const node: GraphNode = { id, op, inputs, outputs, attrs };
    const prov = this.provenanceOf(deciding);
    if (Object.keys(prov).length) node.provenance = prov;
    this.nodes.push(node);
    return Object.fromEntries(Object.keys(outputs).map((k) => [k, `${id}.${k}`]));
  }
}
