/**
 * In-process transport: exact-subject delivery between objects in one process. Delivery is asynchronous (a
 * microtask queue drained in publish order), like a network, so code cannot come to rely on re-entrancy that
 * NATS would not give it.
 */
import type { MessageHandler, Subscription, Transport } from "./transport.ts";

export class InProcTransport implements Transport {
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly pending: { subject: string; payload: Uint8Array }[] = [];
  private draining = false;
  private closed = false;

  publish(subject: string, payload: Uint8Array): void {
    if (this.closed) return;
    this.pending.push({ subject, payload });
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
  }

  subscribe(subject: string, handler: MessageHandler): Subscription {
    let set = this.handlers.get(subject);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(subject, set);
    }
    set.add(handler);
    return { unsubscribe: () => set.delete(handler) };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }

  private drain(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const { subject, payload } = this.pending[i]!;
      const set = this.handlers.get(subject);
      if (set === undefined) continue;
      for (const handler of set) handler(payload, subject);
    }
    this.pending.length = 0;
    this.draining = false;
  }
}
