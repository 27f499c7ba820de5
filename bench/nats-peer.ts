/**
 * The far end of the raw NATS measurement in bench/run.ts, run as a child process (as twin hosts are):
 *   bench.data    counts messages and bytes, with the arrival times of the first and last
 *   bench.sync    replies once everything published before it has been received (flow control)
 *   bench.report  replies with the counts as JSON and resets them
 *   bench.ping    echoes the payload (request-reply round trip)
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
let count = 0;
let bytes = 0;
let firstMs = 0;
let lastMs = 0;

nc.subscribe("bench.data", {
  callback: (error, msg) => {
    if (error !== null) return;
    const now = performance.now();
    if (count === 0) firstMs = now;
    lastMs = now;
    count++;
    bytes += msg.data.length;
  },
});
nc.subscribe("bench.sync", {
  callback: (error, msg) => {
    if (error === null) msg.respond();
  },
});
nc.subscribe("bench.ping", {
  callback: (error, msg) => {
    if (error === null) msg.respond(msg.data);
  },
});
nc.subscribe("bench.report", {
  callback: (error, msg) => {
    if (error !== null) return;
    msg.respond(JSON.stringify({ count, bytes, spanS: (lastMs - firstMs) / 1000 }));
    count = 0;
    bytes = 0;
  },
});
await nc.flush();
process.stdout.write("ready\n");
process.stdin.on("close", () => {
  void nc.drain().finally(() => process.exit(0));
});
process.stdin.resume();
