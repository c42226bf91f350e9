// sidc plot-time r.sid -o pi.png: p(t) and the weight-normalised pi(t) = w(t) p(t) / E_p[w] (eq. 14) of
// a recipe's generator loss (one column of Fig. 2), numerically on a grid.
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import type { JsonValue } from '../compiler/recipe/settings.js';
import { restriction, timeDist } from '../runtime/schedule/time-dist.js';
import { weightingOfT } from '../runtime/schedule/weighting.js';
import { piCurve } from '../runtime/schedule/pi.js';
import { linePlot } from '../runtime/rundir/plots.js';
import { configValue } from '../runtime/tfjs/loop/config.js';
import { compileRecipe } from './runtime-common.js';
import { setOption, recipeOption, rootOption } from './options.js';

/** The generator phase's sample_t and weighting nodes decide (the graph is the truth); config as fallback. */
function timeSettings(graph: ExecutionGraph): { dist: JsonValue; interval: JsonValue; weighting: JsonValue } {
  for (const s of graph.stages) {
    for (const p of s.phases) {
      const w = p.nodes.find((n) => n.op === 'weighting');
      const t = p.nodes.find((n) => n.op === 'sample_t');
      if (w && t) return { dist: t.attrs.distribution!, interval: t.attrs.interval ?? null, weighting: w.attrs.weighting! };
    }
  }
  return {
    dist: configValue(graph, 'time.distribution') ?? { kind: 'logit_normal', mean: Math.LN2, std: 1.6 },
    interval: configValue(graph, 'time.interval') ?? null,
    weighting: configValue(graph, 'loss.weighting') ?? { name: 'one_minus_t' },
  };
}

export const plotTimeCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('plot-time')
      .description('plot p(t) and the weight-normalised time density pi(t) = w(t) p(t) / E_p[w] (eq. 14)')
      .argument('<file>', 'recipe file')
      .option('-o, --out <file>', 'PNG to write', 'pi.png')
      .addOption(setOption())
      .addOption(recipeOption('the recipe when the file has several'))
      .addOption(rootOption())
      .action((file: string, flags: { out: string; set: string[]; recipe?: string }) => {
        const graphs = compileRecipe(io, file, flags);
        if (!graphs) return setExitCode(1);
        const ts = timeSettings(graphs[0]!);
        const w = weightingOfT(ts.weighting);
        if (w === 'sid_norm') throw new UserError('the sid_norm weighting depends on the samples, not only on t: pi(t) has no closed form to plot');
        const dist = timeDist(ts.dist);
        const iv = restriction(ts.dist, ts.interval ?? undefined);
        const c = piCurve(dist, w, 1000, iv);
        linePlot(
          flags.out,
          [
            { label: `p(t) ${dist.describe}`, x: c.t, y: c.p },
            { label: 'pi(t) = w p / E[w]', x: c.t, y: c.pi },
          ],
          { title: `${graphs[0]!.recipe.name}: time density (eq. 14)`, xlabel: 't', ylabel: 'density' },
        );
        io.stdout(`E_p[w] = ${c.norm.toPrecision(6)}; wrote ${flags.out}\n`);
        setExitCode(0);
      });
  },
};
