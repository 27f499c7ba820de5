/**
 * Windows follow the placement: with the client and the server on different hosts, every window is at most the
 * lookahead of the one link between them (latency + one byte on the wire) and many are exactly that long; on one
 * host the same run takes a window per metrics interval. Both give the same results, and the coordinator checks
 * conservation after every window. A packet that would reach another host inside the window it was sent in (here:
 * a zero-byte reply, faster than the one-byte bound) stops the run with a ModelContractError.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { placeActors } from "../coordinator/placement/place.ts";
import { buildSummary } from "../coordinator/results/summary.ts";
import { IntervalTotals } from "../coordinator/results/interval-totals.ts";
import { LedgerBook } from "../coordinator/ledgers/book.ts";
import { ledgerScope } from "../coordinator/ledgers/snapshot.ts";
import { RunDriver, type WindowProgress } from "../coordinator/driver/run-driver.ts";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { lookupModel } from "../nodes/models/registry.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { queueScenario } from "./support/scenarios.ts";

const cut = queueScenario({
  rate: 2000,
  meanServiceMs: 0.2,
  cores: 2,
  durationS: 0.3,
  latencyUs: 200,
  intervalS: 0.1,
  warmupS: 0,
});
const { scenario } = validateScenario(cut, "cut");

async function run(hosts: number, models: (kind: string) => ActorModel = lookupModel, s: ResolvedScenario = scenario) {
  const transport = new InProcTransport();
  const windows: WindowProgress[] = [];
  const driver = new RunDriver({
    transport,
    runId: "cut",
    scenario: s,
    placement: placeActors(2, hosts),
    hostCount: hosts,
    onWindow: (w) => windows.push(w),
  });
  driver.listen();
  for (let host = 0; host < hosts; host++)
    new HostAgent({ transport, runId: "cut", host, models: () => models }).start();
  const outcome = await driver.run();
  const series = new LedgerBook(ledgerScope(s)).series(outcome.aggregator, outcome.simTimeNs);
  const records = outcome.aggregator.intervalList(outcome.simTimeNs);
  return {
    outcome,
    windows,
    summary: JSON.stringify(
      buildSummary({
        scenario: s,
        status: outcome.status,
        simTimeNs: outcome.simTimeNs,
        aggregator: outcome.aggregator,
        totals: outcome.totals,
        ledgers: series,
        intervals: IntervalTotals.ofRecords(s, records, series),
      }),
    ),
  };
}

test("lookahead windows - two hosts: windows bounded by the cut link; one host: a few per interval; same results", async () => {
  const two = await run(2);
  const lookahead = 200_000 + 1; // 200 us + one byte at 10 Gb/s (0.8 ns, rounded up)
  assert.equal(two.outcome.lookaheadNs, lookahead);
  assert.equal(two.windows.length, two.outcome.windows, "a conservation check and a progress call per window");
  assert.ok(
    two.windows.every((w) => w.endNs - w.startNs <= lookahead && w.endNs > w.startNs),
    "no window longer than the lookahead",
  );
  const full = two.windows.filter((w) => w.endNs - w.startNs === lookahead).length;
  assert.ok(full > two.windows.length / 2, `most windows are the whole lookahead (${full} of ${two.windows.length})`);
  assert.ok(two.outcome.windows >= scenario.run.durationNs / lookahead / 2, "the busy link keeps the windows short");

  const one = await run(1);
  assert.equal(one.outcome.lookaheadNs, Number.POSITIVE_INFINITY);
  assert.ok(one.outcome.windows <= 3 * 3, `${one.outcome.windows} windows for 3 metrics intervals`);
  assert.equal(one.summary, two.summary);
  assert.ok(two.outcome.totals.consumed > 500);
});

test("lookahead windows - a packet that would arrive inside the window on another host stops the run", async () => {
  const server = lookupModel("server");
  // A server whose replies have no bytes: they cross the link in its latency alone, under the one-byte bound.
  const zeroByteReplies = (kind: string): ActorModel =>
    kind !== "server"
      ? lookupModel(kind)
      : {
          ...server,
          onPacket(_state, packet, ctx) {
            ctx.consume(packet);
            ctx.send(
              ctx.createPacket({
                dst: packet.src,
                species: 2,
                sizeBytes: 0,
                flowId: packet.flowId,
                flowCreatedNs: packet.flowCreatedNs,
              }),
              ctx.route(packet.src),
            );
          },
        };
  await assert.rejects(
    run(2, zeroByteReplies),
    /ModelContractError: a packet from server over link .* would reach host 0 at \d+ ns, inside the window ending at \d+ ns \(the lookahead is wrong\)/,
  );
});

test("lookahead windows - a quantum above the latency: the same fixed grid and the same added delay on 1 and 2 hosts", async () => {
  const { scenario: coarse } = validateScenario({ ...cut, run: { ...cut.run, quantum: "300us" } }, "coarse");
  const one = await run(1, lookupModel, coarse);
  const two = await run(2, lookupModel, coarse);
  assert.equal(one.summary, two.summary);
  assert.equal(one.outcome.windows, two.outcome.windows, "the grid does not depend on placement");
  assert.ok(
    one.windows.every(
      (w) => w.endNs - w.startNs <= 300_000 && Math.floor((w.endNs - 1) / 300_000) === Math.floor(w.startNs / 300_000),
    ),
    "windows stay inside one cell of the quantum grid",
  );
  assert.ok(JSON.parse(one.summary).quantum_delay.total_s > 0, "deliveries wait for the window's end");
});
