// sidc sweep r.sid --list: one line per point: index, values, graph hash, checked status.
import type { Command } from 'commander';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath, report } from './common.js';
import { setOption, recipeOption, rootOption } from './options.js';

export const sweepCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('sweep')
      .description('expand the sweeps of a recipe file and list their points')
      .argument('<file>', 'recipe file with a sweep')
      .option('--list', 'one line per point: values, hash, status (the default)')
      .addOption(setOption('override a setting in every point (repeatable)'))
      .addOption(recipeOption('the sweep to expand'))
      .addOption(rootOption())
      .option('--format <format>', 'text or json', 'text')
      .addHelpText('after', '\nExamples:\n  sidc sweep recipes/fig3.sid --list\n  sidc sweep recipes/fig3.sid --format json\n')
      .action((file: string, flags: { set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const out = compilePath(file, flags);
        if (format === 'json') {
          io.stdout(
            JSON.stringify(
              out.points.map((p) => ({
                sweep: p.sweep,
                point: p.index + 1,
                values: p.values,
                hash: p.hash ?? null,
                ok: p.ok,
                errors: p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
              })),
              null,
              2,
            ) + '\n',
          );
        } else {
          if (!out.points.length) io.stderr(`${file}: no sweep points\n`);
          for (const p of out.points) {
            const vals = Object.entries(p.values)
              .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
              .join(' ');
            const errs = p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
            io.stdout(
              `${p.sweep}[${p.index + 1}] ${vals} ${p.hash ? p.hash.slice(0, 12) : '-'.repeat(12)} ${p.ok ? 'ok' : `errors: ${[...new Set(errs)].join(', ')}`}\n`,
            );
          }
          report(io, out, 'text');
        }
        setExitCode(out.ok ? 0 : 1);
      });
  },
};
