/**
 * Loopback ports for tests, never a service's default port. Not from the OS's ephemeral range: a port found free
 * there (bind to port 0) is free only until an outgoing connection of a test running alongside takes it as its
 * local port, and a process that binds it seconds later (a container, a nats-server route) then fails; that made
 * a pod of the kube test miss its cluster once. Ports below the range are handed to listeners only, and this
 * process never hands out the same one twice.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOWEST = 10_000;
const given = new Set<number>();

/** The first port of the OS's ephemeral range (Linux's; elsewhere, and if unreadable, the IANA range's 49152). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : LOWEST;
  } catch {
    return 49_152;
  }
}
const EPHEMERAL_LOW = ephemeralLow();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** An OS-chosen free port (bind to port 0), when no range below the ephemeral one is known. */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A port free on 127.0.0.1 right now, below the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  if (EPHEMERAL_LOW <= LOWEST) return anyFreePort();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (EPHEMERAL_LOW - LOWEST));
    if (given.has(port) || !(await canListen(port))) continue;
    given.add(port);
    return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${EPHEMERAL_LOW}`);
}
