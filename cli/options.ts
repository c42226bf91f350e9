// The options several commands share, declared once: --set and --recipe (check, compile, graph, sweep,
// plan, run, sweep-run, plot-time) and --runs-dir (run, sweep-run). Each command only words the help.
import { Option } from 'commander';

/** Repeatable flag values, in order. */
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** --set key=value (repeatable): flags.set is a string[], [] when absent. */
export const setOption = (help = 'override a setting (repeatable)'): Option => new Option('--set <key=value>', help).argParser(collect).default([]);

/** --recipe NAME: which recipe or sweep of the file (flags.recipe). */
export const recipeOption = (help: string): Option => new Option('--recipe <name>', help);

/** --runs-dir DIR: where run directories live (flags.runsDir, default `runs`). */
export const runsDirOption = (): Option => new Option('--runs-dir <dir>', 'where run directories live').default('runs');
