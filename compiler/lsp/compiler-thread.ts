// The compiler on a worker thread (compile-worker.ts), with the same answer as an in-process call. If the
// worker cannot start or dies, compiles run in-process from then on: slower to interact with, never wrong.
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/types.js';
import type { CompileRequest } from './compile-worker.js';
import { loadStages } from './stages.js';
import { CheckCache } from '../incremental.js';

type Pending = { resolve: (d: Diagnostic[]) => void; reject: (e: Error) => void };

export class CompilerThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly cache = new CheckCache(); // for in-process compiles
  private next = 0;
  private loaded = false; // until the worker has loaded the compiler and is warm, compiles run in-process
  /** the latest request per document, replayed on the worker before it takes over (a warm cache and JIT) */
  private readonly recent = new Map<string, CompileRequest>();
  private settle: (ok: boolean) => void = () => {};
  /** Resolves true once the worker serves compiles, false if there is none (tests, diagnostics). */
  readonly ready: Promise<boolean> = new Promise((resolve) => (this.settle = resolve));

  constructor(useWorker: boolean) {
    if (!useWorker) {
      this.settle(false);
      return;
    }
    try {
      const w = startWorker();
      w.on('message', (m: { id: number; ready?: true; diagnostics?: Diagnostic[]; error?: string }) => {
        if (m.ready) {
          void this.warm(w);
          return;
        }
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (this.pending.size === 0) w.unref(); // idle: never keep the process alive
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.diagnostics ?? []);
      });
      w.on('error', () => this.fallback());
      w.on('exit', () => this.fallback());
      this.worker = w; // ref'd while it loads; unref'd whenever idle
    } catch {
      this.worker = undefined;
      this.settle(false);
    }
  }

  /** Compile every document seen so far on the worker once, then hand compiles over to it. */
  private async warm(w: Worker): Promise<void> {
    try {
      for (const req of this.recent.values()) await this.post(w, { ...req, lower: true });
    } catch {
      // a failed warm-up compile is reported again when that document is next compiled
    }
    this.recent.clear();
    this.loaded = true;
    this.settle(true);
    if (this.pending.size === 0) w.unref();
  }

  private post(w: Worker, req: Omit<CompileRequest, 'id'>): Promise<Diagnostic[]> {
    const id = this.next++;
    const done = new Promise<Diagnostic[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    w.ref(); // busy: keep the process alive until the answer comes
    w.postMessage({ ...req, id });
    return done;
  }

  /** `lower: false` checks without lowering and planning: the same diagnostics minus the plan's (SID4xxx). */
  async compile(text: string, path: string, overlay: ReadonlyMap<string, string>, lower = true): Promise<Diagnostic[]> {
    if (this.worker && this.loaded) {
      try {
        return await this.post(this.worker, { text, path, overlay: [...overlay], lower });
      } catch (e) {
        if (this.worker) throw e; // the compiler failed on this input: report it
      }
    }
    if (this.worker) this.recent.set(path, { id: -1, text, path, overlay: [...overlay], lower });
    const stages = await loadStages();
    return (await stages.compileSource!(text, path, { overlay, lower, cache: this.cache })).diagnostics;
  }

  /** The worker is gone: answer what was waiting in-process, and stop using it. */
  private fallback(): void {
    this.worker = undefined;
    this.settle(false);
    for (const p of this.pending.values()) p.reject(new Error('compiler worker stopped'));
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}

/** Compiled: the worker module itself. From source (tsx): a bootstrap that registers tsx in the thread first. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./compile-worker.js', import.meta.url));
  const url = JSON.stringify(new URL('./compile-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${url}); });`, { eval: true });
}
