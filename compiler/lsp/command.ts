// `sidc lsp`: the language server over stdio (editors start it; see docs/editors.md).
import type { Command } from 'commander';
import type { CliIO, CommandModule } from '../cli/command.js';
import { runStdio } from './stdio.js';

export const lspCommand: CommandModule = {
  register(program: Command, _io: CliIO, _setExitCode: (code: number) => void): void {
    program
      .command('lsp')
      .description('run the language server on stdin/stdout (diagnostics, hover, completion, formatting, quick fixes)')
      .option('--stdio', 'talk LSP over stdin/stdout (the default and only transport)')
      .action(() => new Promise<never>(() => runStdio())); // runs until the client closes the connection
  },
};
