// sidc schema [--graph]: print the JSON Schema of the YAML/JSON recipe form or of the execution graph.
import type { Command } from 'commander';
import { graphSchema } from '../compiler/graph/schema.js';
import { recipeSchema } from '../compiler/schema/recipe.js';
import type { CommandModule } from './command.js';

export const schemaCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('schema')
      .description('print the JSON Schema of recipes (YAML/JSON form) or, with --graph, of execution graphs')
      .option('--graph', 'the execution graph schema instead')
      .addHelpText('after', '\nExamples:\n  sidc schema > recipe.schema.json     # for editors (yaml-language-server)\n  sidc schema --graph\n')
      .action((flags: { graph?: boolean }) => {
        io.stdout(JSON.stringify(flags.graph ? graphSchema() : recipeSchema(), null, 2) + '\n');
        setExitCode(0);
      });
  },
};
