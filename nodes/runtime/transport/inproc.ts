/**
 * In-process transport: delivery between objects in one process, with NATS subject matching (a `*` token matches
 * one token, a final `>` the rest), since the run protocol subscribes to wildcards (every host's window report).
 * Delivery is asynchronous (a microtask queue drained in publish order), like a network, so code cannot come to
 * rely on re-entrancy that NATS would not give it.
 */
import type { MessageHandler, Subscription, Transport } from "./transport.ts";

interface Sub {
  readonly handler: MessageHandler;
  /** The pattern's tokens for a wildcard subscription; undefined for an exact subject. */
  readonly tokens: readonly string[] | undefined;
  active: boolean;
}

/** Subjects whose subscribers are remembered between publishes; beyond this the memory starts over. */
const MAX_ROUTES = 4096;

export class InProcTransport implements Transport {
  private readonly exact = new Map<string, Set<Sub>>();
  private readonly wildcards = new Set<Sub>();
  /** Subscribers per published subject, worked out once and forgotten whenever a subscription changes. */
  private readonly routes = new Map<string, Sub[]>();
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

  /** Messages go whole, never in fragments. */
  droppedFragments(): number {
    return 0;
  }

  subscribe(subject: string, handler: MessageHandler): Subscription {
    const tokens = subject.split(".");
    const wildcard = tokens.includes("*") || tokens.includes(">");
    const sub: Sub = { handler, tokens: wildcard ? tokens : undefined, active: true };
    let set: Set<Sub> | undefined;
    if (wildcard) this.wildcards.add(sub);
    else {
      set = this.exact.get(subject);
      if (set === undefined) this.exact.set(subject, (set = new Set()));
      set.add(sub);
    }
    this.routes.clear();
    return {
      unsubscribe: () => {
        sub.active = false;
        if (wildcard) this.wildcards.delete(sub);
        else set!.delete(sub);
        this.routes.clear();
      },
    };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.exact.values()) for (const sub of set) sub.active = false;
    for (const sub of this.wildcards) sub.active = false;
    this.exact.clear();
    this.wildcards.clear();
    this.routes.clear();
  }

  private drain(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const { subject, payload } = this.pending[i]!;
      // A subscription ended by an earlier handler of the same message gets no more messages.
      for (const sub of this.route(subject)) if (sub.active) sub.handler(payload, subject);
    }
    this.pending.length = 0;
    this.draining = false;
  }

  private route(subject: string): Sub[] {
    let subs = this.routes.get(subject);
    if (subs === undefined) {
      subs = [...(this.exact.get(subject) ?? [])];
      if (this.wildcards.size > 0) {
        const tokens = subject.split(".");
        for (const sub of this.wildcards) if (subjectMatches(sub.tokens!, tokens)) subs.push(sub);
      }
      if (this.routes.size >= MAX_ROUTES) this.routes.clear();
      this.routes.set(subject, subs);
    }
    return subs;
  }
}

/** NATS matching: `*` is any one token, a final `>` one or more tokens, anything else itself. */
export function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i]!;
    if (token === ">" && i === pattern.length - 1) return subject.length > i;
    if (i >= subject.length || (token !== "*" && token !== subject[i])) return false;
  }
  return pattern.length === subject.length;
}
