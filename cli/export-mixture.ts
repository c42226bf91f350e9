// sidc export-mixture RUN -o truth.json: the true mixture of a vector (gmm, mlp) run - per class its
// components' means, stds and weights (runtime/scoring/mixture.ts MixtureTruth) - so samples from
// `sidc sample` (+ their .labels.npy) can be scored by an independent tool.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { gmmOf, isVectorFamily, teacherFamily } from '../runtime/tfjs/loop/teacher-spec.js';
import { writeJsonAtomic } from '../runtime/formats/atomic.js';
import { mixtureTruth, CREDIT_STD, COVERAGE_SHARE } from '../runtime/scoring/mixture.js';

export const exportMixtureCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('export-mixture')
      .description("write a vector run's true mixture (per class: component means, stds, weights) as JSON")
      .argument('<run>', 'run directory (runs/<recipe>-<hash8>)')
      .option('-o, --out <file>', 'output JSON', 'truth.json')
      .action((run: string, flags: { out: string }) => {
        const graphFile = join(run, 'graph.json');
        if (!existsSync(graphFile)) throw new UserError(`${run}: no graph.json - not a run directory (runs/<recipe>-<hash8>, made by sidc run)`);
        const graph = JSON.parse(readFileSync(graphFile, 'utf8')) as ExecutionGraph;
        const family = teacherFamily(graph);
        if (!isVectorFamily(family)) throw new UserError(`${run}: a ${family} run has no mixture to export (export-mixture is for gmm and mlp runs)`);
        const truth = mixtureTruth(gmmOf(graph));
        writeJsonAtomic(flags.out, {
          ...truth,
          metrics: { credit_std: CREDIT_STD, coverage_share: COVERAGE_SHARE, credit: "nearest component of the sample's class by |x - mean| / std" },
        });
        io.stdout(`wrote the true mixture (${truth.classes} classes, ${truth.components.length} components, dim ${truth.dim}) to ${flags.out}\n`);
        setExitCode(0);
      });
  },
};
