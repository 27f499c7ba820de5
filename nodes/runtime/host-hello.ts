/**
 * A host's hello to the coordinator: said when the host starts, repeated until the run starts (a coordinator may
 * begin to listen later: local hosts are started before it does), and said again at once when the coordinator's
 * first heartbeat shows it listens, so joining does not wait for the next repetition. Only the first: the
 * coordinator answers each hello with a heartbeat.
 */
import { hostname as osHostname } from "node:os";
import type { Transport } from "./transport/transport.ts";
import { wire } from "./wire.ts";

export class HostHello {
  private readonly say: () => void;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private answered = false;

  constructor(transport: Transport, subject: string, host: number, intervalMs: number) {
    const bytes = wire.HostHello.encode({
      host,
      hostname: osHostname(),
      pid: process.pid,
      runtime: `node ${process.version}`,
    }).finish();
    this.say = () => transport.publish(subject, bytes);
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.say();
    this.timer = setInterval(this.say, this.intervalMs);
  }

  /** The coordinator's heartbeat: the first is answered with a hello, unless the run started. */
  heartbeat(): void {
    if (this.timer === undefined || this.answered) return;
    this.answered = true;
    this.say();
  }

  /** The run started (or this host stopped): no more hellos. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
