// sidc plan r.sid [--format json]: memory and time per device for the declared hardware, from the plan
// model in compiler/plan/ (planGraph). Exit 1 when the recipe has errors or the run does not fit.
import type { Command } from 'commander';
import { planGraph, renderPlan } from '../compiler/plan/index.js';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath, report } from './common.js';
import { setOption, recipeOption, rootOption } from './options.js';

export const planCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('plan')
      .description('estimate peak memory per device and seconds per 1k images on the declared hardware')
      .argument('<file>', 'recipe file')
      .addOption(setOption())
      .addOption(recipeOption('the recipe or sweep'))
      .addOption(rootOption())
      .option('--format <format>', 'text or json', 'text')
      .addHelpText(
        'after',
        '\nExamples:\n  sidc plan recipes/flux-dev-512.sid\n  sidc plan recipes/sd35-large-bf16.sid --set batch.per_device=2 --set batch.accumulate=16\n  sidc plan r.sid --format json\n',
      )
      .action((file: string, flags: { set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const out = compilePath(file, flags, true);
        // Plan findings are already among the diagnostics; the report itself is printed below.
        const other = { ...out, diagnostics: out.diagnostics.filter((d) => !d.code.startsWith('SID4')) };
        report(io, other, 'text');
        const graphs = out.ok ? out.graphs : out.allGraphs;
        if (graphs.length === 0 || other.diagnostics.some((d) => d.severity === 'error')) return setExitCode(1);
        const plans = graphs.map((g) => ({ hash: g.hash, ...planGraph(g) }));
        if (format === 'json') io.stdout(JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2) + '\n');
        else for (const p of plans) io.stdout(renderPlan(p) + '\n');
        setExitCode(plans.every((p) => p.fits) ? 0 : 1);
      });
  },
};
