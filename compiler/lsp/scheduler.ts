// Coalesced validation with a debounce for bursts. A change marks documents dirty. A change that comes
// more than `delayMs` after the previous one starts compiling at once (an isolated edit is answered
// without waiting); inside a burst (changes closer than `delayMs`) it waits for `delayMs` of quiet. Changes that arrive during a compile only mark documents
// dirty again, so typing never queues a backlog: each document is compiled at most once more, with its
// latest text.
export class Scheduler {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastChange = -Infinity; // when the previous change came (ms, performance.now)

  constructor(
    private readonly delayMs: number,
    private readonly validate: (key: string) => Promise<void>,
  ) {}

  touch(keys: Iterable<string>): void {
    for (const k of keys) this.dirty.add(k);
    const now = performance.now();
    const quiet = now - this.lastChange >= this.delayMs; // changes further apart than the debounce: no burst
    this.lastChange = now;
    if (this.running) return; // picked up when the current round ends
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), quiet ? 0 : this.delayMs);
  }

  forget(key: string): void {
    this.dirty.delete(key);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      while (this.dirty.size) {
        const [key] = this.dirty;
        this.dirty.delete(key!);
        await this.validate(key!);
      }
    } finally {
      this.running = false;
    }
  }
}
