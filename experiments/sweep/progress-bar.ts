// One progress bar on stderr for a sweep: runs done out of total, and the time left at the pace so far.

import { performance } from "node:perf_hooks";

export class ProgressBar {
  private done = 0;
  private readonly started = performance.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly total: number,
    private readonly label: string,
  ) {
    if (total > 0) this.draw();
  }

  tick(): void {
    this.done++;
    this.draw();
  }

  private draw(): void {
    const elapsedSec = (performance.now() - this.started) / 1000;
    const etaSec = this.done === 0 ? Number.NaN : (elapsedSec / this.done) * (this.total - this.done);
    const width = 28;
    const filled = Math.round((width * this.done) / Math.max(1, this.total));
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const eta = Number.isNaN(etaSec) ? "…" : `${Math.ceil(etaSec)}s left`;
    const text = `${this.label} ${bar} ${this.done}/${this.total} runs, ${elapsedSec.toFixed(0)}s elapsed, ${eta}`;
    if (this.tty) process.stderr.write(`\r${text}${this.done === this.total ? "\n" : ""}`);
    else if (this.done === this.total || this.done % Math.max(1, Math.ceil(this.total / 10)) === 0) {
      process.stderr.write(`${text}\n`);
    }
  }
}
