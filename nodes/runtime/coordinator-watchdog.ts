/**
 * A host's watch on its coordinator: from the first sign of life (its 1 s heartbeat `sync.alive`, which it sends
 * from before any host joins, or the run's start), anything from the coordinator counts; when none comes for
 * `timeoutMs`, `onSilent` is called once. A host that heard its coordinator and then never got the start (the
 * coordinator died in between) exits too. Time this host's own event loop was blocked (building a large shard,
 * restoring a snapshot) does not count: the heartbeats that came meanwhile wait in its socket, unread.
 */
export class CoordinatorWatchdog {
  private lastHeardMs = 0;
  private lastTickMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly timeoutMs: number;
  private readonly onSilent: () => void;

  constructor(timeoutMs: number, onSilent: () => void) {
    this.timeoutMs = timeoutMs;
    this.onSilent = onSilent;
  }

  start(): void {
    this.lastHeardMs = performance.now();
    if (this.timer !== undefined || this.stopped) return;
    const periodMs = Math.min(1_000, this.timeoutMs);
    this.lastTickMs = this.lastHeardMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      const blockedMs = Math.max(0, now - this.lastTickMs - periodMs);
      this.lastTickMs = now;
      this.lastHeardMs += blockedMs; // the loop was busy, not the coordinator silent
      if (now - this.lastHeardMs <= this.timeoutMs) return;
      this.stop();
      this.onSilent();
    }, periodMs);
  }

  heard(): void {
    this.start();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
