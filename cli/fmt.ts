// sidc fmt FILES [--check] [--write]: print the canonical formatting, check it, or rewrite in place.
import type { Command } from 'commander';
import { formatSid } from '../grammar/index.js';
import { syntaxDiagnostic } from '../compiler/diagnostics/syntax.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { readSource } from './common.js';
import { writeFileAtomic } from '../runtime/formats/atomic.js';

export const fmtCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('fmt')
      .description('format .sid files in the canonical style (comments kept)')
      .argument('<files...>', '.sid files')
      .option('--check', 'exit 1 when a file is not formatted, print nothing else')
      .option('--write', 'rewrite the files in place (atomically)')
      .addHelpText(
        'after',
        '\nExamples:\n  sidc fmt recipes/flux-dev.sid          # print formatted text\n  sidc fmt --write recipes/*.sid\n  sidc fmt --check recipes/*.sid          # in CI\n',
      )
      .action((files: string[], flags: { check?: boolean; write?: boolean }) => {
        let code = 0;
        for (const f of files) {
          if (!f.endsWith('.sid')) throw new UserError(`fmt formats .sid files; '${f}' is not one`);
          const text = readSource(f);
          const r = formatSid(text, f);
          if (r.problems.length) {
            io.stderr(renderDiagnostics(r.problems.map(syntaxDiagnostic), (x) => (x === f ? text : undefined)));
            code = 1;
            continue;
          }
          if (flags.check) {
            if (r.text !== text) {
              io.stderr(`${f}: not formatted\n`);
              code = 1;
            }
          } else if (flags.write) {
            if (r.text !== text) writeFileAtomic(f, r.text);
          } else io.stdout(r.text);
        }
        setExitCode(code);
      });
  },
};
