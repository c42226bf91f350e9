// A real LSP client for the tests: spawns the server over stdio (the compiled one under dist/, or the
// TypeScript source through tsx when the tests themselves run from source), speaks vscode-jsonrpc to it,
// and collects published diagnostics. Cursor markers in test input follow Langium's test helpers:
// `<|>` marks a position, `<|text|>` a range.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';
import type { MessageConnection } from 'vscode-jsonrpc/node.js';
import type { Diagnostic, Position, PublishDiagnosticsParams, Range } from 'vscode-languageserver-protocol';
import { repoPath } from '../helpers/paths.js';

export interface Marked {
  text: string;
  positions: number[]; // offsets of `<|>` markers, in order
  ranges: [number, number][]; // offsets of `<|...|>` ranges, in order of their start
}

export function mark(source: string): Marked {
  const positions: number[] = [];
  const ranges: [number, number][] = [];
  const open: number[] = [];
  let text = '';
  let last = 0;
  for (const m of source.matchAll(/<\|>|<\||\|>/g)) {
    text += source.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[0] === '<|>') positions.push(text.length);
    else if (m[0] === '<|') open.push(text.length);
    else ranges.push([open.pop()!, text.length]);
  }
  text += source.slice(last);
  ranges.sort((a, b) => a[0] - b[0]);
  return { text, positions, ranges };
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

export function rangeAt(text: string, [a, b]: [number, number]): Range {
  return { start: positionAt(text, a), end: positionAt(text, b) };
}

/** Apply LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const offset = (p: Position): number => {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start));
  for (const e of sorted) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

export class LspClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private waiters: { uri: string; ok: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.ok(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    conn.onRequest('workspace/configuration', () => []);
    conn.onRequest('client/registerCapability', () => null);
  }

  /** Spawn `command` (default: the sidc language server) and run the initialize handshake. */
  static async start(options: { command?: string[]; initializationOptions?: unknown; settings?: unknown } = {}): Promise<LspClient> {
    // the server next to this file's build: compiler/lsp/main.ts through tsx, or dist/compiler/lsp/main.js
    const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
    const server = fileURLToPath(new URL(`../../compiler/lsp/main.${fromSource ? 'ts' : 'js'}`, import.meta.url));
    const command = options.command ?? (fromSource ? [process.execPath, '--import', 'tsx', server] : [process.execPath, server]);
    const proc = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoPath() });
    proc.stderr!.on('data', (b: Buffer) => process.env.LSP_DEBUG && process.stderr.write(b));
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn);
    if (options.settings !== undefined)
      conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((it) => pick(options.settings, it.section)));
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
          hover: { contentFormat: ['markdown'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          synchronization: { dynamicRegistration: false },
        },
        workspace: { configuration: true },
      },
      // tests compile in-process by default (no second copy of the compiler per server); worker.test.ts covers the thread
      initializationOptions: options.initializationOptions ?? { debounceMs: 0, worker: false },
      workspaceFolders: null,
    });
    await conn.sendNotification('initialized', {});
    if (options.settings !== undefined) await conn.sendNotification('workspace/didChangeConfiguration', { settings: options.settings });
    return client;
  }

  async open(uri: string, text: string, languageId = 'sid'): Promise<void> {
    this.versions.set(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replace `range` (offsets in `before`) with `newText`, incrementally. Returns the new version. */
  async change(uri: string, before: string, range: [number, number], newText: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: rangeAt(before, range), text: newText }],
    });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics published for `uri` that satisfy `ok` (default: any). */
  waitDiagnostics(uri: string, ok: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 15000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms (last: ${JSON.stringify(this.diagnostics.get(uri))})`)),
        timeoutMs,
      );
      this.waiters.push({
        uri,
        ok,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p.diagnostics);
        },
      });
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    this.conn.dispose();
    if (this.proc.exitCode === null) {
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
      if (this.proc.exitCode === null) this.proc.kill();
    }
  }
}

function pick(settings: unknown, section: string | undefined): unknown {
  if (!section) return settings;
  let v: unknown = settings;
  for (const k of section.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v ?? null;
}
