/**
 * A host process's own Prometheus metrics (opt-in: `dctwin host --metrics-port`): what crosses its wire
 * (messages, batches and bytes by direction and channel), the events and windows it ran, and the Node.js process
 * metrics of prom-client (event-loop lag, CPU, memory, GC). Counted by a Transport decorator, so the runtime is
 * untouched; served on its own port at /metrics (metrics-server.ts), bound to loopback unless told otherwise.
 */
import { collectDefaultMetrics, Counter, Registry } from "prom-client";
import type { MessageHandler, Subscription, Transport } from "./runtime/transport/transport.ts";
import $protobuf from "protobufjs/minimal.js";
import { tryDecode, wire } from "./runtime/wire.ts";

type Direction = "sent" | "received";

/** What one host's wire carried, by direction and channel (the message kind). */
export class WireStats {
  readonly messages = new Map<string, number>();
  readonly bytes = new Map<string, number>();
  /** Window messages to or from another host that carried packets, by direction. */
  readonly batches = new Map<Direction, number>();
  events = 0;
  windows = 0;

  count(direction: Direction, subject: string, payload: Uint8Array): void {
    const channel = channelOf(subject);
    const key = `${direction}|${channel}`;
    this.messages.set(key, (this.messages.get(key) ?? 0) + 1);
    this.bytes.set(key, (this.bytes.get(key) ?? 0) + payload.byteLength);
    if (channel === "window" && carriesPackets(payload))
      this.batches.set(direction, (this.batches.get(direction) ?? 0) + 1);
  }
}

/** `dct.<run>.sync.<kind>` or `dct.<run>.report.<n>.<kind>[.<m>]` -> the kind; else other. */
function channelOf(subject: string): string {
  const verb = /\.(?:sync|report\.\d+)\.([a-z]+)(?:\.\d+)?$/.exec(subject)?.[1];
  return verb ?? "other";
}

/** Whether a PeerWindow holds more than its report (field 1): packets (field 2), without decoding them. */
function carriesPackets(payload: Uint8Array): boolean {
  try {
    const reader = $protobuf.Reader.create(payload);
    reader.skipType(reader.uint32() & 7);
    return reader.pos < reader.len;
  } catch {
    return false;
  }
}

/** Counts every message through `inner`; reads events from the host's own window reports. */
export class CountingTransport implements Transport {
  private readonly inner: Transport;
  private readonly stats: WireStats;

  constructor(inner: Transport, stats: WireStats) {
    this.inner = inner;
    this.stats = stats;
  }

  publish(subject: string, payload: Uint8Array): void {
    this.stats.count("sent", subject, payload);
    if (subject.endsWith(".full"))
      for (const report of tryDecode(wire.ReportBundle, payload)?.reports ?? []) {
        const done = tryDecode(wire.WindowReport, report);
        if (done !== undefined && Number(done.window) > 0 && !done.final) {
          this.stats.events += Number(done.events);
          this.stats.windows++;
        }
      }
    this.inner.publish(subject, payload);
  }

  subscribe(subject: string, handler: MessageHandler): Subscription {
    return this.inner.subscribe(subject, (payload, actual) => {
      this.stats.count("received", actual, payload);
      handler(payload, actual);
    });
  }

  droppedFragments(): number {
    return this.inner.droppedFragments();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function hostRegistry(stats: WireStats, labels: { run: string; host: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  // Gauges that prom-client names like counters (promtool flags them); their per-type breakdowns stay.
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
    registry.removeSingleMetric(name);
  const registers = [registry];
  const byKey = (map: Map<string, number>, keep: (channel: string) => boolean) =>
    [...map]
      .filter(([k]) => keep(k.split("|")[1]!))
      .map(([k, value]) => {
        const [direction, channel] = k.split("|") as [string, string];
        return { labels: { direction, channel }, value };
      });
  new Counter({
    name: "dctwin_host_messages_total",
    help: "Wire messages of this host by direction (sent, received) and channel (the message kind: start, grant, stop, hello, window (a window report and packets, one per peer and window), full (bundled reports to the coordinator), error).",
    labelNames: ["direction", "channel"],
    registers,
    collect() {
      this.reset();
      for (const s of byKey(stats.messages, () => true)) this.inc(s.labels, s.value);
    },
  });
  new Counter({
    name: "dctwin_host_wire_bytes_total",
    help: "Payload bytes of this host's wire messages by direction and channel.",
    labelNames: ["direction", "channel"],
    registers,
    collect() {
      this.reset();
      for (const s of byKey(stats.bytes, () => true)) this.inc(s.labels, s.value);
    },
  });
  new Counter({
    name: "dctwin_host_batches_total",
    help: "Window messages to or from other hosts that carried packets (at most one per peer and window).",
    labelNames: ["direction"],
    registers,
    collect() {
      this.reset();
      for (const [direction, value] of stats.batches) this.inc({ direction }, value);
    },
  });
  new Counter({
    name: "dctwin_host_events_total",
    help: "Simulation events this host executed.",
    registers,
    collect() {
      this.reset();
      this.inc(stats.events);
    },
  });
  new Counter({
    name: "dctwin_host_windows_total",
    help: "Windows this host ran and reported.",
    registers,
    collect() {
      this.reset();
      this.inc(stats.windows);
    },
  });
  return registry;
}
