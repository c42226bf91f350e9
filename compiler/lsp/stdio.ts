// The language server on stdin/stdout, as `sidc lsp` and compiler/lsp/main.ts start it.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node.js';
import { startServer } from './server.js';

export function runStdio(): void {
  startServer(createConnection(ProposedFeatures.all, process.stdin, process.stdout));
}
