// sidc plan r.sid [--format json]: memory and time per device for the declared hardware, from the plan
// model in compiler/plan/ (planGraph). Exit 1 when the recipe has errors or the run does not fit.
import type { Command } from 'commander';
import type { ExecutionGraph } from '../graph/types.js';
import { UserError, type CommandModule } from './command.js';
import { checkFormat, collect, compilePath, report } from './common.js';

interface PlanLike {
  fits?: boolean;
  peak_gb_per_device?: number;
  seconds_per_1k_images?: number;
  diagnostics?: unknown[];
  [k: string]: unknown;
}

async function loadPlanner(): Promise<(g: ExecutionGraph) => PlanLike> {
  const path = '../plan/index.js'; // a variable: the plan model is optional at build time
  try {
    const mod = (await import(path)) as { planGraph?: (g: ExecutionGraph) => PlanLike };
    if (typeof mod.planGraph === 'function') return mod.planGraph;
  } catch {
    /* fall through */
  }
  throw new UserError('the plan model (compiler/plan) is not available in this build');
}

export const planCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('plan')
      .description('estimate peak memory per device and seconds per 1k images on the declared hardware')
      .argument('<file>', 'recipe file')
      .option('--set <key=value>', 'override a setting (repeatable)', collect, [])
      .option('--recipe <name>', 'the recipe or sweep')
      .option('--format <format>', 'text or json', 'text')
      .addHelpText('after', '\nExamples:\n  sidc plan recipes/flux-dev-512.sid\n  sidc plan recipes/sd35-large-bf16.sid --set batch.per_device=2 --set batch.accumulate=16\n  sidc plan r.sid --format json\n')
      .action(async (file: string, flags: { set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const out = compilePath(file, flags);
        report(io, out, 'text');
        if (!out.ok) return setExitCode(1);
        const planGraph = await loadPlanner();
        const plans = out.graphs.map((g) => ({ recipe: g.recipe.name, hash: g.hash, plan: planGraph(g) }));
        if (format === 'json') io.stdout(JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2) + '\n');
        else {
          for (const p of plans) {
            const text = typeof (p.plan as { text?: unknown }).text === 'string' ? String((p.plan as { text: string }).text) : undefined;
            io.stdout(text ?? `${p.recipe} ${p.hash.slice(0, 12)}: peak ${p.plan.peak_gb_per_device?.toFixed(1)} GB per device, ${p.plan.seconds_per_1k_images?.toFixed(0)} s per 1k images, ${p.plan.fits ? 'fits' : 'DOES NOT FIT'}\n`);
          }
        }
        setExitCode(plans.every((p) => p.plan.fits !== false) ? 0 : 1);
      });
  },
};
