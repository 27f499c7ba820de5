/** The error notices a nats-server sends one client (permission violations arrive this way, not as exceptions). */
import type { NatsConnection, Status } from "@nats-io/transport-node";

/** Collects the server's error notices to `nc` from now on, in the array returned. */
export function serverErrors(nc: NatsConnection): string[] {
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status() as AsyncIterable<Status>) if (s.type === "error") errors.push(s.error.message);
  })();
  return errors;
}
