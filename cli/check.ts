// sidc check FILES... : every diagnostic of every file, exit 1 when any has an error.
import type { Command } from 'commander';
import { diagnosticsJson, renderDiagnostics } from '../compiler/diagnostics/render.js';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath } from './common.js';
import { setOption, recipeOption, rootOption } from './options.js';
import { foldRepeats } from '../compiler/diagnostics/group.js';

export const checkCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('check')
      .description('check recipes (.sid, .yaml, .json) and print every problem with its place and fix')
      .argument('<files...>', 'recipe files')
      .addOption(setOption())
      .addOption(recipeOption('check only this recipe or sweep'))
      .addOption(rootOption())
      .option('--format <format>', 'text or json', 'text')
      .addHelpText(
        'after',
        '\nExamples:\n  sidc check recipes/*.sid\n  sidc check recipes/flux-dev.sid --set optimizer.lr=1e-5\n  sidc check r.sid --format json\n',
      )
      .action((files: string[], flags: { set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const outs = files.map((f) => compilePath(f, flags, true));
        const failed = outs.some((o) => !o.ok);
        if (format === 'json') io.stdout(diagnosticsJson(outs.flatMap((o) => o.diagnostics)));
        else {
          // the same warning in many recipes is shown once, with the others listed (diagnostics/group.ts)
          const { shown, folded } = foldRepeats(outs.map((o) => o.diagnostics));
          files.forEach((f, i) => {
            const out = outs[i]!;
            if (shown[i]!.length) io.stderr(renderDiagnostics(shown[i]!, (x) => out.sources.get(x)));
            else if (folded[i]) io.stderr(`${f}: ${folded[i]} warning${folded[i] === 1 ? '' : 's'} like those above\n`);
            else io.stdout(`${f}: ok\n`);
          });
        }
        setExitCode(failed ? 1 : 0);
      });
  },
};
