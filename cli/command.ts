// A CLI subcommand is a module that registers itself on the commander program. The compiler's commands
// live in compiler/cli/; the runtime's (run, sample, doctor, ...) in runtime/cli/ and are handed to
// main() by bin/sidc.js, so the compiler never imports the runtime.
//
// Exit codes: 0 clean, 1 errors in the recipe (or a failed run), 2 usage or I/O problems.
// A user's mistake never prints a stack trace: throw a UserError and main() prints its message.
import type { Command } from 'commander';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** true when stdout is a terminal (progress bars, colour) */
  isTTY: boolean;
}

export interface CommandModule {
  register(program: Command, io: CliIO, setExitCode: (code: number) => void): void;
}

/** An error caused by the user (bad path, bad flag): printed as `sidc: <message>`, exit code 2 by default. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
