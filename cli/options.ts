// The options several commands share, declared once: --set and --recipe (check, compile, graph, sweep,
// plan, run, sweep-run, plot-time), --root (the same) and --runs-dir (run, sweep-run). Each command only words the help.
import { Option } from 'commander';
import { ROOT_OPTION_HELP } from '../compiler/util/project-root.js';

/** Repeatable flag values, in order. */
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** --set key=value (repeatable): flags.set is a string[], [] when absent. */
export const setOption = (help = 'override a setting (repeatable)'): Option => new Option('--set <key=value>', help).argParser(collect).default([]);

/** --recipe NAME: which recipe or sweep of the file (flags.recipe). */
export const recipeOption = (help: string): Option => new Option('--recipe <name>', help);

/** --runs-dir DIR: where run directories live (flags.runsDir, default `runs`). */
export const runsDirOption = (): Option => new Option('--runs-dir <dir>', 'where run directories live').default('runs');

/** --root DIR: the project root that bounds what imports may read (flags.root; docs/language.md, Imports). */
export const rootOption = (): Option => new Option('--root <dir>', ROOT_OPTION_HELP);
