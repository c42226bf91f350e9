// sidc compile r.sid -o g.json: the execution graph (an array for sweeps / several recipes).
import type { Command } from 'commander';
import type { CommandModule } from './command.js';
import { checkFormat, compilePath, report } from './common.js';
import { writeFileAtomic } from '../runtime/formats/atomic.js';
import { setOption, recipeOption, rootOption } from './options.js';

export const compileCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('compile')
      .description('check a recipe and write its execution graph (JSON, content-hashed)')
      .argument('<file>', 'recipe file')
      .option('-o, --out <file>', 'write the graph here instead of stdout')
      .addOption(setOption())
      .addOption(recipeOption('the recipe or sweep to compile'))
      .addOption(rootOption())
      .option('--format <format>', 'diagnostics as text or json', 'text')
      .addHelpText(
        'after',
        '\nExamples:\n  sidc compile recipes/sana-600m-512.sid -o graph.json\n  sidc compile recipes/fig3.sid --recipe fig3 -o points.json   # a sweep: one graph per point\n',
      )
      .action((file: string, flags: { out?: string; set: string[]; recipe?: string; format?: string }) => {
        const format = checkFormat(flags.format);
        const out = compilePath(file, flags, true);
        report(io, out, format);
        if (!out.ok) return setExitCode(1);
        const value = out.graphs.length === 1 ? out.graphs[0] : out.graphs;
        const text = JSON.stringify(value, null, 2) + '\n';
        if (flags.out) {
          writeFileAtomic(flags.out, text);
          io.stderr(`wrote ${flags.out} (${out.graphs.map((g) => g.hash.slice(0, 12)).join(', ')})\n`);
        } else if (format === 'text') io.stdout(text);
        setExitCode(0);
      });
  },
};
