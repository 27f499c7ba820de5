/**
 * The hosts that said hello. A hello is trusted only on its host's own subject; a second process claiming a host
 * fails the run.
 */
import { tryDecode, wire } from "../../nodes/runtime/wire.ts";
import { HostFailedError, type HostInfo } from "./run-types.ts";

export class HostRoster {
  private readonly hellos = new Map<number, HostInfo>();

  get size(): number {
    return this.hellos.size;
  }

  /** The hosts, by index. */
  list(): HostInfo[] {
    return [...this.hellos.values()].sort((a, b) => a.host - b.host);
  }

  /** A hello on host `from`'s subject: "malformed" when it cannot be trusted, an error when two claim a host. */
  hello(bytes: Uint8Array, from: number): "ok" | "malformed" | HostFailedError {
    const hello = tryDecode(wire.HostHello, bytes);
    if (hello === undefined || hello.host !== from) return "malformed";
    const known = this.hellos.get(hello.host);
    if (known !== undefined && (known.pid !== hello.pid || known.hostname !== hello.hostname)) {
      return new HostFailedError(
        `two processes claim host ${hello.host}: pid ${known.pid} on ${known.hostname} and pid ${hello.pid} on ${hello.hostname}`,
      );
    }
    this.hellos.set(hello.host, { host: hello.host, hostname: hello.hostname, pid: hello.pid, runtime: hello.runtime });
    return "ok";
  }
}
