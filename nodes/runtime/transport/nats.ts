/**
 * NATS transport on @nats-io/transport-node. Subscriptions use callbacks (no async iterator per message), which is
 * the fast path of nats.js for high message rates.
 */
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { natsConnectionOptions, type NatsAuth } from "./nats-auth.ts";
import type { MessageHandler, Subscription, Transport } from "./transport.ts";

/** NATS would not let us in (credentials, TLS) or could not be reached; the message says which and where. */
export class NatsConnectError extends Error {
  override name = "NatsConnectError";
}

export class NatsTransport implements Transport {
  private readonly nc: NatsConnection;

  private constructor(nc: NatsConnection) {
    this.nc = nc;
  }

  static async connect(servers: string | string[], options: Omit<ConnectionOptions, "servers"> = {}, auth: NatsAuth = {}): Promise<NatsTransport> {
    const authOptions = natsConnectionOptions(auth);
    try {
      const nc = await connect({ servers, name: "dctwin", maxReconnectAttempts: 10, ...authOptions, ...options });
      return new NatsTransport(nc);
    } catch (error) {
      const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
      throw new NatsConnectError(`cannot connect to NATS at ${[servers].flat().join(", ")}: ${reason}`);
    }
  }

  publish(subject: string, payload: Uint8Array): void {
    this.nc.publish(subject, payload);
  }

  subscribe(subject: string, handler: MessageHandler): Subscription {
    const sub = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error === null) handler(msg.data, msg.subject);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }

  /** Resolves when the connection closes for good (with the error, if it closed because of one). */
  closed(): Promise<void | Error> {
    return this.nc.closed();
  }
}
