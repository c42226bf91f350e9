// Runs compileSource off the server's main thread, so hover and completion answer at once while a large
// file compiles. Messages: { id, text, path, overlay: [path, text][] } -> { id, diagnostics } | { id, error };
// { ready: true } is sent once, when the compiler is loaded and requests can come. One CheckCache lives
// as long as the thread: an edit re-checks only the recipes whose extends chain changed (incremental.ts).
import { parentPort } from 'node:worker_threads';
import { compileSource } from '../api.js';
import { CheckCache } from '../incremental.js';

export interface CompileRequest {
  id: number;
  text: string;
  path: string;
  overlay: [string, string][];
  /** false: check only (no lowering, no plan) - the fast first round of diagnostics */
  lower?: boolean;
}

const cache = new CheckCache();

parentPort?.on('message', (m: CompileRequest) => {
  try {
    const r = compileSource(m.text, m.path, { overlay: new Map(m.overlay), lower: m.lower !== false, cache });
    parentPort!.postMessage({ id: m.id, diagnostics: r.diagnostics });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) });
  }
});

parentPort?.postMessage({ ready: true });
