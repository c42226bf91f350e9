// Progress reporting: a redrawn bar on a TTY, plain lines otherwise (logs, CI, pipes).
import type { CliIO } from '../../common/io.js';

export class Progress {
  private lastPlain = 0;
  private readonly t0 = performance.now();
  private readonly c0 = process.cpuUsage();

  constructor(
    private readonly io: CliIO,
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, info: string): void {
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const el = (performance.now() - this.t0) / 1000;
    const eta = frac > 0 ? el / frac - el : 0;
    if (this.io.isTTY) {
      const w = 24;
      const bar = '#'.repeat(Math.round(frac * w)).padEnd(w, '.');
      this.io.stdout(`\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${info} eta ${eta.toFixed(0)}s   `);
    } else if (frac === 1 || performance.now() - this.lastPlain > 5000) {
      this.lastPlain = performance.now();
      const cpu = process.cpuUsage(this.c0);
      this.io.stdout(
        `${this.label} ${done}/${this.total} images (${(frac * 100).toFixed(0)}%) ${info} ${el.toFixed(0)}s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)}s)\n`,
      );
    }
  }

  done(): void {
    if (this.io.isTTY) this.io.stdout('\n');
  }
}
