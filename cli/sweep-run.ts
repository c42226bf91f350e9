// sidc sweep-run r.sid: runs every point of a sweep (each in its own run directory, resumable) and
// writes a table and a plot per point's student: mode coverage vs precision of the 4-step student for a
// mixture (Fig. 3 on the mixture); FID and prompt alignment at 1 and at the trained steps, and a sample grid
// per point, for an image (dit) run (Fig. 3 on images). `sidc sweep --list` lists the points without running them.
// --launcher local (default) runs the points here, one after the other or --parallel N at a time;
// --launcher slurm submits them as one job array (runtime/launch/, docs/cluster.md).
import type { Command } from 'commander';
import type { CliIO } from '../common/io.js';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { isComplete, logPath, resultRow, sweepOutDir, sweepPoints, writeSweep, type Point, type SweepRow } from '../runtime/launch/points.js';
import { runPointsLocally } from '../runtime/launch/local.js';
import { slurmSweep } from '../runtime/launch/sweep-slurm.js';
import { compileRecipe, intFlag, startBackend } from './runtime-common.js';
import { claimRunDir, engineOf, requireTorch, runOnTorch } from '../runtime/torch/engine.js';
import { scoreImagePoint } from '../runtime/tfjs/evaluation/image-points.js';
import { teacherFamily } from '../runtime/tfjs/loop/teacher-spec.js';
import { join } from 'node:path';
import { setOption, recipeOption, runsDirOption, rootOption } from './options.js';

interface Flags {
  set: string[];
  recipe?: string;
  runsDir: string;
  out?: string;
  fresh?: boolean;
  plots: boolean;
  launcher: string;
  parallel?: string;
  dryRun?: boolean;
  wait?: boolean;
  status?: boolean;
  poll?: string;
  backend?: string;
  engine?: string;
  perClass: string;
}

/** A finished point's student row (none when the recipe evaluates no student), or a failed row. */
function pushRow(rows: SweepRow[], p: Point, complete: boolean, log: string): void {
  const row = complete ? resultRow(p) : { point: p.label, run: p.dir, failed: true as const, log };
  if (row) rows.push(row);
}

/** The file name of a point's grid: its number and its label in plain characters. */
const gridName = (p: Point): string => `${p.index + 1}-${p.label.replace(/[^\w.]+/g, '_').replace(/^_|_$/g, '')}.png`;

/** Image points are scored after they run (any engine wrote them; tfjs scores them as `sidc eval` does). */
async function scoreImagePoints(io: CliIO, points: Point[], outDir: string, perClass: number, done: (p: Point) => boolean) {
  const image = points.filter((p) => teacherFamily(p.graph) === 'dit' && done(p));
  if (!image.length) return;
  await startBackend(io, {});
  for (const p of image) {
    io.stdout(`scoring point ${p.index + 1} (${p.label}): ${perClass} samples per prompt and step count\n`);
    scoreImagePoint(p.dir, p.graph, { perClass, gridPath: join(outDir, gridName(p)), title: p.label, log: io.stderr });
  }
}

