// The runtime's CLI commands, handed to the compiler's main() by bin/sidc.js.
import type { CommandModule } from '../../compiler/cli/command.js';
import { runCommand } from './run.js';
import { sampleCommand } from './sample.js';
import { doctorCommand } from './doctor.js';
import { plotTimeCommand } from './plot-time.js';
import { sweepRunCommand } from './sweep-run.js';
import { familyCommands } from '../families/cli.js';
import { evalCommand } from './eval.js';
import { runGraphCommand } from './run-graph.js';

export const commands: CommandModule[] = [runCommand, sampleCommand, doctorCommand, plotTimeCommand, sweepRunCommand, runGraphCommand, evalCommand, ...familyCommands];
