#!/usr/bin/env node
// Entry point. The compiled code lives in dist/ (`npm run build`; `npm test` builds too); every command
// is in cli/ (cli/commands.ts lists them).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write(`sidc: not built yet. Run \`npm run build\` in ${root} first.\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
