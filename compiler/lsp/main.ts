// Entry point: `node dist/compiler/lsp/main.js` runs the language server on stdio without the CLI
// (tests and the benchmark spawn this; users run `sidc lsp`).
import { runStdio } from './stdio.js';

runStdio();
