// sidc check FILES... : every diagnostic of every file, exit 1 when any has an error.
import type { Command } from 'commander';
import { diagnosticsJson, renderDiagnostics } from '../compiler/diagnostics/render.js';
import type { Diagnostic } from '../compiler/diagnostics/types.js';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath } from './common.js';
import { setOption, recipeOption } from './options.js';

export const checkCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('check')
      .description('check recipes (.sid, .yaml, .json) and print every problem with its place and fix')
      .argument('<files...>', 'recipe files')
      .addOption(setOption())
      .addOption(recipeOption('check only this recipe or sweep'))
      .option('--format <format>', 'text or json', 'text')
      .addHelpText('after', '\nExamples:\n  sidc check recipes/*.sid\n  sidc check recipes/flux-dev.sid --set optimizer.lr=1e-5\n  sidc check r.sid --format json\n')
      .action((files: string[], flags: { set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const all: Diagnostic[] = [];
        let failed = false;
        for (const f of files) {
          const out = compilePath(f, flags, true);
          all.push(...out.diagnostics);
          if (!out.ok) failed = true;
          if (format === 'text' && out.diagnostics.length) io.stderr(renderDiagnostics(out.diagnostics, (x) => out.sources.get(x)));
          if (format === 'text' && !out.diagnostics.length) io.stdout(`${f}: ok\n`);
        }
        if (format === 'json') io.stdout(diagnosticsJson(all));
        setExitCode(failed ? 1 : 0);
      });
  },
};
