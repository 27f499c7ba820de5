/**
 * Which transport `dctwin run` uses when none is named: NATS when a server is given or one can be started, else
 * in-process (a first run on a bare machine works; the results are the same by construction). A NATS transport
 * that was asked for stays an error without a server.
 */
import { InvalidArgumentError } from "commander";
import { findExecutable, natsServerBinary } from "../../coordinator/nats-server.ts";
import type { TransportKind } from "../../coordinator/run.ts";

export function chooseTransport(
  opts: { transport?: TransportKind; nats?: string; join?: boolean },
  log: (m: string) => void,
): TransportKind {
  if (opts.transport === "inproc" && (opts.nats !== undefined || opts.join))
    throw new InvalidArgumentError(`--transport inproc cannot be combined with ${opts.join ? "--join" : "--nats"}`);
  if (opts.transport !== undefined) return opts.transport;
  if (opts.nats !== undefined || opts.join || findExecutable(natsServerBinary()) !== null) return "nats";
  log(
    `nats-server not found on the PATH: running in-process (same results; install nats-server or pass --nats URL to run hosts over NATS)`,
  );
  return "inproc";
}
