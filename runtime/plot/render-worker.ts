// Worker half of render.ts: renders each spec it is sent and answers on the port it was given at start;
// then it raises the shared answer count, which wakes the waiting thread. Errors travel back as messages.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { renderSpecAsync } from './render-vega.js';

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

parentPort!.on('message', (job: { spec: TopLevelSpec; scale: number }) => {
  renderSpecAsync(job.spec, { scale: job.scale })
    .then(
      (r) => port.postMessage({ ok: r }, [r.png.buffer as ArrayBuffer]),
      (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }),
    )
    .finally(() => {
      Atomics.add(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
