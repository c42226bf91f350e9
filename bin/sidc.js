#!/usr/bin/env node
// Entry point. The compiled code lives in dist/ (`npm run build`; `npm test` builds too).
// Composes the compiler's CLI with the runtime's commands, so the compiler never imports the runtime.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'compiler', 'cli', 'main.js');
const runtimeCommands = join(root, 'dist', 'runtime', 'cli', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write(`sidc: not built yet. Run \`npm run build\` in ${root} first.\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
// The language server needs none of the runtime (tfjs): skip loading it so the editor starts faster.
const argv = process.argv.slice(2);
const needsRuntime = argv[0] !== 'lsp';
const extra = needsRuntime && existsSync(runtimeCommands) ? (await import(pathToFileURL(runtimeCommands).href)).commands : [];
process.exitCode = await main(argv, extra);
