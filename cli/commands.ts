// The compiler's own commands, in the order `sidc --help` lists them.
import type { CommandModule } from './command.js';
import { checkCommand } from './check.js';
import { compileCommand } from './compile.js';
import { fmtCommand } from './fmt.js';
import { graphCommand } from './graph.js';
import { planCommand } from './plan.js';
import { schemaCommand } from './schema.js';
import { sweepCommand } from './sweep.js';
import { lspCommand } from '../lsp/command.js';

export const compilerCommands: CommandModule[] = [checkCommand, fmtCommand, compileCommand, graphCommand, sweepCommand, planCommand, schemaCommand, lspCommand];
