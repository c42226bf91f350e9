// The language server: wires the LSP connection to the features (one file each). Diagnostics come from
// the compiler (compileSource with the open documents as overlay), re-run for every open document that
// imports a changed file. Options (initializationOptions): { debounceMs } (default 10), { worker } (default
// true: compile on a worker thread so hover and completion never wait for a compile).
import type { Connection, InitializeResult, CompletionItem, MarkupContent } from 'vscode-languageserver';
import { CompletionItemKind, InsertTextFormat, TextDocumentSyncKind, TextDocuments } from 'vscode-languageserver';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from './code-actions.js';
import type { ItemKind } from './completion.js';
import { completeAt } from './completion.js';
import { toLsp } from './convert.js';
import { definitionAt, visibleRecipes } from './definition.js';
import { formatEdits } from './formatting.js';
import { hoverAt } from './hover.js';
import { CompilerThread } from './compiler-thread.js';
import { Scheduler } from './scheduler.js';
import { loadStages } from './stages.js';
import { documentSymbols } from './symbols.js';
import { Workspace, pathToUri, uriToPath } from './workspace.js';
import { isDataFile } from '../load/program.js';

const ITEM_KINDS: Record<ItemKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  property: CompletionItemKind.Property,
  module: CompletionItemKind.Module,
  value: CompletionItemKind.EnumMember,
  function: CompletionItemKind.Function,
  unit: CompletionItemKind.Unit,
  reference: CompletionItemKind.Reference,
};

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace();
  const uriOf = new Map<string, string>(); // path -> uri of the open document
  let scheduler = new Scheduler(10, validate);
  let snippets = true;
  let compiler: CompilerThread | undefined;
  const published = new Map<string, LspDiagnostic[]>(); // uri -> last diagnostics sent (for code actions)

  connection.onInitialize((params): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as { debounceMs?: number; worker?: boolean };
    compiler = new CompilerThread(opts.worker !== false);
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) scheduler = new Scheduler(opts.debounceMs, validate);
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport ?? false;
    void loadStages(); // start loading the compiler while the client finishes its handshake
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', ' ', '=', '('] },
        definitionProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'sidc', version: '0.1.0' },
    };
  });

  async function validate(path: string): Promise<void> {
    const uri = uriOf.get(path);
    const doc = uri ? documents.get(uri) : undefined;
    if (!uri || !doc) return;
    const text = doc.getText();
    const version = doc.version;
    // Two rounds, like tsserver's syntactic then semantic diagnostics: the check alone (parse, resolve,
    // check, sweeps - every SID1xxx-3xxx/5xxx) answers fast; the full compile adds the plan's findings
    // (SID4xxx: memory over the device), which need lowering. Both rounds are published.
    for (const lower of [false, true]) {
      const diagnostics = await diagnose(text, path, lower);
      if (documents.get(uri)?.version !== version) return; // stale: a newer round is already scheduled
      published.set(uri, diagnostics);
      await connection.sendDiagnostics({ uri, version, diagnostics });
    }
  }

  async function diagnose(text: string, path: string, lower: boolean): Promise<LspDiagnostic[]> {
    try {
      compiler ??= new CompilerThread(false);
      const found = await compiler.compile(text, path, ws.open, lower);
      const site = importSite(path);
      // YAML/JSON recipes: names, types and units (SID1xxx-2xxx) are the JSON Schema's, shown by the
      // YAML/JSON language servers; the compiler adds what a schema cannot see (SID3xxx-5xxx)
      const shown = isDataFile(path) ? found.filter((d) => !/^SID[12]/.test(d.code)) : found;
      return shown.map((d) => toLsp(d, path, text, site));
    } catch (e) {
      // a compiler crash is a bug, not the user's mistake: say so in the file instead of going silent
      connection.console.error(`sidc: compiler failed on ${path}: ${(e as Error).stack ?? String(e)}`);
      return [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          message: `internal compiler error: ${(e as Error).message}`,
          source: 'sidc',
        },
      ];
    }
  }

  /** The import string in `path` through which `other` is reached (directly or via further imports). */
  function importSite(path: string) {
    return (other: string) => {
      for (const imp of ws.importsOf(path)) if (imp.path === other || ws.closure(imp.path).has(other)) return imp;
      return undefined;
    };
  }

  documents.onDidChangeContent((e) => {
    const path = uriToPath(e.document.uri);
    uriOf.set(path, e.document.uri);
    ws.open.set(path, e.document.getText());
    scheduler.touch(ws.dependents(path));
  });
  documents.onDidClose((e) => {
    const path = uriToPath(e.document.uri);
    const dependents = ws.dependents(path).filter((p) => p !== path);
    ws.open.delete(path);
    uriOf.delete(path);
    scheduler.forget(path);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    scheduler.touch(dependents); // they now see the file on disk again
  });
  // a file changed on disk (saved elsewhere, checked out): re-check the open recipes that import it
  connection.onDidChangeWatchedFiles((p) => {
    scheduler.touch(p.changes.flatMap((c) => ws.dependents(uriToPath(c.uri)).filter((d) => d !== uriToPath(c.uri))));
  });

  connection.onHover((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc || isDataFile(doc.uri)) return null;
    const h = hoverAt(doc.getText(), doc.offsetAt(p.position));
    if (!h) return null;
    const contents: MarkupContent = { kind: 'markdown', value: h.markdown };
    return { contents, range: { start: doc.positionAt(h.start), end: doc.positionAt(h.end) } };
  });

  connection.onCompletion((p): CompletionItem[] => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc || isDataFile(doc.uri)) return [];
    const path = uriToPath(doc.uri);
    const text = doc.getText();
    const afterSpace = p.context?.triggerCharacter === ' ';
    const r = completeAt(text, doc.offsetAt(p.position), { recipeNames: () => [...new Set(visibleRecipes(ws, path, text).map((x) => x.name))], afterSpace });
    const range = { start: doc.positionAt(r.start), end: doc.positionAt(r.end) };
    return r.items.map((it, i) => {
      const snippet = snippets && it.insert !== undefined;
      return {
        label: it.label,
        kind: ITEM_KINDS[it.kind],
        sortText: String(i).padStart(4, '0'),
        ...(it.detail ? { detail: it.detail } : {}),
        ...(it.doc ? { documentation: { kind: 'markdown', value: it.doc } } : {}),
        insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        textEdit: { range, newText: snippet ? it.insert! : it.label },
      };
    });
  });

  connection.onDefinition((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc || isDataFile(doc.uri)) return null;
    const path = uriToPath(doc.uri);
    const t = definitionAt(ws, path, doc.getText(), doc.offsetAt(p.position));
    if (!t) return null;
    const other = t.path === path ? doc : TextDocument.create(pathToUri(t.path), 'sid', 0, ws.read(t.path) ?? '');
    return { uri: uriOf.get(t.path) ?? pathToUri(t.path), range: { start: other.positionAt(t.start), end: other.positionAt(t.end) } };
  });

  connection.onDocumentSymbol(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const stages = await loadStages();
    if (!doc || !stages.parseSid || !doc.uri.endsWith('.sid')) return [];
    return documentSymbols(stages.parseSid(doc.getText(), uriToPath(doc.uri)).file);
  });

  connection.onDocumentFormatting(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const stages = await loadStages();
    if (!doc || !stages.formatSid || !doc.uri.endsWith('.sid')) return [];
    return formatEdits({ formatSid: stages.formatSid }, doc.getText(), uriToPath(doc.uri));
  });

  // clients that do not send `data` back get it from the diagnostics last published (same code and range)
  connection.onCodeAction((p) => {
    const mine = published.get(p.textDocument.uri) ?? [];
    const same = (a: LspDiagnostic, b: LspDiagnostic): boolean => a.code === b.code && JSON.stringify(a.range) === JSON.stringify(b.range);
    return quickFixes(p.context.diagnostics.map((d) => (d.data ? d : (mine.find((m) => same(m, d)) ?? d))));
  });

  connection.onShutdown(async () => {
    await compiler?.dispose();
  });

  documents.listen(connection);
  connection.listen();
}
