/**
 * NATS latency on this machine, between this process and a child process (bench/nats-peer.ts) over a fresh private
 * nats-server: the request-reply round trip, and the one-way latency (the peer stamps the receipt with the same
 * monotonic clock the sender stamped the send with). A window costs at least one one-way delivery when hosts
 * exchange their reports directly, and one round trip when a coordinator collects and answers them: the inverses
 * of the medians are the window ceilings (medians, since the mean of a shared machine's latencies is its outliers').
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";

export interface NatsLatency {
  samples: number;
  one_way_mean_us: number;
  one_way_p50_us: number;
  one_way_p99_us: number;
  rtt_mean_us: number;
  rtt_p50_us: number;
  rtt_p99_us: number;
  /** 1 / median one-way latency: windows per second when a window costs one delivery. */
  window_ceiling_one_way_per_s: number;
  /** 1 / median round trip: windows per second when a window costs a round trip. */
  window_ceiling_rtt_per_s: number;
}

async function startPeer(url: string) {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./nats-peer.ts", import.meta.url)), url], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench/nats-peer.ts did not get ready within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`bench/nats-peer.ts exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "ready") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function stats(values: number[]): { mean: number; p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    p50: sorted[Math.floor(sorted.length * 0.5)]!,
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!,
  };
}

export async function measureNatsLatency(warmup: number, iterations: number): Promise<NatsLatency> {
  const server = await NatsServer.start({ name: `dctwin-bench-${process.pid}` });
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  const nc = await connect({ servers: server.url, name: "dctwin-bench-publisher" });
  try {
    peer = await startPeer(server.url);
    const payload = new Uint8Array(64); // reports and window messages are small
    const rtts: number[] = [];
    const oneWays: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = process.hrtime.bigint();
      await nc.request("bench.ping", payload, { timeout: 5_000 });
      const t1 = process.hrtime.bigint();
      const sent = process.hrtime.bigint();
      const stamp = await nc.request("bench.stamp", payload, { timeout: 5_000 });
      if (i < warmup) continue;
      rtts.push(Number(t1 - t0) / 1000);
      oneWays.push(Number(BigInt(new TextDecoder().decode(stamp.data)) - sent) / 1000);
    }
    const rtt = stats(rtts);
    const oneWay = stats(oneWays);
    return {
      samples: iterations,
      one_way_mean_us: oneWay.mean,
      one_way_p50_us: oneWay.p50,
      one_way_p99_us: oneWay.p99,
      rtt_mean_us: rtt.mean,
      rtt_p50_us: rtt.p50,
      rtt_p99_us: rtt.p99,
      window_ceiling_one_way_per_s: 1e6 / oneWay.p50,
      window_ceiling_rtt_per_s: 1e6 / rtt.p50,
    };
  } finally {
    await nc.close().catch(() => {});
    await peer?.stop().catch(() => {});
    await server.stop();
  }
}
