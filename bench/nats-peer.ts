/**
 * The far end of the NATS latency measurement in bench/nats-latency.ts, run as a child process (as twin hosts are):
 *   bench.ping    echoes the payload (request-reply round trip)
 *   bench.stamp   replies with the time it received the message, process.hrtime.bigint() in decimal: the same
 *                 monotonic clock as the sender's on this machine, so receipt minus send time is the one-way latency
 * Prints "ready" once subscribed; exits when its standard input closes.
 *
 *   node_modules/.bin/node bench/nats-peer.ts nats://127.0.0.1:4222
 */
import { connect } from "@nats-io/transport-node";

const url = process.argv[2];
if (url === undefined) {
  console.error("usage: nats-peer.ts <nats-url>");
  process.exit(2);
}

const nc = await connect({ servers: url, name: "dctwin-bench-peer" });
nc.subscribe("bench.ping", {
  callback: (error, msg) => {
    if (error === null) msg.respond(msg.data);
  },
});
nc.subscribe("bench.stamp", {
  callback: (error, msg) => {
    const received = process.hrtime.bigint();
    if (error === null) msg.respond(received.toString());
  },
});
await nc.flush();
process.stdout.write("ready\n");
process.stdin.on("close", () => {
  void nc.drain().finally(() => process.exit(0));
});
process.stdin.resume();
