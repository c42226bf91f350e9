// sidc sweep-run r.sid: runs every point of a sweep (each in its own run directory, resumable) and
// writes a table and a PNG of mode coverage vs precision of the 4-step student per point (Fig. 3 on the
// mixture). `sidc sweep --list` (the compiler's) lists the points without running them.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandModule } from './command.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../runtime/formats/atomic.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { linePlot } from '../runtime/rundir/plots.js';
import { compileRecipe, startBackend } from './runtime-common.js';
import { setOption, recipeOption, runsDirOption, rootOption } from './options.js';

function pointLabel(g: ExecutionGraph, i: number): string {
  const sp = g.recipe.sweepPoint;
  if (!sp) return `point ${i + 1}`;
  return Object.values(sp).map((v) => (Array.isArray(v) ? `(${v.map((x) => (typeof x === 'number' ? +x.toFixed(3) : x)).join(', ')})` : JSON.stringify(v))).join(' ');
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
      .action(async (file: string, flags: { set: string[]; recipe?: string; runsDir: string; out?: string; fresh?: boolean; plots: boolean }) => {
        const graphs = compileRecipe(io, file, flags, true);
        if (!graphs) return setExitCode(1);
        const backend = await startBackend(io, {});
        const rows: { point: string; run: string; coverage: number; precision: number; energy: number; sliced_w1: number }[] = [];
        for (const [i, g] of graphs.entries()) {
          const label = pointLabel(g, i);
          io.stdout(`\n== point ${i + 1}/${graphs.length}: ${label}\n`);
          const paths = openRunDir(flags.runsDir, g, { fresh: !!flags.fresh, recipeFile: file, backend });
          const res = runGraph(g, paths, { io, plots: flags.plots });
          const student = res.evalRows.filter((r) => r.sampler === 'SiD student').sort((a, b) => b.steps - a.steps)[0];
          if (student) rows.push({ point: label, run: paths.dir, coverage: student.coverage, precision: student.precision, energy: student.energy, sliced_w1: student.sliced_w1 });
        }
        const outDir = flags.out ?? join(flags.runsDir, graphs[0]!.recipe.name.replace(/\W+/g, '_') + '-sweep');
        mkdirSync(outDir, { recursive: true });
        const table = ['| point | coverage | precision | energy dist | sliced W1 | run |', '|:--|--:|--:|--:|--:|:--|', ...rows.map((r) => `| ${r.point} | ${r.coverage.toFixed(3)} | ${r.precision.toFixed(3)} | ${r.energy.toFixed(4)} | ${r.sliced_w1.toFixed(4)} | ${r.run} |`)].join('\n');
        writeFileAtomic(join(outDir, 'sweep.md'), table + '\n');
        writeJsonAtomic(join(outDir, 'sweep.json'), rows);
        linePlot(join(outDir, 'coverage-precision.png'), rows.map((r) => ({ label: r.point, x: [r.coverage], y: [r.precision] })), { title: 'students: coverage vs precision', xlabel: 'mode coverage', ylabel: 'precision', points: true });
        io.stdout(`\n${table}\nwrote ${join(outDir, 'sweep.md')} and coverage-precision.png\n`);
        setExitCode(0);
      });
  },
};
