// Every sidc command, in the order `sidc --help` lists them: its name -> the module that registers it.
// Loaded lazily: cli/main.ts imports only the module of the command asked for (every one for `--help`),
// so `sidc check`, `fmt` and `lsp` never load the runtime and its tfjs (test/layout checks the import graph).
import type { CommandModule } from './command.js';

const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  check: async () => (await import('./check.js')).checkCommand,
  fmt: async () => (await import('./fmt.js')).fmtCommand,
  compile: async () => (await import('./compile.js')).compileCommand,
  graph: async () => (await import('./graph.js')).graphCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  lsp: async () => (await import('./lsp.js')).lspCommand,
  run: async () => (await import('./run.js')).runCommand,
  sample: async () => (await import('./sample.js')).sampleCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
  'plot-time': async () => (await import('./plot-time.js')).plotTimeCommand,
  'sweep-run': async () => (await import('./sweep-run.js')).sweepRunCommand,
  'run-graph': async () => (await import('./run-graph.js')).runGraphCommand,
  eval: async () => (await import('./eval.js')).evalCommand,
  'export-mixture': async () => (await import('./export-mixture.js')).exportMixtureCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  forward: async () => (await import('./forward.js')).forwardCommand,
  decode: async () => (await import('./decode.js')).decodeCommand,
  'make-tiny': async () => (await import('./make-tiny.js')).makeTinyCommand,
  'encode-prompts': async () => (await import('./encode-prompts.js')).encodePromptsCommand,
  export: async () => (await import('./export.js')).exportCommand,
};

/** The modules to register for `argv`: only the named command's, or all (help, unknown command, none). */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const only = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  return Promise.all(only ? [only()] : Object.values(COMMANDS).map((load) => load()));
}
