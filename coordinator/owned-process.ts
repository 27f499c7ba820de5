/**
 * A child process this process owns (a private nats-server, a test's Prometheus): killed if we exit first, and
 * stopped politely (SIGTERM, then SIGKILL after a grace period) by `stop()`, which resolves once it is gone.
 */
import type { ChildProcess } from "node:child_process";

export class OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  private readonly onExit = () => this.child.kill("SIGKILL");

  constructor(child: ChildProcess) {
    this.child = child;
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    process.once("exit", this.onExit);
  }

  async stop(graceMs = 5_000): Promise<void> {
    process.removeListener("exit", this.onExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
