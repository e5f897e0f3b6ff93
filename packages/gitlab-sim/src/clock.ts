/**
 * The simulator's clock. Real time by default; tests switch it to virtual time and
 * advance it, so a ten-minute deployment takes no wall-clock time. Timers registered
 * with `at()` fire when the clock passes their due time (on `advance()`, or on real
 * time when not virtual).
 */
export class SimClock {
  private virtualNow: number | undefined;
  private readonly timers: { due: number; fn: () => void }[] = [];
  private realTimer: NodeJS.Timeout | undefined;

  constructor(start?: Date) {
    if (start) this.virtualNow = start.getTime();
  }

  /** Whether time only moves when `advance()` is called. */
  get isVirtual(): boolean {
    return this.virtualNow !== undefined;
  }

  /** Milliseconds since the epoch, virtual or real. */
  now(): number {
    return this.virtualNow ?? Date.now();
  }

  /** The current time as an ISO 8601 UTC string with milliseconds, as GitLab renders times. */
  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Switches to virtual time, frozen at the current (or given) instant. */
  freeze(at?: Date): void {
    this.virtualNow = (at ?? new Date(this.now())).getTime();
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  /** Moves virtual time forward and fires every timer that became due, in due order. */
  advance(ms: number): void {
    if (this.virtualNow === undefined) this.freeze();
    const target = (this.virtualNow as number) + Math.max(0, ms);
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due);
      const first = this.timers[0];
      if (!first || first.due > target) break;
      this.timers.shift();
      this.virtualNow = Math.max(this.virtualNow as number, first.due);
      first.fn();
    }
    this.virtualNow = target;
  }

  /** Runs `fn` once the clock reaches `due` (ms since epoch). */
  at(due: number, fn: () => void): void {
    this.timers.push({ due, fn });
    if (!this.isVirtual) this.scheduleReal();
  }

  /** Runs `fn` after `ms` of simulator time. */
  after(ms: number, fn: () => void): void {
    this.at(this.now() + ms, fn);
  }

  /** Drops every pending timer (used on close). */
  clear(): void {
    this.timers.length = 0;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  private scheduleReal(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.timers.sort((a, b) => a.due - b.due);
    const first = this.timers[0];
    if (!first) return;
    this.realTimer = setTimeout(
      () => {
        this.realTimer = undefined;
        const now = Date.now();
        while (this.timers[0] && this.timers[0].due <= now) this.timers.shift()?.fn();
        if (!this.isVirtual) this.scheduleReal();
      },
      Math.max(0, first.due - Date.now()),
    );
    this.realTimer.unref();
  }
}
