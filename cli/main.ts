// sidc command-line entry (bin/sidc.js): builds the commander program from the command modules of
// commands.ts - only the one asked for, so a command loads nothing it does not use.
// Exit codes: 0 ok, 1 errors in the recipe or a failed run, 2 usage or I/O. User mistakes never print
// a stack trace: UserError and commander's usage errors become one `sidc: ...` line.
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import { commandsFor } from './commands.js';
import { exitQuietlyOnBrokenPipe, packageVersion } from '../compiler/util/stdio.js';

export async function main(argv: string[], io?: CliIO): Promise<number> {
  if (!io) exitQuietlyOnBrokenPipe();
  const out: CliIO = io ?? { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), isTTY: Boolean(process.stdout.isTTY) };
  let code = 0;
  const setExitCode = (c: number): void => {
    code = Math.max(code, c);
  };
  const program = new Command('sidc')
    .description('sidc: check, compile and run SiD-DiT score distillation recipes (.sid)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr, outputError: (s, write) => write(s.startsWith('error: ') ? `sidc: ${s.slice(7)}` : s) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExamples:\n  sidc check recipes/*.sid\n  sidc compile recipes/sana-600m-512.sid -o graph.json\n  sidc sweep recipes/fig3.sid --list\n  sidc plan recipes/flux-dev-512.sid',
    );
  for (const m of await commandsFor(argv)) m.register(program, out, setExitCode);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof UserError) {
      out.stderr(`sidc: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof CommanderError) {
      // help and version exit 0; usage mistakes exit 2 (commander already printed the message)
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? 0 : 2;
    }
    throw e;
  }
}
