import assert from "node:assert/strict";
import { test } from "node:test";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { EventType, type SimEvent } from "./event-queue.ts";
import { NO_COUNTS } from "./host-reports.ts";
import { PeerExchange } from "./peer-exchange.ts";
import { InProcTransport } from "./transport/inproc.ts";
import { reportHost, subjects } from "./transport/transport.ts";
import { encodePeerWindow } from "./peer-window.ts";
import { wire } from "./wire.ts";

const run = subjects("peer-exchange-test");
const ACTORS = 4;
/** Host 0 runs actors 0 and 1, host 1 actors 2 and 3. */
const runs = (host: number) => (actor: number) => (actor < 2 ? 0 : 1) === host;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function packetTo(dst: number): SimEvent {
  const packet = {
    ...{ id: 7, flowId: 1, species: 0, src: 2, dst, sizeBytes: 1500, multiplicity: 1, createdNs: 5, hops: 1 },
    ...{ kind: 0, flowCreatedNs: 5, replyBytes: 0, streamRatePerS: 0, streamArrivalScv: 0, streamPool: 0 },
    traceparent: "",
  };
  return { timeNs: 900, dst, src: 2, seq: 3, type: EventType.packet, packet, link: 1, tag: 0, arg: 0 };
}

function report(window: number, extra: Partial<dctwin.v1.WindowReport.$Properties> = {}) {
  return {
    window,
    startNs: window * 100,
    endNs: window * 100 + (window === 0 ? 0 : 100),
    nextEventNs: 1000,
    batchesSentTo: [0, 0],
    counters: NO_COUNTS,
    intervals: [],
    ...extra,
  };
}

/** Two hosts' exchanges on one in-process transport; what each got from the other, and the coordinator's bundles. */
function twoHosts() {
  const transport = new InProcTransport();
  const stamp = { malformedMessages: 2, stopSeen: false };
  const exchanges = [0, 1].map((host) => new PeerExchange(transport, run, host, () => stamp));
  const received: (SimEvent[] | undefined)[][] = [[], []];
  for (const [host, exchange] of exchanges.entries()) {
    exchange.begin(2, ACTORS);
    transport.subscribe(run.windowsTo(host), (bytes, subject) =>
      received[host]!.push(exchange.receive(bytes, reportHost(subject), runs(host))),
    );
  }
  const full: dctwin.v1.WindowReport[][] = [[], []];
  for (const host of [0, 1])
    transport.subscribe(run.fullWindow(host), (bytes) =>
      full[host]!.push(...wire.ReportBundle.decode(bytes).reports.map((r) => wire.WindowReport.decode(r))),
    );
  return { transport, exchanges, received, full, stamp };
}

test("peer exchange - a report goes whole to the coordinator and without intervals, with its packets, to the peer", async () => {
  const { exchanges, received, full } = twoHosts();
  const [a, b] = exchanges as [PeerExchange, PeerExchange];
  a.publish(report(0));
  b.publish(report(0));
  await settle();
  assert.deepEqual(
    received.map((r) => r.map((events) => events?.length)),
    [[0], [0]],
    "each start-up report reached the other host, no packets",
  );
  assert.equal(a.ready()?.length, 2, "host 0 has both reports of window 0");
  assert.deepEqual(
    full.map((reports) => reports.map((r) => [r.host, Number(r.window), r.malformedMessages])),
    [[[0, 0, 2]], [[1, 0, 2]]],
    "start-up reports go to the coordinator at once, stamped",
  );

  const interval = { interval: 0, events: 9 };
  b.publish(report(1, { batchesSentTo: [1, 0], intervals: [interval] }), new Map([[0, [packetTo(1)]]]));
  await settle();
  const events = received[0]![1]!;
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], packetTo(1), "the packet arrives as it was sent");
  assert.equal(full[1]![1]!.intervals.length, 1, "the coordinator's report keeps its intervals");
  assert.equal(Number(a.ready()?.[1]?.window), 0, "host 0 still goes by window 0: it has not run window 1");
  assert.equal(b.reported, 1);

  b.publish(report(2, { final: true, endNs: 200 })); // of no window, as a host closes its run
  await settle();
  assert.equal(received[0]!.length, 2, "a final report goes to the coordinator alone");
  assert.equal(full[1]!.at(-1)!.final, true);
});

test("peer exchange - refuses what does not decode, names another host or does not fit the window sequence", async () => {
  const { exchanges } = twoHosts();
  const a = exchanges[0]!;
  a.publish(report(0));
  await settle();
  const peer = (r: dctwin.v1.WindowReport.$Properties, events: SimEvent[] = []) =>
    encodePeerWindow(wire.WindowReport.encode({ malformedMessages: 0, ...r }).finish(), events);
  const runsHere = runs(0);
  const refused = (bytes: Uint8Array, from: number | undefined = 1) => a.receive(bytes, from, runsHere) === undefined;
  assert.ok(refused(Uint8Array.of(0xff, 0xff, 0xff)), "not a PeerWindow");
  assert.ok(refused(peer({ ...report(0), host: 1 }), 0), "the subject names another sender");
  assert.ok(refused(peer({ ...report(0), host: 0 }), 0), "a report of this host itself");
  assert.ok(refused(peer({ ...report(0), host: 1, batchesSentTo: [0] })), "batchesSentTo of another host count");
  assert.ok(refused(peer({ ...report(0), host: 1, final: true })), "a final report");
  assert.ok(refused(peer({ ...report(2), host: 1 })), "two windows ahead");
  assert.ok(refused(peer({ ...report(0), host: 1 }, [packetTo(2)])), "a packet for an actor host 0 does not run");
  assert.ok(refused(peer({ ...report(0), host: 1 }, [packetTo(ACTORS)])), "a packet for no actor");
  assert.equal(a.ready(), undefined, "nothing refused was taken");
  assert.deepEqual(a.receive(peer({ ...report(0), host: 1 }, [packetTo(0)]), 1, runsHere), [packetTo(0)]);
  assert.ok(refused(peer({ ...report(0), host: 1 })), "a second report of the same window");
  assert.equal(a.ready()?.length, 2);
});
