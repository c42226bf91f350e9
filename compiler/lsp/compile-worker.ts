// Runs compileSource off the server's main thread, so hover and completion answer at once while a large
// file compiles. Messages: { id, text, path, overlay: [path, text][] } -> { id, diagnostics } | { id, error };
// { ready: true } is sent once, when the compiler is loaded and requests can come.
import { parentPort } from 'node:worker_threads';
import { compileSource } from '../api.js';

export interface CompileRequest {
  id: number;
  text: string;
  path: string;
  overlay: [string, string][];
  /** false: check only (no lowering, no plan) - the fast first round of diagnostics */
  lower?: boolean;
}

parentPort?.on('message', (m: CompileRequest) => {
  try {
    const r = compileSource(m.text, m.path, { overlay: new Map(m.overlay), lower: m.lower !== false });
    parentPort!.postMessage({ id: m.id, diagnostics: r.diagnostics });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) });
  }
});

parentPort?.postMessage({ ready: true });