export const sweepRunCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('sweep-run')
      .description('run every point of a sweep and compare the students (table + coverage/precision PNG)')
      .argument('<file>', 'recipe file with a sweep')
      .addOption(setOption('override a setting in every point (repeatable)'))
      .addOption(recipeOption('the sweep to run'))
      .addOption(runsDirOption())
      .addOption(rootOption())
      .option('-o, --out <dir>', 'where the table and the PNG go (default: <runs-dir>/<sweep>)')
      .option('--fresh', 'start every point over')
      .option('--no-plots', 'skip per-run sample plots')
      .option('--launcher <name>', 'local (this machine) or slurm (one job array, a task per point)', 'local')
      .option('--parallel <n>', 'local: run n points at a time, each its own process')
      .option('--dry-run', 'slurm: print the sbatch script instead of submitting it')
      .option('--wait', 'slurm: stay until no point is queued, then write the table')
      .option('--status', 'slurm: report progress (and the table when done) without submitting')
      .option('--poll <seconds>', 'slurm: seconds between looks at the queue with --wait', '10')
      .option('--engine <name>', "tfjs | torch for every point (default: the recipe's hardware.engine, else tfjs)")
      .option('--per-class <n>', 'image sweeps: samples per prompt when scoring each student (10 prompts)', '50')
      .addHelpText(
        'after',
        '\n' +
          'Examples:\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher local --parallel 2\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher slurm --set launcher.partition=gpu --dry-run\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher slurm     # again: progress, then the table',
      )
      .action(async (file: string, flags: Flags) => {
        if (!['local', 'slurm'].includes(flags.launcher)) throw new UserError(`unknown --launcher '${flags.launcher}': use local or slurm`);
        const slurmOnly = (['dryRun', 'wait', 'status'] as const).find((k) => flags[k]);
        if (flags.launcher === 'local' && slurmOnly) throw new UserError(`--${slurmOnly.replace('R', '-r')} applies to --launcher slurm`);
        if (flags.launcher === 'slurm' && flags.parallel)
          throw new UserError('--parallel applies to --launcher local; Slurm runs as many points at once as the cluster allows');
        const graphs = compileRecipe(io, file, flags, true);
        if (!graphs) return setExitCode(1);
        const points = sweepPoints(graphs, flags.runsDir);
        const outDir = sweepOutDir(graphs, flags.runsDir, flags.out);
        if (flags.launcher === 'slurm') {
          return setExitCode(
            await slurmSweep(io, points, {
              recipeFile: file,
              outDir,
              plots: flags.plots,
              fresh: !!flags.fresh,
              dryRun: !!flags.dryRun,
              wait: !!flags.wait,
              status: !!flags.status,
              pollSeconds: intFlag('poll', flags.poll ?? '10', 1),
            }),
          );
        }
        const parallel = flags.parallel ? intFlag('parallel', flags.parallel, 1) : 1;
        const perClass = intFlag('per-class', flags.perClass, 1);
        const rows: SweepRow[] = [];
        if (parallel > 1) {
          for (const p of points) openRunDir(flags.runsDir, p.graph, { fresh: !!flags.fresh, recipeFile: file });
          const codes = await runPointsLocally(io, points, {
            parallel,
            plots: flags.plots,
            ...(flags.backend ? { backend: flags.backend } : {}),
            ...(flags.engine ? { engine: flags.engine } : {}),
          });
          const ok = (p: Point) => codes.get(p.index) === 0 && isComplete(p);
          await scoreImagePoints(io, points, outDir, perClass, ok);
          for (const p of points) pushRow(rows, p, ok(p), logPath(p));
        } else {
          const torch = points.some((p) => engineOf(p.graph, flags.engine) === 'torch') ? requireTorch(io) : null;
          const backend = points.some((p) => engineOf(p.graph, flags.engine) === 'tfjs') ? await startBackend(io, {}) : undefined;
          for (const p of points) {
            io.stdout(`\n== point ${p.index + 1}/${points.length}: ${p.label}\n`);
            if (torch && engineOf(p.graph, flags.engine) === 'torch') {
              const paths = openRunDir(flags.runsDir, p.graph, {
                fresh: !!flags.fresh,
                recipeFile: file,
                backend: { engine: 'torch', python: torch.python, torch: torch.torch, devices: torch.devices },
              });
              claimRunDir(paths, 'torch');
              await runOnTorch(io, torch, paths, { plots: flags.plots }); // its failure is reported by the engine; the table marks it
              continue;
            }
            const paths = openRunDir(flags.runsDir, p.graph, { fresh: !!flags.fresh, recipeFile: file, backend });
            claimRunDir(paths, 'tfjs');
            try {
              runGraph(p.graph, paths, { io, plots: flags.plots });
            } catch (e) {
              // one failing point does not stop the others; the table marks it
              io.stderr(`sidc: point ${p.index + 1} (${p.label}) failed: ${(e as Error).message}\n`);
            }
          }
          await scoreImagePoints(io, points, outDir, perClass, isComplete);
          for (const p of points) pushRow(rows, p, isComplete(p), 'the output above');
        }
        writeSweep(io, outDir, rows);
        setExitCode(rows.some((r) => 'failed' in r) ? 1 : 0);
      });
  },
};
