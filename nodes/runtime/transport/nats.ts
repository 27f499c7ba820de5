/**
 * NATS transport on @nats-io/transport-node. Subscriptions use callbacks (no async iterator per message), which is
 * the fast path of nats.js for high message rates. A message above the server's max_payload goes in fragments
 * (fragments.ts), so scenarios of any size run on a server with the default 1 MB limit.
 */
import { headers } from "@nats-io/nats-core";
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { FRAGMENT_HEADER, Fragmenter, Reassembler } from "./fragments.ts";
import { natsConnectionOptions, type NatsAuth } from "./nats-auth.ts";
import type { MessageHandler, Subscription, Transport } from "./transport.ts";

/** NATS would not let us in (credentials, TLS) or could not be reached; the message says which and where. */
export class NatsConnectError extends Error {
  override name = "NatsConnectError";
}

export class NatsTransport implements Transport {
  private readonly nc: NatsConnection;
  private readonly fragmenter = new Fragmenter();
  /** One per subscription (unsubscribed ones too: their dropped pieces still count). */
  private readonly reassemblers: Reassembler[] = [];

  private constructor(nc: NatsConnection) {
    this.nc = nc;
  }

  static async connect(
    servers: string | string[],
    options: Omit<ConnectionOptions, "servers"> = {},
    auth: NatsAuth = {},
  ): Promise<NatsTransport> {
    const authOptions = natsConnectionOptions(auth);
    try {
      const nc = await connect({ servers, name: "dctwin", maxReconnectAttempts: 10, ...authOptions, ...options });
      return new NatsTransport(nc);
    } catch (error) {
      const reason =
        error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
          : String(error);
      throw new NatsConnectError(`cannot connect to NATS at ${[servers].flat().join(", ")}: ${reason}`);
    }
  }

  publish(subject: string, payload: Uint8Array): void {
    const fragments = this.fragmenter.split(payload, this.nc.info?.max_payload ?? Number.POSITIVE_INFINITY);
    if (fragments === null) return this.nc.publish(subject, payload);
    for (const fragment of fragments) {
      const h = headers();
      h.set(FRAGMENT_HEADER, fragment.header);
      this.nc.publish(subject, fragment.data, { headers: h });
    }
  }

  subscribe(subject: string, handler: MessageHandler): Subscription {
    const pieces = new Reassembler();
    this.reassemblers.push(pieces);
    const sub = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) return;
        const fragment = msg.headers?.get(FRAGMENT_HEADER);
        if (!fragment) return handler(msg.data, msg.subject);
        const whole = pieces.add(fragment, msg.data);
        if (whole !== null) handler(whole, msg.subject);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  droppedFragments(): number {
    return this.reassemblers.reduce((n, r) => n + r.malformed, 0);
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }

  /** Resolves when the connection closes for good (with the error, if it closed because of one). */
  // biome-ignore lint/suspicious/noConfusingVoidType: the type nats.js gives closed()
  closed(): Promise<void | Error> {
    return this.nc.closed();
  }
}
