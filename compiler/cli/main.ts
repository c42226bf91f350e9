// sidc command-line entry: builds the commander program from command modules.
// The compiler's own command modules are listed in commands.ts; runtime commands come in `extra`.
import type { CommandModule } from './command.js';

export async function main(argv: string[], extra: CommandModule[] = []): Promise<number> {
  void extra;
  process.stderr.write(`sidc: no commands are wired yet (${argv.join(' ')})\n`);
  return 2;
}
