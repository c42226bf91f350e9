// sidc graph r.sid --dot: draw the execution graph (Graphviz) or print a summary of stages and phases.
import type { Command } from 'commander';
import { graphToDot, typeLabel } from '../compiler/graph/dot.js';
import type { GraphNode } from '../compiler/graph/types.js';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath, report } from './common.js';
import { setOption, recipeOption, rootOption } from './options.js';

/** A node's outputs with their types, so e.g. the discriminator's pooling shows as `logits f32[B,D]`. */
const outputsLabel = (n: GraphNode): string =>
  Object.entries(n.outputs)
    .map(([k, t]) => `${k} ${typeLabel(t)}`)
    .join(', ');

export const graphCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('graph')
      .description('show the execution graph: --dot for Graphviz, else a summary of stages, phases and nodes')
      .argument('<file>', 'recipe file')
      .option('--dot', 'print Graphviz dot (pipe into `dot -Tsvg`)')
      .addOption(setOption())
      .addOption(recipeOption('the recipe or sweep'))
      .addOption(rootOption())
      .addHelpText('after', '\nExamples:\n  sidc graph recipes/sana-600m-512.sid --dot | dot -Tsvg > graph.svg\n  sidc graph examples/gmm-2d.sid\n')
      .action((file: string, flags: { dot?: boolean; set: string[]; recipe?: string }) => {
        const out = compilePath(file, flags);
        report(io, out, checkFormat('text'));
        if (!out.ok) return setExitCode(1);
        for (const g of out.graphs) {
          if (flags.dot) {
            io.stdout(graphToDot(g));
            continue;
          }
          io.stdout(
            `${g.recipe.name} ${g.hash.slice(0, 12)}  bindings ${Object.entries(g.bindings)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}\n`,
          );
          for (const s of g.stages) {
            io.stdout(
              `  stage ${s.name} (${s.kind}${s.after.length ? `, after ${s.after.join(', ')}` : ''}; ` +
                `${s.precision.policy}) nets: ` +
                `${s.nets.map((n) => `${n.name}=${n.init}${n.trainable ? '' : ' frozen'}`).join(', ')}\n`,
            );
            for (const n of s.shared) io.stdout(`    shared    ${n.id}: ${n.op}\n`);
            for (const p of s.phases)
              for (const n of p.nodes)
                io.stdout(`    ${p.name.padEnd(9)} ${n.id}: ${n.op}${typeof n.attrs.net === 'string' ? ` ${n.attrs.net}` : ''} -> ${outputsLabel(n)}\n`);
          }
        }
        setExitCode(0);
      });
  },
};
