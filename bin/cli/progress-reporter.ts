/**
 * Progress on stderr for long runs, only when stderr is a terminal: redirected output and CI logs
 * stay clean. Redraws at most a few times a second.
 */
export class ProgressReporter {
  private readonly enabled = process.stderr.isTTY === true;
  private readonly startedAt = performance.now();
  private lastDrawAt = 0;

  constructor(
    private readonly verb: string,
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDrawAt < 250) return;
    this.lastDrawAt = now;
    const percent = this.total > 0 ? ` (${Math.floor((done / this.total) * 100)}%)` : '';
    process.stderr.write(
      `\r${this.verb} ${done.toLocaleString('en-US')} / ${this.total.toLocaleString('en-US')} ${this.unit}${percent}`,
    );
  }

  finish(done: number): void {
    if (!this.enabled || this.lastDrawAt === 0) return;
    const seconds = (performance.now() - this.startedAt) / 1000;
    process.stderr.write(
      `\r${this.verb} ${done.toLocaleString('en-US')} ${this.unit} in ${seconds.toFixed(1)} s\x1b[K\n`,
    );
  }
}
