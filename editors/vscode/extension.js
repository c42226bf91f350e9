// VS Code extension: starts `sidc lsp --stdio` for .sid files. Everything the editor shows (diagnostics,
// hover, completion, formatting, quick fixes) comes from that server. YAML/JSON recipes are validated by the
// YAML/JSON extensions through the schema contributed in package.json, and by the server for cross-field rules.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** The sidc to run: the setting, else the workspace's own install, else the PATH. */
function sidcCommand() {
  const configured = vscode.workspace.getConfiguration('sid').get('server.command', '');
  if (configured) return configured;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'sidc.cmd' : 'sidc');
    if (existsSync(local)) return local;
    const repo = join(folder.uri.fsPath, 'bin', 'sidc.js'); // working inside the sidc repository itself
    if (existsSync(repo)) return repo;
  }
  return 'sidc';
}

async function activate(context) {
  const command = sidcCommand();
  const isScript = command.endsWith('.js');
  const executable = {
    command: isScript ? process.execPath : command,
    args: isScript ? [command, 'lsp'] : ['lsp'],
    transport: TransportKind.stdio, // appends --stdio
    options: isScript ? { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } } : undefined,
  };
  const config = vscode.workspace.getConfiguration('sid');
  client = new LanguageClient(
    'sid',
    'sidc',
    { run: executable, debug: executable },
    {
      documentSelector: [
        { scheme: 'file', language: 'sid' },
        { scheme: 'untitled', language: 'sid' },
        // YAML/JSON recipes: the server adds the compiler's cross-field rules to the schema's checks
        { scheme: 'file', language: 'yaml', pattern: '**/*.sid.{yaml,yml}' },
        { scheme: 'file', language: 'json', pattern: '**/*.sid.json' },
      ],
      initializationOptions: { debounceMs: config.get('server.debounceMs', 10) },
      outputChannelName: 'sidc',
      // bases edited outside the editor re-check the open recipes that import them
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{sid,sid.yaml,sid.yml,sid.json}') },
    },
  );
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not start \`${command} lsp\`: ${e instanceof Error ? e.message : String(e)}. Install sidc (npm i -D sidc) or set "sid.server.command".`);
  }
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
