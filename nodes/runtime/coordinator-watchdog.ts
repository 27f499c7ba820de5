/**
 * A host's watch on its coordinator: once the run started, anything from the coordinator (a grant, its 1 s
 * heartbeat `sync.alive`) counts as a sign of life; when none comes for `timeoutMs`, `onSilent` is called once.
 */
export class CoordinatorWatchdog {
  private lastHeardMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly onSilent: () => void;

  constructor(timeoutMs: number, onSilent: () => void) {
    this.timeoutMs = timeoutMs;
    this.onSilent = onSilent;
  }

  start(): void {
    this.lastHeardMs = performance.now();
    this.timer = setInterval(
      () => {
        if (performance.now() - this.lastHeardMs <= this.timeoutMs) return;
        this.stop();
        this.onSilent();
      },
      Math.min(1_000, this.timeoutMs),
    );
  }

  heard(): void {
    this.lastHeardMs = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
