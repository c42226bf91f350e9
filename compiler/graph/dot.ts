// Graphviz dot of an execution graph: one cluster per stage, a sub-cluster per phase (and the shared
// part), nodes labelled with their op and net, edges labelled with the tensor type they carry.
import type { ExecutionGraph, GraphNode, TensorType } from './types.js';

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** f32[B,C,H,W]-style label of a tensor type (dot edges, the `sidc graph` summary). */
export const typeLabel = (t: TensorType): string => `${t.dtype === 'bfloat16' ? 'bf16' : t.dtype === 'float32' ? 'f32' : t.dtype}[${t.shape.join(',')}]`;

function nodeLabel(n: GraphNode): string {
  const net = typeof n.attrs.net === 'string' ? ` (${n.attrs.net})` : '';
  const grad = n.attrs.grad !== undefined ? `\\ngrad: ${String(n.attrs.grad)}` : '';
  return `${n.op}${net}${grad}`;
}

export function graphToDot(g: ExecutionGraph): string {
  const lines: string[] = [`digraph ${q(g.recipe.name)} {`, '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=10]; edge [fontsize=8];'];
  const types = new Map<string, TensorType>();
  const all: GraphNode[] = [];
  for (const s of g.stages) {
    const sid = `${s.name}`;
    lines.push(`  subgraph ${q(`cluster_${sid}`)} {`, `    label=${q(`stage ${s.name} (${s.kind}, ${s.precision.policy})`)};`);
    const parts = [{ name: 'shared', nodes: s.shared }, ...s.phases.map((p) => ({ name: `${p.name} phase -> updates ${p.updates}`, nodes: p.nodes }))];
    parts.forEach((p, i) => {
      if (!p.nodes.length) return;
      lines.push(`    subgraph ${q(`cluster_${sid}_${i}`)} {`, `      label=${q(p.name)};`);
      for (const n of p.nodes) {
        lines.push(`      ${q(`${sid}/${n.id}`)} [label=${q(nodeLabel(n))}];`);
        for (const [o, t] of Object.entries(n.outputs)) types.set(`${sid}/${n.id}.${o}`, t);
        all.push({ ...n, id: `${sid}/${n.id}` });
      }
      lines.push('    }');
    });
    if (!s.shared.length && !s.phases.length) lines.push(`    ${q(`${sid}/stage`)} [label=${q(s.kind)}, shape=ellipse];`);
    lines.push('  }');
  }
  for (const n of all) {
    const stage = n.id.split('/')[0]!;
    for (const [name, ref] of Object.entries(n.inputs)) {
      const src = `${stage}/${ref}`;
      const from = src.slice(0, src.lastIndexOf('.'));
      const t = types.get(src);
      lines.push(`  ${q(from)} -> ${q(n.id)} [label=${q(`${name}: ${t ? typeLabel(t) : '?'}`)}];`);
    }
  }
  for (const s of g.stages) {
    const first = (st: typeof s): string => {
      const n = st.shared[0] ?? st.phases[0]?.nodes[0];
      return n ? `${st.name}/${n.id}` : `${st.name}/stage`;
    };
    for (const a of s.after) {
      const from = g.stages.find((x) => x.name === a);
      if (from) lines.push(`  ${q(first(from))} -> ${q(first(s))} [style=dashed, label="after", ltail=${q(`cluster_${a}`)}, lhead=${q(`cluster_${s.name}`)}];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
