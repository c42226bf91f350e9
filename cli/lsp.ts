// `sidc lsp`: the language server over stdio (editors start it; see docs/editors.md). The server's modules
// load only when this command runs, so other commands do not pay for them.
import type { Command } from 'commander';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';

export const lspCommand: CommandModule = {
  register(program: Command, _io: CliIO, _setExitCode: (code: number) => void): void {
    program
      .command('lsp')
      .description('run the language server on stdin/stdout (diagnostics, hover, completion, formatting, quick fixes)')
      .option('--stdio', 'talk LSP over stdin/stdout (the default and only transport)')
      .action(async () => {
        const { runStdio } = await import('../compiler/lsp/stdio.js');
        runStdio();
        await new Promise<never>(() => {}); // runs until the client sends `exit` or closes stdin
      });
  },
};
