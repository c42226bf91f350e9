// The one way plots become files: a vega-lite spec is rendered (vega -> SVG -> resvg PNG) and written as
// NAME.vl.json (to open and restyle in any vega-lite editor), NAME.svg and NAME.png, each atomically.
//
// vega renders asynchronously, but the runtime's plotting callers (the training loop among them) are
// synchronous. So rendering runs in a worker thread, started on the first plot, and this thread blocks on
// a shared flag until the answer is there - plotting stays a plain function call, and commands that never
// plot never start the worker or load vega.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../../compiler/cli/command.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { RenderOptions, Rendered } from './render-vega.js';

export type { Rendered, RenderOptions, ScaleInfo } from './render-vega.js';

/** Longest a render may take (the first one also loads vega, ~1-3 s) before it counts as hung. */
const TIMEOUT_MS = 120_000;

interface Bridge {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}
let bridge: Bridge | undefined;

function startBridge(): Bridge {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // under tsx the sources run as .ts; compiled, as .js
  const url = new URL(import.meta.url.endsWith('.ts') ? './render-worker.ts' : './render-worker.js', import.meta.url);
  const worker = new Worker(url, { workerData: { port: port2, flag }, transferList: [port2] });
  worker.unref(); // an idle renderer never keeps the process alive
  port1.unref();
  return { worker, port: port1, flag };
}

/** Renders a vega-lite spec to SVG and PNG; throws vega-lite's or vega's message on a bad spec. */
export function renderSpec(spec: TopLevelSpec, opts: RenderOptions = {}): Rendered {
  bridge ??= startBridge();
  Atomics.store(bridge.flag, 0, 0);
  bridge.worker.postMessage({ spec, scale: opts.scale ?? 1 });
  if (Atomics.wait(bridge.flag, 0, 0, TIMEOUT_MS) === 'timed-out') {
    void bridge.worker.terminate();
    bridge = undefined;
    throw new Error(`plot rendering gave no answer in ${TIMEOUT_MS / 1000} s`);
  }
  const reply = receiveMessageOnPort(bridge.port)?.message as { ok?: Rendered; error?: string } | undefined;
  if (!reply?.ok) {
    const why = reply?.error ?? 'no reply from the render worker';
    if (/Cannot find (package|module) '(vega|vega-lite|@resvg\/resvg-js)'/.test(why)) throw new UserError(`plots need vega, vega-lite and @resvg/resvg-js, which are not installed: run \`npm ci\` in sidc's folder`, 2);
    throw new Error(`plot rendering failed: ${why}`);
  }
  return reply.ok;
}

/** `a/b/loss.png` -> `a/b/loss` (the stem the .vl.json, .svg and .png share). */
export const plotStem = (pngPath: string): string => pngPath.replace(/\.png$/i, '');

/** Renders `spec` and writes STEM.vl.json, STEM.svg and STEM.png (STEM = `pngPath` without .png). */
export function writePlot(pngPath: string, spec: TopLevelSpec, opts: RenderOptions = {}): Rendered {
  const r = renderSpec(spec, opts);
  const stem = plotStem(pngPath);
  writeFileAtomic(`${stem}.vl.json`, JSON.stringify(spec, null, 1) + '\n');
  writeFileAtomic(`${stem}.svg`, r.svg);
  writeFileAtomic(pngPath, r.png);
  return r;
}
