// A CLI subcommand is a module that registers itself on the commander program; cli/commands.ts lists
// them all, cli/main.ts builds the program.
//
// Exit codes: 0 clean, 1 errors in the recipe (or a failed run), 2 usage or I/O problems.
// A user's mistake never prints a stack trace: throw a UserError (common/errors.ts) and main() prints its message.
import type { Command } from 'commander';
import type { CliIO } from '../common/io.js';

export interface CommandModule {
  register(program: Command, io: CliIO, setExitCode: (code: number) => void): void;
}
