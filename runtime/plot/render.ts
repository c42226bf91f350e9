// The one way plots become files: a vega-lite spec is rendered (vega -> SVG -> resvg PNG) and written as
// NAME.vl.json (to open and restyle in any vega-lite editor), NAME.svg and NAME.png, each atomically.
//
// vega renders asynchronously, but the runtime's plotting callers (the training loop among them) are
// synchronous. So rendering runs in a worker thread, started on the first plot, and this thread blocks on
// a shared flag until the answer is there - plotting stays a plain function call, and commands that never
// plot never start the worker or load vega.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../../common/errors.js';
import { writeFileAtomic } from '../formats/atomic.js';
import type { RenderOptions, Rendered } from './render-vega.js';

export type { Rendered, RenderOptions, ScaleInfo } from './render-vega.js';

/** Longest a render may take (the first one also loads vega, ~1-3 s) before it counts as hung. */
const TIMEOUT_MS = 120_000;
/** The answer count a worker that failed to start sets: far above any number of renders. */
const FAILED = 1 << 30;

// The worker's entry is this small script, not render-worker.js itself: a module loader the process
// runs under (tsx for the sources) is in place by the time it imports, and an entry that fails to
// load is reported instead of leaving the caller waiting.
// (Node 20 does not run tsx's --import hook in workers: sources register tsx themselves.)
const BOOT = `
const { workerData } = require('node:worker_threads');
const tsx = workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
tsx.then(() => import(workerData.entry)).catch((e) => {
  workerData.port.postMessage({ error: 'cannot start the plot renderer: ' + (e && e.message ? e.message : String(e)) });
  Atomics.store(workerData.flag, 0, ${FAILED});
  Atomics.notify(workerData.flag, 0);
});`;

interface Bridge {
  worker: Worker;
  port: MessagePort;
  /** [0]: answers given so far */
  flag: Int32Array;
  sent: number;
}
let bridge: Bridge | undefined;

/** file URL of tsx's ESM register API (its "require" export would load the CJS twin). */
function tsxEsmApi(): string {
  const dir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(join(dir, 'dist/esm/api/index.mjs')).href;
}

function startBridge(): Bridge {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // under tsx the sources run as .ts; compiled, as .js
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './render-worker.ts' : './render-worker.js', import.meta.url).href;
  const tsx = fromSources ? tsxEsmApi() : undefined;
  const worker = new Worker(BOOT, { eval: true, workerData: { entry, tsx, port: port2, flag }, transferList: [port2] });
  worker.unref(); // an idle renderer never keeps the process alive
  port1.unref();
  return { worker, port: port1, flag, sent: 0 };
}

function forget(b: Bridge): void {
  void b.worker.terminate();
  b.port.close();
  bridge = undefined;
}

/** Renders a vega-lite spec to SVG and PNG; throws vega-lite's or vega's message on a bad spec. */
export function renderSpec(spec: TopLevelSpec, opts: RenderOptions = {}): Rendered {
  const b = (bridge ??= startBridge());
  const want = ++b.sent;
  b.worker.postMessage({ spec, scale: opts.scale ?? 1 });
  const deadline = Date.now() + TIMEOUT_MS;
  for (let seen = Atomics.load(b.flag, 0); seen < want; seen = Atomics.load(b.flag, 0)) {
    if (Date.now() > deadline) {
      forget(b);
      throw new Error(`plot rendering gave no answer in ${TIMEOUT_MS / 1000} s`);
    }
    Atomics.wait(b.flag, 0, seen, Math.max(1, deadline - Date.now()));
  }
  const failed = Atomics.load(b.flag, 0) >= FAILED;
  const reply = receiveMessageOnPort(b.port)?.message as { ok?: Rendered; error?: string } | undefined;
  if (failed) forget(b); // the next plot tries a fresh worker
  if (!reply?.ok) {
    const why = reply?.error ?? 'no reply from the render worker';
    if (/Cannot find (package|module) '(vega|vega-lite|@resvg\/resvg-js)'/.test(why))
      throw new UserError(`plots need vega, vega-lite and @resvg/resvg-js, which are not installed: run \`npm ci\` in sidc's folder`, 2);
    throw new Error(`plot rendering failed: ${why}`);
  }
  return reply.ok;
}

/** Indented JSON with each flat object (a data row, a scale) on one line: readable, and a third the size. */
export function specJson(spec: TopLevelSpec): string {
  const flat = /\{\n\s*("(?:[^"\\]|\\.)*": (?:"(?:[^"\\]|\\.)*"|[^{}[\]",\n]+),?\n\s*)+\}/g;
  return JSON.stringify(spec, null, 1).replace(flat, (m) => m.replace(/\n\s*/g, ' ').replace(/^\{ /, '{').replace(/ \}$/, '}')) + '\n';
}

/** `a/b/loss.png` -> `a/b/loss` (the stem the .vl.json, .svg and .png share). */
export const plotStem = (pngPath: string): string => pngPath.replace(/\.png$/i, '');

/** Renders `spec` and writes STEM.vl.json, STEM.svg and STEM.png (STEM = `pngPath` without .png). */
export function writePlot(pngPath: string, spec: TopLevelSpec, opts: RenderOptions = {}): Rendered {
  const r = renderSpec(spec, opts);
  const stem = plotStem(pngPath);
  writeFileAtomic(`${stem}.vl.json`, specJson(spec));
  writeFileAtomic(`${stem}.svg`, r.svg);
  writeFileAtomic(pngPath, r.png);
  return r;
}
